import { Button, Textarea } from 'nhsuk-react-components';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorMessage } from './feedback.tsx';

/** The shortest reason the server accepts for emergency access or a declared relationship. */
export const MIN_REASON = 10;

/** Why a reason is not good enough, or undefined when it is. */
export function reasonProblem(reason: string, missing: string): string | undefined {
  const length = reason.trim().length;
  if (length === 0) {
    return missing;
  }
  return length < MIN_REASON
    ? `The reason must be at least ${MIN_REASON} characters (you entered ${length})`
    : undefined;
}

/**
 * A stated reason and one button: the form behind emergency access and a declared care
 * relationship. Checks the length first (NHS.UK error summary and message), then calls `onSubmit`
 * with the trimmed reason and shows its failure, if any, under `failureTitle`.
 */
export function ReasonForm({
  id,
  label,
  hint,
  missing,
  submitLabel,
  failureTitle,
  warning = false,
  onSubmit,
}: {
  id: string;
  label: string;
  hint: string;
  /** The message when nothing was entered: "Enter …". */
  missing: string;
  submitLabel: string;
  failureTitle: string;
  warning?: boolean;
  onSubmit: (reason: string) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (problem) {
      summary.current?.focus();
    }
  }, [problem, attempt]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setFailure(undefined);
    const found = reasonProblem(reason, missing);
    setProblem(found);
    setAttempt((n) => n + 1);
    if (found) {
      return;
    }
    setBusy(true);
    try {
      await onSubmit(reason.trim());
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {problem && (
        <div
          className="nhsuk-error-summary"
          aria-labelledby={`${id}-error-title`}
          role="alert"
          tabIndex={-1}
          ref={summary}
        >
          <h3 className="nhsuk-error-summary__title" id={`${id}-error-title`}>
            There is a problem
          </h3>
          <div className="nhsuk-error-summary__body">
            <ul className="nhsuk-list nhsuk-error-summary__list">
              <li>
                <a href={`#${id}`} data-external="">
                  {problem}
                </a>
              </li>
            </ul>
          </div>
        </div>
      )}
      {failure && <ErrorMessage error={failure} title={failureTitle} />}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Textarea
          id={id}
          name="reason"
          label={label}
          hint={hint}
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={problem}
        />
        <Button type="submit" warning={warning} disabled={busy}>
          {submitLabel}
        </Button>
      </form>
    </>
  );
}
