import type { MedicationRequest, Patient } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Textarea } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { FHIR_BASE, api, parameters } from '../../../api/client.ts';
import { organisationName } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { bannerName, nhsNumberOf, refId, resourceTitle } from '../../../lib/fhir-display.ts';
import { formatNhsNumber } from '../../../lib/nhs-number.ts';
import { loadQueue, QUEUE_KEY } from '../repeat-queue.ts';
import { LatestReadings } from '../LatestReadings.tsx';
import { Link } from 'react-router';

/** Practice staff: patients' repeat prescription requests waiting for a decision. */
export default function RepeatQueue() {
  const session = useSession();
  const organisationId = session?.kind === 'staff' ? session.organizationId : undefined;
  const [done, setDone] = useState<string>();
  const queryClient = useQueryClient();
  const queue = useQuery({ queryKey: [...QUEUE_KEY, organisationId], queryFn: () => loadQueue(organisationId) });

  return (
    <>
      <PageTitle
        caption={organisationId ? organisationName(organisationId) : undefined}
        title="Repeat prescription requests"
      >
        Repeat prescription requests
      </PageTitle>
      {done && <Notice title={done} />}
      <QueryStatus query={queue} what="requests" />
      {queue.status === 'success' &&
        (queue.data.requests.length === 0 ? (
          <Empty>There are no repeat prescription requests waiting.</Empty>
        ) : (
          <>
            <p className="nhsuk-body">
              {queue.data.requests.length} {queue.data.requests.length === 1 ? 'request is' : 'requests are'} waiting,
              oldest first.
            </p>
            <ul className="nhsuk-list">
              {queue.data.requests.map((request) => (
                <Request
                  key={request.id}
                  request={request}
                  patient={queue.data.patients.get(refId(request.subject, 'Patient') ?? '')}
                  onDone={(message) => {
                    setDone(message);
                    void queryClient.invalidateQueries({ queryKey: QUEUE_KEY });
                  }}
                />
              ))}
            </ul>
          </>
        ))}
    </>
  );
}

function Request({
  request,
  patient,
  onDone,
}: {
  request: MedicationRequest;
  patient?: Patient;
  onDone: (message: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const medicine = resourceTitle(request);
  const who = patient ? bannerName(patient.name) : 'Patient';
  const nhs = nhsNumberOf(patient);
  const patientId = refId(request.subject, 'Patient');
  const decision = useMutation({
    mutationFn: ({ operation, body }: { operation: '$approve' | '$reject'; body: object; message: string }) =>
      api(`${FHIR_BASE}/MedicationRequest/${request.id}/${operation}`, { method: 'POST', body }),
    onSuccess: (_answer, { message }) => onDone(message),
  });
  const act = (operation: '$approve' | '$reject', body: object, message: string): void =>
    decision.mutate({ operation, body, message });
  const busy = decision.isPending;
  const failure = decision.error;

  const reject = (event: FormEvent): void => {
    event.preventDefault();
    if (!reason.trim()) {
      setProblem('Enter a reason the patient will understand');
      return;
    }
    setProblem(undefined);
    act(
      '$reject',
      parameters({ reason: reason.trim() }),
      `Request for ${medicine} rejected. ${who} can see your reason.`,
    );
  };

  const requester = request.requester?.reference?.startsWith('RelatedPerson/') ? 'their carer' : 'the patient';
  return (
    <li className="nhsuk-card nhsuk-u-margin-bottom-4">
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading nhsuk-heading-s">
          {medicine} for {who}
        </h2>
        {patientId && (
          <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">
            <Link to={`/patients/${encodeURIComponent(patientId)}`}>Open {who}’s record</Link>
          </p>
        )}
        <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">
          {nhs ? `NHS number ${formatNhsNumber(nhs)} · ` : ''}Ordered by {requester} on{' '}
          {formatDateTime(request.authoredOn)}
        </p>
        <p className="nhsuk-body">{request.dosageInstruction?.[0]?.text ?? 'No dosage instructions'}</p>
        {patientId && <LatestReadings patientId={patientId} />}
        {request.note?.[0]?.text && (
          <p className="nhsuk-body">
            Note from {requester}: “{request.note[0].text}”
          </p>
        )}
        {failure && <ErrorMessage error={failure} />}
        <div className="nhsuk-button-group">
          <Button
            type="button"
            disabled={busy}
            onClick={() => act('$approve', parameters({}), `Request for ${medicine} approved for ${who}.`)}
            aria-label={`Approve ${medicine} for ${who}`}
          >
            Approve
          </Button>
        </div>
        <details className="nhsuk-details nhsuk-u-margin-bottom-0">
          <summary className="nhsuk-details__summary">
            <span className="nhsuk-details__summary-text">Reject this request</span>
          </summary>
          <div className="nhsuk-details__text">
            <form onSubmit={reject} noValidate>
              <Textarea
                id={`reject-${request.id}`}
                label="Reason (the patient will see this)"
                rows={2}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                error={problem}
              />
              <Button type="submit" secondary disabled={busy}>
                Reject request
              </Button>
            </form>
          </div>
        </details>
      </div>
    </li>
  );
}
