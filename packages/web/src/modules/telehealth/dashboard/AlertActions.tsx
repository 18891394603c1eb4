import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../../../components/feedback.tsx';
import {
  acknowledgeAlert,
  addAlertNote,
  closeAlert,
  recordCallBack,
  TELEHEALTH_KEY,
  type Alert,
  type CallOutcome,
} from './api.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';

type Problems = Record<string, string>;

type Action = 'note' | 'call' | 'close';
const OUTCOMES: { value: CallOutcome; label: string }[] = [
  { value: 'reached', label: 'Spoke to the patient' },
  { value: 'no-answer', label: 'No answer' },
  { value: 'left-message', label: 'Left a message' },
];

/**
 * What staff do with an alert: acknowledge it, add a note, record a call back, or close it (after
 * confirming: closing also ends the alert's flag on the patient's record). `onDone` gets a sentence
 * for the page's success banner.
 */
export function AlertActions({ alert, onDone }: { alert: Alert; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Action | undefined>();
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<CallOutcome | ''>('');
  const [problems, setProblems] = useState<Problems>({});
  const name = alert.patient.name;
  const run = useMutation({
    mutationFn: ({ fn }: { fn: () => Promise<Alert>; message: string }) => fn(),
    onSuccess: async (_answer, { message }) => {
      setAction(undefined);
      setText('');
      setOutcome('');
      onDone(message);
      await queryClient.invalidateQueries({ queryKey: TELEHEALTH_KEY });
    },
  });
  const choose = (next: Action | undefined): void => {
    setAction(next);
    setProblems({});
    run.reset();
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const found: Problems = {};
    if (action === 'note' && !text.trim()) {
      found[`note-${alert.id}`] = 'Enter a note';
    }
    if (action === 'call' && !outcome) {
      found[`outcome-${alert.id}-reached`] = 'Choose what happened on the call';
    }
    setProblems(found);
    if (Object.keys(found).length) {
      return;
    }
    if (action === 'note') {
      run.mutate({ fn: () => addAlertNote(alert.id, text), message: `Note added to the alert for ${name}.` });
    } else if (action === 'call' && outcome) {
      run.mutate({
        fn: () => recordCallBack(alert.id, outcome, text),
        message: `Call back to ${name} recorded in their record.`,
      });
    } else if (action === 'close') {
      run.mutate({ fn: () => closeAlert(alert.id, text), message: `Alert for ${name} closed.` });
    }
  };
  return (
    <div className="nhsuk-u-margin-top-3">
      {run.error && <ErrorMessage title="That did not work" error={run.error} />}
      {!action && (
        <div className="nhsuk-button-group">
          {alert.status === 'requested' && (
            <button
              type="button"
              className="nhsuk-button nhsuk-u-margin-bottom-2"
              disabled={run.isPending}
              onClick={() =>
                run.mutate({ fn: () => acknowledgeAlert(alert.id), message: `Alert for ${name} acknowledged.` })
              }
            >
              Acknowledge
            </button>
          )}
          <button
            type="button"
            className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-2"
            onClick={() => choose('note')}
          >
            Add a note
          </button>
          <button
            type="button"
            className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-2"
            onClick={() => choose('call')}
          >
            Record a call back
          </button>
          <button
            type="button"
            className="nhsuk-button nhsuk-button--warning nhsuk-u-margin-bottom-2"
            onClick={() => choose('close')}
          >
            Close alert
          </button>
        </div>
      )}
      {action && (
        <form onSubmit={submit} noValidate>
          <ErrorSummary id={`problems-${alert.id}`} errors={problems} focusOnShow />
          {action === 'close' && (
            <div className="nhsuk-warning-callout">
              <h3 className="nhsuk-warning-callout__label">
                <span role="text">
                  <span className="nhsuk-u-visually-hidden">Important: </span>Close this alert?
                </span>
              </h3>
              <p>
                The alert for {name} will be marked as done and its flag on their record ended. Only close it once the
                reading has been dealt with.
              </p>
            </div>
          )}
          {action === 'call' && (
            <CallOutcomes alert={alert} outcome={outcome} onChange={setOutcome} problems={problems} />
          )}
          <NoteField alert={alert} action={action} text={text} onChange={setText} problems={problems} />
          <div className="nhsuk-button-group">
            <button
              type="submit"
              className={`nhsuk-button nhsuk-u-margin-bottom-2${action === 'close' ? ' nhsuk-button--warning' : ''}`}
              disabled={run.isPending}
            >
              {action === 'note' ? 'Save note' : action === 'call' ? 'Save call back' : 'Yes, close this alert'}
            </button>
            <button
              type="button"
              className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-2"
              onClick={() => choose(undefined)}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function NoteField(props: {
  alert: Alert;
  action: Action;
  text: string;
  onChange: (text: string) => void;
  problems: Problems;
}) {
  const id = `note-${props.alert.id}`;
  const error = props.problems[id];
  const label =
    props.action === 'note'
      ? 'Note'
      : props.action === 'call'
        ? 'What was said (optional)'
        : 'Note on closing (optional)';
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      {error && (
        <span className="nhsuk-error-message" id={`${id}-error`}>
          <span className="nhsuk-u-visually-hidden">Error:</span> {error}
        </span>
      )}
      <textarea
        className={`nhsuk-textarea${error ? ' nhsuk-textarea--error' : ''}`}
        id={id}
        rows={3}
        maxLength={2000}
        value={props.text}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </div>
  );
}

function CallOutcomes(props: {
  alert: Alert;
  outcome: CallOutcome | '';
  onChange: (outcome: CallOutcome) => void;
  problems: Problems;
}) {
  const first = `outcome-${props.alert.id}-reached`;
  const error = props.problems[first];
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={error ? `${first}-error` : undefined}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">What happened on the call?</legend>
        {error && (
          <span className="nhsuk-error-message" id={`${first}-error`}>
            <span className="nhsuk-u-visually-hidden">Error:</span> {error}
          </span>
        )}
        <div className="nhsuk-radios nhsuk-radios--small">
          {OUTCOMES.map((option) => (
            <div className="nhsuk-radios__item" key={option.value}>
              <input
                className="nhsuk-radios__input"
                id={`outcome-${props.alert.id}-${option.value}`}
                name={`outcome-${props.alert.id}`}
                type="radio"
                checked={props.outcome === option.value}
                onChange={() => props.onChange(option.value)}
              />
              <label className="nhsuk-label nhsuk-radios__label" htmlFor={`outcome-${props.alert.id}-${option.value}`}>
                {option.label}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
