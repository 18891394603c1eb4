import type { CarePlan } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { carePlanQuery, enrolmentsQuery, patientQuery, updatePlan } from '../enrolment/api.ts';
import { planProtocol } from '../enrolment/careplan.ts';
import { EnrolmentStatus } from '../enrolment/EnrolmentStatus.tsx';
import { PatientDetails } from '../enrolment/PatientDetails.tsx';
import { StopForm } from '../enrolment/StopForm.tsx';
import { ThresholdEditor } from '../enrolment/ThresholdEditor.tsx';
import { protocolQuery, type Protocol } from '../protocols/api.ts';

/** The enrolment status each CarePlan status becomes (the server's `careplan.ts`). */
const BECOMES: Partial<Record<NonNullable<CarePlan['status']>, string>> = {
  active: 'active',
  'on-hold': 'paused',
  completed: 'stopped',
  revoked: 'stopped',
};

/** `/telehealth/enrolments/:carePlanId`: pause, resume, change thresholds or stop an enrolment. */
export default function ManageEnrolment() {
  const { carePlanId = '' } = useParams();
  const plan = useQuery(carePlanQuery(carePlanId));
  const protocolRef = plan.data ? planProtocol(plan.data) : undefined;
  const protocol = useQuery({ ...protocolQuery(protocolRef?.id ?? ''), enabled: Boolean(protocolRef) });
  // Here, not in Manage: Manage starts afresh with each saved version of the plan, the notice stays.
  const [changed, setChanged] = useState<string>();
  return (
    <>
      <PageTitle caption="Telehealth by text message">Manage an enrolment</PageTitle>
      {plan.status !== 'success' ? (
        <QueryStatus query={plan} what="the enrolment" errorTitle="The enrolment could not be loaded" />
      ) : !protocolRef ? (
        <p className="nhsuk-body">This care plan is not a telehealth enrolment.</p>
      ) : protocol.status !== 'success' ? (
        <QueryStatus query={protocol} what="the protocol" errorTitle="The protocol could not be loaded" />
      ) : (
        <Manage
          key={plan.data.meta?.versionId}
          plan={plan.data}
          protocol={protocol.data}
          changed={changed}
          onChanged={setChanged}
        />
      )}
    </>
  );
}

function Manage({
  plan,
  protocol,
  changed,
  onChanged,
}: {
  plan: CarePlan;
  protocol: Protocol;
  changed?: string;
  /** The notice after a change; undefined clears it (a new action makes the last one's notice stale). */
  onChanged: (notice?: string) => void;
}) {
  const queryClient = useQueryClient();
  const patientId = plan.subject?.reference?.replace('Patient/', '') ?? '';
  const [stopping, setStopping] = useState(false);
  const patient = useQuery(patientQuery(patientId));
  const enrolments = useQuery(
    // After a change here, ask until the server's enrolment has caught up with it.
    enrolmentsQuery(patientId, changed ? { carePlan: `CarePlan/${plan.id!}`, ...statusWanted(plan) } : undefined),
  );
  const enrolment = enrolments.data?.find((e) => e.carePlan === `CarePlan/${plan.id!}`);
  const saving = useMutation({
    mutationFn: ({ next }: { next: CarePlan; done: string }) => updatePlan(next),
    onMutate: () => onChanged(undefined),
    onSuccess: (saved, { done }) => {
      onChanged(done);
      setStopping(false);
      queryClient.setQueryData(carePlanQuery(plan.id!).queryKey, saved);
      return queryClient.invalidateQueries({ queryKey: ['telehealth', 'enrolments', patientId] });
    },
  });
  const save = (next: CarePlan, done: string): void => saving.mutate({ next, done });
  const status = plan.status;
  return (
    <>
      {changed && <Notice title={changed} />}
      {patient.data && <PatientDetails patient={patient.data} />}
      <p className="nhsuk-body">
        <a href={`/patients/${patientId}`}>Back to the patient’s record</a>
      </p>
      {saving.error && (
        <ErrorMessage
          error={saving.error}
          title="The change was not saved"
          onRetry={() => void queryClient.invalidateQueries({ queryKey: carePlanQuery(plan.id!).queryKey })}
        />
      )}
      {enrolment ? (
        <EnrolmentStatus enrolment={enrolment} title={protocol.title} />
      ) : (
        <QueryStatus query={enrolments} what="the enrolment’s status" />
      )}
      <p className="nhsuk-body">
        <a href={`/telehealth/protocols/${protocol.id}`}>What the {protocol.title} protocol asks, and its rules</a>
      </p>
      {status !== 'active' && status !== 'on-hold' && (
        // A stopped plan stays as the record of what was done: starting again is a new enrolment.
        <p className="nhsuk-body">
          These texts have stopped. To start texts again,{' '}
          <a href={`/telehealth/enrol?patient=${encodeURIComponent(patientId)}`}>enrol the patient again</a>.
        </p>
      )}
      {(status === 'active' || status === 'on-hold') && !stopping && (
        <div className="nhsuk-button-group">
          {status === 'active' ? (
            <Button
              type="button"
              secondary
              disabled={saving.isPending}
              onClick={() => save({ ...plan, status: 'on-hold' }, 'Texts are paused')}
            >
              Pause texts
            </Button>
          ) : (
            <Button
              type="button"
              disabled={saving.isPending}
              onClick={() => save({ ...plan, status: 'active' }, 'Texts will start again at the next time')}
            >
              Resume texts
            </Button>
          )}
          <Button
            type="button"
            warning
            onClick={() => {
              onChanged(undefined);
              setStopping(true);
            }}
          >
            Stop texts
          </Button>
        </div>
      )}
      {stopping && (
        <StopForm
          busy={saving.isPending}
          onCancel={() => setStopping(false)}
          onStop={(stopped) => save({ ...plan, status: stopped }, 'Texts are stopped')}
        />
      )}
      {(status === 'active' || status === 'on-hold') && !stopping && (
        <ThresholdEditor
          plan={plan}
          protocol={protocol}
          busy={saving.isPending}
          onInvalid={() => onChanged(undefined)}
          onSave={(next) => save(next, 'The patient’s thresholds are saved')}
        />
      )}
    </>
  );
}

/** What the enrolment should become after the plan's last change (asked for until it has). */
function statusWanted(plan: CarePlan): { status?: string } {
  const status = plan.status ? BECOMES[plan.status] : undefined;
  return status ? { status } : {};
}
