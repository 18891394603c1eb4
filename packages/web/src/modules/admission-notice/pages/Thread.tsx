import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDate, formatDateTime } from '../../../lib/dates.ts';
import { formatNhsNumber } from '../../../lib/nhs-number.ts';
import { completeFollowUp, EVENT_TEXT, THREAD_KEY, threadQuery, type AlertThread, type FollowUpStep } from '../api.ts';

/**
 * A hospital visit's admission alert thread (docs/ADMISSION-ALERTS.md, "The thread page"): who the
 * patient is, what happened in time order, the practice's follow-up checklist after discharge (with a
 * way to mark each step done) and who was told. Opened from the inbox; the server answers "not found"
 * for a visit the reader may not see, exactly as for one that does not exist.
 */
export default function Thread() {
  const { id, taskId } = useParams();
  const thread = useQuery(threadQuery(taskId ? { task: taskId } : { encounter: id ?? '' }));
  const [done, setDone] = useState<string | undefined>();
  const name = thread.data?.patient.name;
  return (
    <>
      <PageTitle caption="Admission alert" title={name ? `Hospital visit: ${name}` : 'Hospital visit'}>
        Hospital visit
      </PageTitle>
      {done && <Notice title={done} />}
      {thread.status === 'pending' && <Loading what="the admission alert" />}
      {thread.status === 'error' && (
        <ErrorMessage
          title="The admission alert could not be loaded"
          error={thread.error}
          onRetry={() => void thread.refetch()}
        />
      )}
      {thread.status === 'success' && <ThreadBody thread={thread.data} onDone={setDone} />}
    </>
  );
}

