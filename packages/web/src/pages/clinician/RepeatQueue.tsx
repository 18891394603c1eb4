import type { MedicationRequest, Patient } from '@medplum/fhirtypes';
import { Button, Textarea } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { FHIR_BASE, api, parameters, searchAll } from '../../api/client.ts';
import { organisationName, resolveOrganisations } from '../../api/record.ts';
import { useSession } from '../../auth/session.ts';
import { useAsync } from '../../components/async.ts';
import { Empty, ErrorMessage, Loading, Notice } from '../../components/feedback.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { bannerName, nhsNumberOf, refId, resourceTitle } from '../../lib/fhir-display.ts';
import { formatNhsNumber } from '../../lib/nhs-number.ts';

/** Practice staff: patients' repeat prescription requests waiting for a decision. */
export function RepeatQueue() {
  const session = useSession();
  const organisationId = session?.kind === 'staff' ? session.organizationId : undefined;
  const [done, setDone] = useState<string>();
  const queue = useAsync(async () => {
    const { resources, included } = await searchAll<MedicationRequest>(
      'MedicationRequest',
      {
        intent: 'proposal',
        status: 'active',
        _include: 'MedicationRequest:subject',
        _sort: 'authoredon',
        _count: '200',
      },
      { maxPages: 5 },
    );
    const patients = new Map(included.filter((r): r is Patient => r.resourceType === 'Patient').map((p) => [p.id!, p]));
    if (organisationId) {
      await resolveOrganisations([organisationId]);
    }
    const mine = resources.filter((r) => {
      if (!organisationId) {
        return true;
      }
      const source = refId(r.meta?.source, 'Organization');
      const practice = refId(patients.get(refId(r.subject, 'Patient') ?? '')?.generalPractitioner?.[0], 'Organization');
      return (source ?? practice) === organisationId;
    });
    return { requests: mine, patients };
  }, [organisationId]);

  return (
    <>
      <PageTitle
        caption={organisationId ? organisationName(organisationId) : undefined}
        title="Repeat prescription requests"
      >
        Repeat prescription requests
      </PageTitle>
      {done && <Notice title={done} />}
      {queue.status === 'loading' && <Loading what="requests" />}
      {queue.status === 'error' && <ErrorMessage error={queue.error} onRetry={queue.reload} />}
      {queue.status === 'ready' &&
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
                    queue.reload();
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
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const medicine = resourceTitle(request);
  const who = patient ? bannerName(patient.name) : 'Patient';
  const nhs = nhsNumberOf(patient);

  const act = async (operation: '$approve' | '$reject', body: object, message: string): Promise<void> => {
    setBusy(true);
    setFailure(undefined);
    try {
      await api(`${FHIR_BASE}/MedicationRequest/${request.id}/${operation}`, { method: 'POST', body });
      onDone(message);
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  const reject = (event: FormEvent): void => {
    event.preventDefault();
    if (!reason.trim()) {
      setProblem('Enter a reason the patient will understand');
      return;
    }
    setProblem(undefined);
    void act(
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
        <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">
          {nhs ? `NHS number ${formatNhsNumber(nhs)} · ` : ''}Ordered by {requester} on{' '}
          {formatDateTime(request.authoredOn)}
        </p>
        <p className="nhsuk-body">{request.dosageInstruction?.[0]?.text ?? 'No dosage instructions'}</p>
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
            onClick={() => void act('$approve', parameters({}), `Request for ${medicine} approved for ${who}.`)}
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
