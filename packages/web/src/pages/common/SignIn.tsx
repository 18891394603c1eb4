import type { Bundle, Organization, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { Button, Radios, Select, TextInput } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { fhirGet } from '../../api/client.ts';
import { organisationsQuery } from '../../api/record.ts';
import { demoSignIn, oidcAvailable, signIn, type Session } from '../../auth/session.ts';
import { ErrorMessage, Loading } from '../../components/feedback.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { checkNhsNumber } from '../../lib/nhs-number.ts';
import { displayName, NHS_NUMBER_SYSTEM } from '../../lib/fhir-display.ts';

export function SignIn() {
  const [query] = useSearchParams();
  const returnTo = query.get('returnTo') ?? '/';
  const available = useQuery({ queryKey: ['oidc-available'], queryFn: oidcAvailable, staleTime: Infinity });
  const [error, setError] = useState<Error>();
  if (available.status === 'pending') {
    return <Loading what="sign-in" />;
  }
  return (
    <>
      <PageTitle>Sign in to CareWeave</PageTitle>
      <p className="nhsuk-lede-text">
        The shared care record for West Lancashire: for health and care staff, patients and carers.
      </p>
      {query.get('expired') && <p className="nhsuk-body">Your sign-in ended. Sign in again to carry on.</p>}
      {error && <ErrorMessage error={error} />}
      {available.data ? (
        <Button
          onClick={() => {
            signIn(returnTo).catch((e: unknown) => setError(e instanceof Error ? e : new Error(String(e))));
          }}
        >
          Sign in
        </Button>
      ) : (
        <DemoSignIn returnTo={returnTo} />
      )}
    </>
  );
}

/** Only when the server offers no sign-in: say who you are (the API is open anyway). */
function DemoSignIn({ returnTo }: { returnTo: string }) {
  const [kind, setKind] = useState<Session['kind']>('staff');
  const [organisation, setOrganisation] = useState('');
  const [nhsNumber, setNhsNumber] = useState('');
  const [carer, setCarer] = useState('');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const organisations = useQuery(organisationsQuery);
  const carers = useQuery({
    queryKey: ['demo-carers'],
    queryFn: () =>
      fhirGet<Bundle<RelatedPerson>>('RelatedPerson?_count=100').then((b) => (b.entry ?? []).map((e) => e.resource!)),
  });
  // A problem with one kind of sign-in means nothing once another is chosen.
  const choose = (next: Session['kind']): void => {
    setKind(next);
    setProblem(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    if (kind === 'staff') {
      const org = organisations.data?.find((o) => o.id === organisation);
      if (!org) {
        setProblem('Choose the organisation you work for');
        return;
      }
      demoSignIn({
        kind: 'staff',
        mode: 'demo',
        name: `Demo clinician, ${org.name ?? org.id}`,
        organizationId: org.id,
        roleCode: 'R8000',
      });
    } else if (kind === 'patient') {
      const checked = checkNhsNumber(nhsNumber);
      if (!checked.valid) {
        setProblem(checked.error);
        return;
      }
      setBusy(true);
      try {
        const bundle = await fhirGet<Bundle<Patient>>(
          `Patient?identifier=${encodeURIComponent(`${NHS_NUMBER_SYSTEM}|${checked.value}`)}`,
        );
        const patient = bundle.entry?.[0]?.resource;
        if (!patient) {
          setProblem('No patient has this NHS number');
          return;
        }
        demoSignIn({ kind: 'patient', mode: 'demo', name: displayName(patient.name), patientId: patient.id! });
      } finally {
        setBusy(false);
      }
    } else {
      const person = carers.data?.find((c) => c.id === carer);
      if (!person) {
        setProblem('Choose a carer');
        return;
      }
      const sameName = (carers.data ?? []).filter((c) => displayName(c.name) === displayName(person.name));
      demoSignIn({
        kind: 'related-person',
        mode: 'demo',
        name: displayName(person.name),
        relatedPersonIds: sameName.map((c) => c.id!),
      });
    }
    void navigate(returnTo, { replace: true });
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          This server has no sign-in yet, so anyone can use its API. Choose who to be for this demonstration. Never put
          real patient information into it.
        </p>
      </div>
      <Radios legend="Sign in as" legendProps={{ size: 's' }} name="kind" idPrefix="demo-kind">
        <Radios.Item value="staff" checked={kind === 'staff'} onChange={() => choose('staff')}>
          Health or care staff
        </Radios.Item>
        <Radios.Item value="patient" checked={kind === 'patient'} onChange={() => choose('patient')}>
          A patient
        </Radios.Item>
        <Radios.Item
          value="related-person"
          checked={kind === 'related-person'}
          onChange={() => choose('related-person')}
        >
          A carer
        </Radios.Item>
      </Radios>
      {kind === 'staff' &&
        (organisations.status === 'error' ? (
          <ErrorMessage error={organisations.error} onRetry={() => void organisations.refetch()} />
        ) : (
          <Select
            label="Organisation you work for"
            id="demo-organisation"
            value={organisation}
            onChange={(e) => setOrganisation(e.target.value)}
            error={problem}
          >
            <Select.Option value="">Choose an organisation</Select.Option>
            {(organisations.data ?? []).map((o: Organization) => (
              <Select.Option key={o.id} value={o.id}>
                {o.name}
              </Select.Option>
            ))}
          </Select>
        ))}
      {kind === 'patient' && (
        <TextInput
          label="Your NHS number"
          hint="For example, 943 476 5919"
          id="demo-nhs-number"
          width={10}
          inputMode="numeric"
          autoComplete="off"
          value={nhsNumber}
          onChange={(e) => setNhsNumber(e.target.value)}
          error={problem}
        />
      )}
      {kind === 'related-person' &&
        (carers.status === 'success' && carers.data.length === 0 ? (
          <p className="nhsuk-body">
            There are no carers in the record yet. A patient can add one on their sharing page.
          </p>
        ) : (
          <Select
            label="Carer"
            id="demo-carer"
            value={carer}
            onChange={(e) => setCarer(e.target.value)}
            error={problem}
          >
            <Select.Option value="">Choose a carer</Select.Option>
            {(carers.data ?? []).map((c) => (
              <Select.Option key={c.id} value={c.id}>
                {displayName(c.name)}
              </Select.Option>
            ))}
          </Select>
        ))}
      <Button type="submit" disabled={busy}>
        Continue
      </Button>
    </form>
  );
}

export function SignedOut() {
  return (
    <>
      <PageTitle>You have signed out</PageTitle>
      <p className="nhsuk-body">
        <a href="/sign-in">Sign in again</a>
      </p>
    </>
  );
}
