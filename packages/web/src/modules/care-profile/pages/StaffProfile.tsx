import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { declareRelationship } from '../../../api/access.ts';
import { ApiError } from '../../../api/errors.ts';
import { useSession } from '../../../auth/session.ts';
import { ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ReasonForm } from '../../../components/ReasonForm.tsx';
import { displayName } from '../../../lib/fhir-display.ts';
import { patientQuery, profileQuery } from '../api.ts';
import { InputForm } from '../InputForm.tsx';
import { PrintButton, ProfileDocument } from '../ProfileDocument.tsx';
import { Suggestions } from '../Suggestions.tsx';

/** Clinicians, nurses and health professionals record what goes into a profile (as the server allows). */
const RECORDING_ROLES = ['R8000', 'R8001', 'R8003'];

/**
 * `/patients/:id/care-profile`: the patient's core personal profile for staff — made if there is
 * none, brought up to date, and showing only what they may see. Without a care relationship (a
 * paramedic at a 999 call) they are offered to declare one, and then see it.
 */
export default function StaffProfile() {
  const { id = '' } = useParams();
  const session = useSession();
  const queryClient = useQueryClient();
  const profile = useQuery(profileQuery(id));
  const patient = useQuery(patientQuery(id));
  const reload = () => queryClient.invalidateQueries({ queryKey: ['care-profile', id] });
  const name = patient.data ? displayName(patient.data.name) : undefined;
  const back = (
    <p className="nhsuk-u-margin-bottom-2 cw-no-print">
      <a className="nhsuk-back-link" href={`/patients/${encodeURIComponent(id)}`}>
        Back to the patient record
      </a>
    </p>
  );
  if (profile.status === 'pending') {
    return <Loading what="the core personal profile" />;
  }
  if (profile.status === 'error') {
    if (profile.error instanceof ApiError && profile.error.status === 404) {
      return (
        <>
          {back}
          <PageTitle>Core personal profile</PageTitle>
          <p className="nhsuk-body">
            You do not have a care relationship with this patient, or there is no such patient. If you are caring for
            them now — for example attending a 999 call — say why, and you will see their profile and record for 24
            hours. Your organisation’s privacy officer is told.
          </p>
          <ReasonForm
            id="cw-declare"
            label="Why are you caring for this patient?"
            hint="For example: attending 999 call, incident 12345. At least 10 characters."
            missing="Enter why you are caring for this patient"
            submitLabel="Declare a care relationship"
            failureTitle="The relationship was not declared"
            onSubmit={async (reason) => {
              await declareRelationship(id, reason);
              await reload();
            }}
          />
        </>
      );
    }
    return <ErrorMessage title="The profile could not be loaded" error={profile.error} onRetry={() => void reload()} />;
  }
  const records = session?.kind === 'staff' && RECORDING_ROLES.includes(session.roleCode ?? '');
  return (
    <>
      {back}
      <PageTitle caption={name} title={name ? `Core personal profile – ${name}` : 'Core personal profile'}>
        Core personal profile
      </PageTitle>
      <PrintButton />
      <ProfileDocument profile={profile.data} patient={patient.data} />
      <Suggestions patientId={id} />
      {records && <InputForm patientId={id} onRecorded={() => void reload()} />}
    </>
  );
}
