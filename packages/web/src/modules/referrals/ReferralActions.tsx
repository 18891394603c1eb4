import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ErrorSummary } from '../../components/ErrorSummary.tsx';
import { ErrorMessage } from '../../components/feedback.tsx';
import { acknowledge, attendance, book, discharge, idOf, REFERRALS_KEY, type ReferralView } from './api.ts';
import { Radios, TextArea } from './fields.tsx';
import { SlotChoice } from './SlotChoice.tsx';
import { TriageForm } from './TriageForm.tsx';
import { actionsFor, statusName } from './vocabulary.ts';

export type Done = (result: { title: string; letter?: string }) => void;

/** The actions the referral's status allows; the server refuses anyone who may not, and that is shown. */
export function ReferralActions({
  view,
  onDone,
  side,
}: {
  view: ReferralView;
  onDone: Done;
  side: 'referrer' | 'provider';
}) {
  const actions = actionsFor(view.businessStatus, view.status, side);
  const taskId = idOf(view.task);
  if (!actions.length || (!taskId && !actions.includes('acknowledge'))) {
    return null;
  }
  return (
    <section className="nhsuk-card" aria-labelledby="actions-heading">
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-heading-m" id="actions-heading">
          What to do next
        </h2>
        {actions.includes('triage') && <TriageForm taskId={taskId} onDone={onDone} />}
        {actions.includes('book') && <BookForm view={view} taskId={taskId} onDone={onDone} />}
        {actions.includes('attendance') && <AttendanceForm taskId={taskId} onDone={onDone} />}
        {actions.includes('discharge') && <DischargeForm taskId={taskId} onDone={onDone} />}
        {actions.includes('acknowledge') && <AcknowledgeForm view={view} onDone={onDone} />}
      </div>
    </section>
  );
}

/** A mutation that refreshes the module's data and reports what happened. */
function useAction<T>(
  run: (input: T) => Promise<ReferralView & { slotIssue?: boolean; bookingProblem?: string }>,
  onDone: Done,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async (result) => {
      onDone({
        title: result.bookingProblem
          ? result.bookingProblem
          : result.slotIssue
            ? 'No appointment inside the booking window: the referral is on the slot issues list'
            : `Saved: ${statusName(result.businessStatus ?? result.status)}`,
      });
      window.scrollTo(0, 0);
      await queryClient.invalidateQueries({ queryKey: REFERRALS_KEY });
    },
  });
}

function ActionForm({
  title,
  button,
  error,
  problems,
  pending,
  onSubmit,
  children,
}: {
  title: string;
  button: string;
  error: Error | null;
  problems: Record<string, string>;
  pending: boolean;
  onSubmit: () => void;
  children?: ReactNode;
}) {
  return (
    <form
      noValidate
      className="nhsuk-u-margin-bottom-4"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <h3 className="nhsuk-heading-s">{title}</h3>
      <ErrorSummary errors={problems} id={`errors-${button.replace(/\W+/g, '-').toLowerCase()}`} focusOnShow />
      {error && <ErrorMessage title="That was not saved" error={error} />}
      {children}
      <button type="submit" className="nhsuk-button nhsuk-u-margin-bottom-0" disabled={pending}>
        {button}
      </button>
    </form>
  );
}

function BookForm({ view, taskId, onDone }: { view: ReferralView; taskId: string; onDone: Done }) {
  const [slotId, setSlotId] = useState('');
  const run = useAction(() => book(taskId, slotId || undefined), onDone);
  return (
    <ActionForm
      title="Book the appointment"
      button="Book appointment"
      error={run.error}
      problems={{}}
      pending={run.isPending}
      onSubmit={() => run.mutate(undefined)}
    >
      {view.service?.id && (
        <SlotChoice serviceId={view.service.id} priority={view.priority} value={slotId} onChange={setSlotId} />
      )}
    </ActionForm>
  );
}

function AttendanceForm({ taskId, onDone }: { taskId: string; onDone: Done }) {
  const [outcome, setOutcome] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const run = useAction((value: 'attended' | 'did-not-attend') => attendance(taskId, value), onDone);
  return (
    <ActionForm
      title="Record attendance"
      button="Save attendance"
      error={run.error}
      problems={problems}
      pending={run.isPending}
      onSubmit={() => {
        setProblems(outcome ? {} : { 'outcome-attended': 'Choose whether the patient came' });
        if (outcome) {
          run.mutate(outcome as 'attended' | 'did-not-attend');
        }
      }}
    >
      <Radios
        name="outcome"
        label="Did the patient come to the appointment?"
        error={problems['outcome-attended']}
        value={outcome}
        onChange={setOutcome}
        inline
        options={[
          { value: 'attended', label: 'Attended' },
          { value: 'did-not-attend', label: 'Did not attend' },
        ]}
      />
    </ActionForm>
  );
}

function DischargeForm({ taskId, onDone }: { taskId: string; onDone: Done }) {
  const [summary, setSummary] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const run = useAction((text: string) => discharge(taskId, text), onDone);
  return (
    <ActionForm
      title="Discharge to the referrer"
      button="Discharge"
      error={run.error}
      problems={problems}
      pending={run.isPending}
      onSubmit={() => {
        const ok = summary.trim().length >= 5;
        setProblems(ok ? {} : { 'discharge-summary': 'Enter a discharge summary for the referrer' });
        if (ok) {
          run.mutate(summary.trim());
        }
      }}
    >
      <TextArea
        id="discharge-summary"
        label="Discharge summary"
        hint="The referrer reads this."
        error={problems['discharge-summary']}
        value={summary}
        onChange={setSummary}
      />
    </ActionForm>
  );
}

function AcknowledgeForm({ view, onDone }: { view: ReferralView; onDone: Done }) {
  const [action, setAction] = useState('');
  const [note, setNote] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const id = idOf(view.serviceRequest);
  const run = useAction(
    (value: 'close' | 'revise') => acknowledge(id, { action: value, ...(note.trim() ? { note: note.trim() } : {}) }),
    onDone,
  );
  return (
    <ActionForm
      title="Act on the rejected or returned referral"
      button="Save"
      error={run.error}
      problems={problems}
      pending={run.isPending}
      onSubmit={() => {
        setProblems(action ? {} : { 'acknowledge-close': 'Choose what to do with the referral' });
        if (action) {
          run.mutate(action as 'close' | 'revise');
        }
      }}
    >
      <Radios
        name="acknowledge"
        label="What do you want to do?"
        error={problems['acknowledge-close']}
        value={action}
        onChange={setAction}
        options={[
          { value: 'close', label: 'Close the referral', hint: 'The advice is followed; no referral now' },
          { value: 'revise', label: 'Revise and send again', hint: 'Back to a draft: choose a service again' },
        ]}
      />
      <TextArea id="acknowledge-note" label="Note (optional)" value={note} onChange={setNote} />
    </ActionForm>
  );
}
