import { Button, Textarea } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.ts';
import { ErrorMessage } from './feedback.tsx';

export const MIN_REASON = 10;

/**
 * Says that part of the record is not shared with the viewer's organisation, without saying
 * what, and offers emergency access (break-glass) to staff.
 */
export function WithheldNotice({
  patientId,
  onUnlocked,
  wholeRecord = false,
}: {
  patientId: string;
  onUnlocked: () => void;
  wholeRecord?: boolean;
}) {
  const session = useSession();
  return (
    <div className="nhsuk-warning-callout" role="region" aria-labelledby="withheld-heading">
      <h2 className="nhsuk-warning-callout__label" id="withheld-heading">
        <span role="text">
          <span className="nhsuk-u-visually-hidden">Important: </span>
          Some information is not shared with your organisation
        </span>
      </h2>
      <p>
        {wholeRecord
          ? 'This patient’s record is not shared with your organisation, or you do not have a care relationship with them.'
          : 'Parts of this record are held by other organisations and are not shared with your organisation. What you see here may be incomplete.'}
      </p>
      {session?.kind === 'staff' && <BreakGlass patientId={patientId} onUnlocked={onUnlocked} />}
    </div>
  );
}

function BreakGlass({ patientId, onUnlocked }: { patientId: string; onUnlocked: () => void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setFailure(undefined);
    const why = reason.trim();
    if (why.length < MIN_REASON) {
      setProblem(
        why.length === 0
          ? 'Enter the reason you need emergency access'
          : `The reason must be at least ${MIN_REASON} characters (you entered ${why.length})`,
      );
      return;
    }
    setProblem(undefined);
    setBusy(true);
    try {
      await api('/api/access/break-glass', { method: 'POST', body: { patientId, reason: why } });
      onUnlocked();
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="nhsuk-details nhsuk-u-margin-bottom-0" id="break-glass">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">Get emergency access (break-glass)</span>
      </summary>
      <div className="nhsuk-details__text">
        <p>
          Only do this if the patient needs care now and you cannot get their consent. Access lasts 4 hours. Your name,
          your reason and everything you look at are recorded, your privacy officer is told, and the patient can see it.
        </p>
        {failure && <ErrorMessage error={failure} title="Emergency access was not given" />}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Textarea
            id="break-glass-reason"
            name="reason"
            label="Why do you need emergency access?"
            hint={`At least ${MIN_REASON} characters, for example: "Unconscious in A&E, need medication history"`}
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={problem}
          />
          <Button type="submit" warning disabled={busy}>
            Get emergency access
          </Button>
        </form>
      </div>
    </details>
  );
}
