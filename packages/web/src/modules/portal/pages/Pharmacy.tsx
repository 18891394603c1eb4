import type { Organization, Patient } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { FHIR_BASE, api, parameters } from '../../../api/client.ts';
import { RECORD_KEY } from '../../../api/record.ts';
import { ErrorSummary, type FormProblems } from '../../../components/ErrorSummary.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { TextInput } from '../../../components/fields.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { addressText, findPharmacies, loadNomination, nominationKey } from '../pharmacy.ts';
import { usePortalVoice } from '../voice.ts';

/**
 * The nominated pharmacy: where the patient's prescriptions go. Shows the one nominated, finds others
 * by name or postcode in the directory, and changes it (`Patient/{id}/$nominate-pharmacy`), after a
 * check. For a carer, in the "acting for" voice.
 */
export default function Pharmacy({ patientId }: { patientId: string }) {
  const voice = usePortalVoice();
  const queryClient = useQueryClient();
  const nomination = useQuery({ queryKey: nominationKey(patientId), queryFn: () => loadNomination(patientId) });
  const [text, setText] = useState('');
  const [searched, setSearched] = useState('');
  const [problems, setProblems] = useState<FormProblems>({});
  const [choosing, setChoosing] = useState<Organization>();
  const summary = useRef<HTMLDivElement>(null);
  const results = useQuery({
    queryKey: ['pharmacies', searched],
    queryFn: () => findPharmacies(searched),
    enabled: searched.length > 0,
  });
  const nominating = useMutation({
    mutationFn: (pharmacy: Organization) =>
      api<Patient>(`${FHIR_BASE}/Patient/${encodeURIComponent(patientId)}/$nominate-pharmacy`, {
        method: 'POST',
        body: parameters({ pharmacy: { reference: `Organization/${pharmacy.id}` } }),
      }),
    onSuccess: (patient, pharmacy) => {
      setChoosing(undefined);
      setSearched('');
      setText('');
      // The answer is the patient as the caller sees them now: shown at once, on this page and on the
      // prescriptions page (which shares the query).
      queryClient.setQueryData(nominationKey(patientId), { patient, pharmacy });
      void queryClient.invalidateQueries({ queryKey: RECORD_KEY });
    },
  });

  const search = (event: FormEvent): void => {
    event.preventDefault();
    const found = { pharmacy: text.trim().length < 2 ? 'Enter a pharmacy name or postcode' : undefined };
    setProblems(found);
    if (found.pharmacy) {
      summary.current?.focus();
      return;
    }
    nominating.reset();
    setChoosing(undefined);
    setSearched(text.trim());
  };

  const current = nomination.data?.pharmacy;
  return (
    <>
      <ErrorSummary errors={problems} ref={summary} />
      <PageTitle caption={voice.caption}>Nominated pharmacy</PageTitle>
      {nominating.isSuccess && (
        <Notice title={`${nominating.variables.name ?? 'The pharmacy'} is now ${voice.your} nominated pharmacy.`}>
          <p className="nhsuk-body">{voice.Your} next electronic prescriptions will be sent there.</p>
        </Notice>
      )}
      <p className="nhsuk-body">
        {voice.Your} GP practice sends {voice.actingFor ? 'their' : 'your'} electronic prescriptions to this pharmacy,
        where {voice.you === 'you' ? 'you collect them or they deliver them' : 'they are collected or delivered'}.
      </p>
      <h2 className="nhsuk-heading-m">{voice.actingFor ? 'Their' : 'Your'} pharmacy</h2>
      {nomination.status !== 'success' ? (
        <QueryStatus query={nomination} what="the nominated pharmacy" />
      ) : current ? (
        <div className="nhsuk-card" data-testid="nominated-pharmacy">
          <div className="nhsuk-card__content">
            <h3 className="nhsuk-card__heading nhsuk-heading-s">{current.name}</h3>
            <p className="nhsuk-card__description">{addressText(current.address?.[0])}</p>
            {current.telecom?.find((t) => t.system === 'phone')?.value && (
              <p className="nhsuk-body-s nhsuk-u-margin-bottom-0">
                Phone: {current.telecom.find((t) => t.system === 'phone')!.value}
              </p>
            )}
          </div>
        </div>
      ) : (
        <Empty>
          {capitalise(voice.youHave)} no nominated pharmacy. Prescriptions come as a paper form with a barcode to take
          to any pharmacy.
        </Empty>
      )}

      <h2 className="nhsuk-heading-m">{current ? 'Change the pharmacy' : 'Choose a pharmacy'}</h2>
      <form onSubmit={search} noValidate role="search" aria-label="Find a pharmacy">
        <TextInput
          id="pharmacy"
          label="Pharmacy name or postcode"
          hint="For example, Moor Street or L39 2AQ"
          value={text}
          error={problems.pharmacy}
          onChange={setText}
          width="20"
        />
        <Button type="submit" secondary>
          Search
        </Button>
      </form>
      {nominating.error && <ErrorMessage error={nominating.error} title="The pharmacy was not changed" />}
      {searched && results.status === 'pending' && <Loading what="pharmacies" />}
      {searched && results.status === 'error' && <QueryStatus query={results} what="pharmacies" />}
      {searched && results.status === 'success' && (
        <section aria-labelledby="pharmacy-results">
          <h3 className="nhsuk-heading-s" id="pharmacy-results">
            {results.data.length === 0
              ? `No pharmacies found for “${searched}”`
              : `${results.data.length} ${results.data.length === 1 ? 'pharmacy' : 'pharmacies'} found for “${searched}”`}
          </h3>
          <ul className="nhsuk-list nhsuk-list--border">
            {results.data.map((pharmacy) => (
              <li key={pharmacy.id}>
                <strong>{pharmacy.name}</strong>
                <br />
                <span className="nhsuk-body-s">{addressText(pharmacy.address?.[0])}</span>
                <br />
                {pharmacy.id === current?.id ? (
                  <strong className="nhsuk-tag nhsuk-tag--green">Nominated now</strong>
                ) : choosing?.id === pharmacy.id ? (
                  <div className="cw-confirm" role="group" aria-label={`Confirm ${pharmacy.name}`}>
                    <p className="nhsuk-body">
                      Send {voice.your} prescriptions to {pharmacy.name} from now on?
                    </p>
                    <div className="nhsuk-button-group">
                      <Button type="button" disabled={nominating.isPending} onClick={() => nominating.mutate(pharmacy)}>
                        Yes, nominate this pharmacy
                      </Button>
                      <Button type="button" secondary onClick={() => setChoosing(undefined)}>
                        No, go back
                      </Button>
                    </div>
                  </div>
                ) : (
                  <Button
                    type="button"
                    secondary
                    className="nhsuk-button--small nhsuk-u-margin-bottom-0"
                    onClick={() => setChoosing(pharmacy)}
                  >
                    Choose<span className="nhsuk-u-visually-hidden"> {pharmacy.name}</span>
                  </Button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <p className="nhsuk-body">
        <Link to="/my/prescriptions">Repeat prescriptions</Link>
      </p>
    </>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