function ThreadBody({ thread, onDone }: { thread: AlertThread; onDone: (message: string) => void }) {
  const { patient, encounter } = thread;
  return (
    <>
      <section className="cw-banner" aria-label="Patient details">
        <h2 className="cw-banner__name nhsuk-heading-l">
          <a href={`/patients/${encodeURIComponent(patient.id)}`}>{patient.name}</a>
        </h2>
        <dl className="cw-banner__facts">
          <div>
            <dt>NHS number</dt>
            <dd className="cw-nhs-number">{patient.nhsNumber ? formatNhsNumber(patient.nhsNumber) : 'Not recorded'}</dd>
          </div>
          <div>
            <dt>Date of birth</dt>
            <dd>{patient.birthDate ? formatDate(patient.birthDate) : 'Not recorded'}</dd>
          </div>
          <div>
            <dt>Gender</dt>
            <dd>{patient.gender ? patient.gender[0]!.toUpperCase() + patient.gender.slice(1) : 'Not recorded'}</dd>
          </div>
          <div>
            <dt>Registered GP practice</dt>
            <dd>{patient.practice ?? 'Not known'}</dd>
          </div>
        </dl>
      </section>
      {encounter.cancelled && (
        <Notice kind="info" title="This visit was cancelled">
          <p className="nhsuk-body">The hospital has since cancelled or withdrawn this visit.</p>
        </Notice>
      )}
      <dl className="nhsuk-summary-list">
        <Row label="Hospital" value={encounter.hospital ?? 'Not known'} />
        <Row label={encounter.class === 'EMER' ? 'Arrived' : 'Admitted'} value={formatDateTime(encounter.start)} />
        {encounter.where && <Row label="Last known place" value={encounter.where} />}
        <Row
          label="Discharged"
          value={encounter.end ? formatDateTime(encounter.end) : encounter.cancelled ? '—' : 'Still in hospital'}
        />
      </dl>
      <h2 className="nhsuk-heading-m">What happened</h2>
      {thread.alerts.length === 0 ? (
        <p className="nhsuk-body">No alerts have been sent about this visit.</p>
      ) : (
        <ol className="nhsuk-list cw-timeline">
          {thread.alerts.map((alert) => (
            <li key={alert.id}>
              <h3 className="nhsuk-heading-xs nhsuk-u-margin-bottom-1">{EVENT_TEXT[alert.event] ?? alert.event}</h3>
              {alert.sent && (
                <p className="nhsuk-body-s nhsuk-u-secondary-text-color nhsuk-u-margin-bottom-1">
                  Alert sent {formatDateTime(alert.sent)}
                </p>
              )}
              <p className="nhsuk-body">{alert.text}</p>
            </li>
          ))}
        </ol>
      )}
      <h2 className="nhsuk-heading-m">Follow-up after discharge</h2>
      {thread.followUp.length === 0 ? (
        <p className="nhsuk-body">
          {encounter.end
            ? 'There is no follow-up checklist for this visit that you may see.'
            : 'The checklist starts when the patient is discharged from an inpatient stay.'}
        </p>
      ) : (
        <ResponsiveTable
          caption="The practice’s checklist after discharge"
          columns={stepColumns(onDone)}
          rows={thread.followUp}
          rowKey={(step) => step.id}
        />
      )}
      <h2 className="nhsuk-heading-m">Who was told</h2>
      {thread.told.length === 0 ? (
        <p className="nhsuk-body">No one you may know about.</p>
      ) : (
        <ul className="nhsuk-list nhsuk-list--bullet">
          {thread.told.map((person) => (
            <li key={person.reference}>
              {person.name}
              {person.kind === 'carer' ? ' (carer)' : ''}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{value}</dd>
    </div>
  );
}

const STATUS: Record<string, string> = {
  requested: 'To do',
  accepted: 'To do',
  'in-progress': 'In progress',
  completed: 'Done',
  cancelled: 'Cancelled',
};

function StatusCell({ step }: { step: FollowUpStep }) {
  if (step.status === 'completed') {
    return (
      <span className="nhsuk-u-display-inline-block">
        <strong className="nhsuk-tag nhsuk-tag--green">Done</strong>
        {step.completedAt && <span className="nhsuk-body-s"> {formatDateTime(step.completedAt)}</span>}
        {step.notes.map((note) => (
          <span key={note} className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">
            {note}
          </span>
        ))}
      </span>
    );
  }
  return (
    <span className="nhsuk-u-display-inline-block">
      {step.overdue ? (
        <strong className="nhsuk-tag nhsuk-tag--red">Overdue{step.escalated ? ': escalated' : ''}</strong>
      ) : (
        <strong className="nhsuk-tag nhsuk-tag--grey">{STATUS[step.status] ?? step.status}</strong>
      )}
    </span>
  );
}

function stepColumns(onDone: (message: string) => void): Column<FollowUpStep>[] {
  return [
    { key: 'step', header: 'Step', rowHeader: true, cell: (step) => step.description },
    { key: 'due', header: 'Due', cell: (step) => (step.due ? formatDateTime(step.due) : 'Not set') },
    { key: 'status', header: 'Status', cell: (step) => <StatusCell step={step} /> },
    { key: 'action', header: 'Action', cell: (step) => (step.open ? <Complete step={step} onDone={onDone} /> : '') },
  ];
}

/** "Mark as done" with an optional note; the server lets only the practice that owns the step. */
function Complete({ step, onDone }: { step: FollowUpStep; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const run = useMutation({
    mutationFn: () => completeFollowUp(step.id, note.trim()),
    onSuccess: async () => {
      setOpen(false);
      onDone(`“${step.description}” marked as done.`);
      window.scrollTo(0, 0);
      await queryClient.invalidateQueries({ queryKey: THREAD_KEY });
    },
  });
  if (!open) {
    return (
      <button
        type="button"
        className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
        onClick={() => setOpen(true)}
      >
        Mark as done<span className="nhsuk-u-visually-hidden">: {step.description}</span>
      </button>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate();
  };
  const fieldId = `note-${step.id}`;
  return (
    <form onSubmit={submit} noValidate>
      {run.error && <ErrorMessage title="The step was not marked as done" error={run.error} />}
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor={fieldId}>
          What was done (optional)
        </label>
        <textarea
          className="nhsuk-textarea"
          id={fieldId}
          name={fieldId}
          rows={2}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      <div className="nhsuk-button-group">
        <button
          type="submit"
          className="nhsuk-button nhsuk-button--small nhsuk-u-margin-bottom-0"
          disabled={run.isPending}
        >
          Confirm done<span className="nhsuk-u-visually-hidden">: {step.description}</span>
        </button>
        <button
          type="button"
          className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
          onClick={() => setOpen(false)}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
