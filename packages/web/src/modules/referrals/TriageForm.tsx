import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorSummary } from '../../components/ErrorSummary.tsx';
import { ErrorMessage, Loading } from '../../components/feedback.tsx';
import { previewLetter, REFERRALS_KEY, triage, type TriageDecision } from './api.ts';
import { Radios, TextArea } from './fields.tsx';
import type { Done } from './ReferralActions.tsx';
import { OUTCOME_REASONS } from './vocabulary.ts';

/**
 * Triage: accept, reject or return with advice, with a coded reason. The patient's plain-English
 * letter for the reason is previewed from the server (the same words it will send, H-206) before saving.
 */
export function TriageForm({ taskId, onDone }: { taskId: string; onDone: Done }) {
  const queryClient = useQueryClient();
  const [decision, setDecision] = useState('');
  const [reason, setReason] = useState('');
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const reasons = OUTCOME_REASONS.filter((r) => r.decision === decision);
  const letter = useQuery({
    queryKey: [...REFERRALS_KEY, 'letter', taskId, reason],
    queryFn: () => previewLetter(taskId, reason),
    enabled: !!reason && decision !== 'accept',
    staleTime: Infinity,
    retry: false,
  });
  const run = useMutation({
    mutationFn: (body: TriageDecision) => triage(taskId, body),
    onSuccess: async (_view, body) => {
      window.scrollTo(0, 0);
      if (body.decision === 'accept') {
        onDone({ title: 'Accepted: the referral is awaiting booking' });
        await queryClient.invalidateQueries({ queryKey: REFERRALS_KEY });
      } else {
        onDone({
          title: body.decision === 'reject' ? 'Referral rejected' : 'Referral returned with advice',
          letter: letter.data?.letter ?? '',
        });
        await queryClient.invalidateQueries({ queryKey: [...REFERRALS_KEY, 'worklist'] });
      }
    },
  });
  const submit = () => {
    const found: Record<string, string> = {};
    if (!decision) {
      found['decision-accept'] = 'Choose a decision';
    } else if (decision !== 'accept' && !reason) {
      found[`reason-${reasons[0]!.code}`] = 'Choose the reason';
    }
    if (decision === 'reject' && text.trim().length < 5) {
      found['triage-text'] = 'Enter why, for the referrer';
    }
    if (decision === 'return' && text.trim().length < 10) {
      found['triage-text'] = 'Enter your advice for the referrer, in at least 10 characters';
    }
    setProblems(found);
    if (Object.keys(found).length) {
      return;
    }
    run.mutate(
      decision === 'accept'
        ? { decision: 'accept', ...(text.trim() ? { note: text.trim() } : {}) }
        : decision === 'reject'
          ? { decision: 'reject', reason, note: text.trim() }
          : { decision: 'return', reason, advice: text.trim() },
    );
  };
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <h3 className="nhsuk-heading-s">Triage</h3>
      <ErrorSummary errors={problems} id="triage-errors" focusOnShow />
      {run.error && <ErrorMessage title="The decision was not saved" error={run.error} />}
      <Radios
        name="decision"
        label="Decision"
        error={problems['decision-accept']}
        value={decision}
        onChange={(value) => {
          setDecision(value);
          setReason('');
        }}
        options={[
          { value: 'accept', label: 'Accept', hint: 'The referral goes on to booking' },
          { value: 'reject', label: 'Reject', hint: 'The referrer is told why; the patient gets a letter' },
          { value: 'return', label: 'Return with advice', hint: 'Advice for the GP; the patient gets a letter' },
        ]}
      />
      {reasons.length > 0 && (
        <Radios
          name="reason"
          label="Reason"
          error={problems[`reason-${reasons[0]!.code}`]}
          value={reason}
          onChange={setReason}
          options={reasons.map((r) => ({ value: r.code, label: r.name }))}
        />
      )}
      {decision && (
        <TextArea
          id="triage-text"
          label={
            decision === 'return'
              ? 'Advice for the referrer'
              : decision === 'reject'
                ? 'Why, for the referrer'
                : 'Note (optional)'
          }
          hint={
            decision === 'accept' ? undefined : 'The referrer reads this; the patient’s letter does not include it.'
          }
          error={problems['triage-text']}
          value={text}
          onChange={setText}
          rows={4}
        />
      )}
      {reason && letter.status === 'pending' && <Loading what="the patient’s letter" />}
      {letter.error && <ErrorMessage title="The letter could not be previewed" error={letter.error} />}
      {letter.data && (
        <>
          <h4 className="nhsuk-heading-xs">The letter the patient will be sent</h4>
          <div className="nhsuk-inset-text cw-letter" data-testid="letter-preview">
            {letter.data.letter}
          </div>
        </>
      )}
      <button type="submit" className="nhsuk-button nhsuk-u-margin-bottom-0" disabled={run.isPending}>
        Save decision
      </button>
    </form>
  );
}
