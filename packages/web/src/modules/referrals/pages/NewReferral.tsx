import type { Patient } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { fhirGet } from '../../../api/client.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import type { Priority } from '../api.ts';
import { Radios } from '../fields.tsx';
import { ReferralFormStep } from '../ReferralFormStep.tsx';
import { PRIORITY_NAMES, SPECIALTIES } from '../vocabulary.ts';

const patientName = (patient: Patient | undefined): string => {
  const name = patient?.name?.find((n) => n.use === 'official') ?? patient?.name?.[0];
  return [name?.given?.join(' '), name?.family].filter(Boolean).join(' ') || 'the patient';
};

/**
 * A new electronic referral, from the patient's record (docs/REFERRALS.md): the specialty and how
 * urgent, then the local pathway and the specialty's pre-filled form; the draft is then shortlisted
 * on the next page.
 */
export default function NewReferral() {
  const [params] = useSearchParams();
  const patientId = params.get('patient') ?? '';
  const patient = useQuery({
    queryKey: ['referrals', 'patient', patientId],
    queryFn: ({ signal }) => fhirGet<Patient>(`Patient/${encodeURIComponent(patientId)}`, signal),
    enabled: !!patientId,
    retry: false,
  });
  const [chosen, setChosen] = useState<{ specialty: string; priority: Priority } | undefined>();
  if (!patientId) {
    return (
      <>
        <PageTitle caption="Referrals">Make a referral</PageTitle>
        <p className="nhsuk-body">
          Open the patient’s record first (<a href="/find">find a patient</a>) and choose “Refer to a specialist”.
        </p>
      </>
    );
  }
  const name = patientName(patient.data);
  return (
    <>
      <p className="nhsuk-u-margin-bottom-2">
        <a className="nhsuk-back-link" href={`/patients/${encodeURIComponent(patientId)}`}>
          Back to the record
        </a>
      </p>
      <PageTitle caption="Referrals" title={`Refer ${name}`}>
        Refer {name}
      </PageTitle>
      <QueryStatus query={patient} what="the patient" errorTitle="The patient could not be found" />
      {patient.status === 'success' &&
        (chosen ? (
          <ReferralFormStep
            patientId={patientId}
            specialty={chosen.specialty}
            priority={chosen.priority}
            onChange={() => setChosen(undefined)}
          />
        ) : (
          <ChooseSpecialty onChosen={setChosen} />
        ))}
    </>
  );
}

function ChooseSpecialty({ onChosen }: { onChosen: (chosen: { specialty: string; priority: Priority }) => void }) {
  const [specialty, setSpecialty] = useState('');
  const [priority, setPriority] = useState<string>('routine');
  const [problems, setProblems] = useState<Record<string, string>>({});
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const found: Record<string, string> = {};
        if (!specialty) {
          found[`specialty-${SPECIALTIES[0]!.code}`] = 'Choose the specialty you are referring to';
        }
        if (!priority) {
          found['priority-routine'] = 'Choose how urgent the referral is';
        }
        setProblems(found);
        if (!Object.keys(found).length) {
          onChosen({ specialty, priority: priority as Priority });
        }
      }}
    >
      <ErrorSummary errors={problems} focusOnShow />
      <Radios
        name="specialty"
        label="Which specialty are you referring to?"
        legendSize="m"
        error={problems[`specialty-${SPECIALTIES[0]!.code}`]}
        value={specialty}
        onChange={setSpecialty}
        options={SPECIALTIES.map((s) => ({ value: s.code, label: s.name }))}
      />
      <Radios
        name="priority"
        label="How urgent is it?"
        hint="A two-week wait is for suspected cancer: it uses the suspected cancer form and must be seen within 14 days."
        legendSize="m"
        error={problems['priority-routine']}
        value={priority}
        onChange={setPriority}
        options={(Object.keys(PRIORITY_NAMES) as Priority[]).map((p) => ({ value: p, label: PRIORITY_NAMES[p] }))}
      />
      <button type="submit" className="nhsuk-button">
        Continue
      </button>
    </form>
  );
}
