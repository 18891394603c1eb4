import { Button } from 'nhsuk-react-components';
import { useRef, useState, type FormEvent } from 'react';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';

export type StopStatus = 'completed' | 'revoked';

const CHOICES: { value: StopStatus; label: string; hint: string }[] = [
  { value: 'completed', label: 'The monitoring is finished', hint: 'It did what it was for (recorded as completed).' },
  {
    value: 'revoked',
    label: 'Stop it early',
    hint: 'For example the patient no longer agrees, or it is no longer right for them (recorded as revoked).',
  },
];

/** Stopping, confirmed: why (completed or revoked), then a warning button. No texts are sent after it. */
export function StopForm({
  busy,
  onStop,
  onCancel,
}: {
  busy: boolean;
  onStop: (status: StopStatus) => void;
  onCancel: () => void;
}) {
  const [choice, setChoice] = useState<StopStatus>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const summary = useRef<HTMLDivElement>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!choice) {
      setErrors({ 'stop-completed': 'Choose why the texts are stopping' });
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    onStop(choice);
  };
  const error = errors['stop-completed'];
  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} ref={summary} />
      <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
        <fieldset className="nhsuk-fieldset" aria-describedby={error ? 'stop-error' : undefined}>
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
            <h2 className="nhsuk-fieldset__heading">Are you sure you want to stop the texts?</h2>
          </legend>
          {error && (
            <span className="nhsuk-error-message" id="stop-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {error}
            </span>
          )}
          <div className="nhsuk-radios">
            {CHOICES.map((c) => (
              <div className="nhsuk-radios__item" key={c.value}>
                <input
                  className="nhsuk-radios__input"
                  id={`stop-${c.value}`}
                  name="stop"
                  type="radio"
                  checked={choice === c.value}
                  aria-describedby={`stop-${c.value}-hint`}
                  onChange={() => setChoice(c.value)}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={`stop-${c.value}`}>
                  {c.label}
                </label>
                <div className="nhsuk-hint nhsuk-radios__hint" id={`stop-${c.value}-hint`}>
                  {c.hint}
                </div>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      <div className="nhsuk-button-group">
        <Button type="submit" warning disabled={busy}>
          Stop texts
        </Button>
        <Button type="button" secondary onClick={onCancel}>
          Keep the texts going
        </Button>
      </div>
    </form>
  );
}
