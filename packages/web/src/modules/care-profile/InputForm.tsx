import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../../components/feedback.tsx';
import { recordInput, type Cpr, type InputKind } from './api.ts';

const KINDS: { kind: InputKind; label: string; hint: string }[] = [
  { kind: 'what-matters', label: 'What matters to me', hint: 'In the person’s own words' },
  { kind: 'communication', label: 'Communication need', hint: 'For example: uses BSL, needs an interpreter' },
  { kind: 'end-of-life', label: 'Anticipatory care or end-of-life wish', hint: 'For example: preferred place of care' },
  { kind: 'respect', label: 'ReSPECT form', hint: 'The form’s recommendations, as agreed with the person' },
];

/**
 * What a clinician adds to the profile (a Goal or Flag in the record; the profile follows). Each
 * entry is recorded on its own; a new ReSPECT form replaces the last one on the profile.
 */
export function InputForm({ patientId, onRecorded }: { patientId: string; onRecorded: () => void }) {
  const [kind, setKind] = useState<InputKind>('what-matters');
  const [cpr, setCpr] = useState<Cpr | ''>('');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const save = useMutation({
    mutationFn: () =>
      recordInput(
        patientId,
        kind === 'respect' ? { kind, cpr: cpr as Cpr, text: text.trim() } : { kind, text: text.trim() },
      ),
    onSuccess: () => {
      setText('');
      setCpr('');
      onRecorded();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = !text.trim()
      ? 'Enter what to record'
      : kind === 'respect' && !cpr
        ? 'Choose the CPR recommendation on the form'
        : undefined;
    setProblem(found);
    if (!found) {
      save.mutate();
    }
  };
  const chosen = KINDS.find((k) => k.kind === kind)!;
  return (
    <form className="cw-no-print" onSubmit={submit} noValidate aria-labelledby="cw-input-heading">
      <h2 className="nhsuk-heading-m" id="cw-input-heading">
        Add to the profile
      </h2>
      {save.isError && <ErrorMessage title="It was not recorded" error={save.error} />}
      {save.isSuccess && (
        <p className="nhsuk-body" role="status">
          Recorded. The profile will show it in a moment.
        </p>
      )}
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="cw-input-kind">
          What are you recording?
        </label>
        <select
          className="nhsuk-select"
          id="cw-input-kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as InputKind)}
        >
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      {kind === 'respect' && (
        <div className={`nhsuk-form-group${problem && !cpr ? ' nhsuk-form-group--error' : ''}`}>
          <fieldset className="nhsuk-fieldset">
            <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">CPR recommendation on the form</legend>
            <div className="nhsuk-radios">
              {(
                [
                  ['cpr-not-attempted', 'CPR not to be attempted (DNACPR)'],
                  ['cpr-attempted', 'CPR to be attempted'],
                ] as const
              ).map(([value, label]) => (
                <div className="nhsuk-radios__item" key={value}>
                  <input
                    className="nhsuk-radios__input"
                    id={`cw-cpr-${value}`}
                    type="radio"
                    name="cpr"
                    value={value}
                    checked={cpr === value}
                    onChange={() => setCpr(value)}
                  />
                  <label className="nhsuk-label nhsuk-radios__label" htmlFor={`cw-cpr-${value}`}>
                    {label}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
      )}
      <div className={`nhsuk-form-group${problem && !text.trim() ? ' nhsuk-form-group--error' : ''}`}>
        <label className="nhsuk-label" htmlFor="cw-input-text">
          {chosen.label}
        </label>
        <div className="nhsuk-hint" id="cw-input-hint">
          {chosen.hint}
        </div>
        {problem && (
          <span className="nhsuk-error-message" id="cw-input-error">
            <span className="nhsuk-u-visually-hidden">Error:</span> {problem}
          </span>
        )}
        <textarea
          className={`nhsuk-textarea${problem && !text.trim() ? ' nhsuk-textarea--error' : ''}`}
          id="cw-input-text"
          rows={3}
          value={text}
          aria-describedby={`cw-input-hint${problem ? ' cw-input-error' : ''}`}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <button type="submit" className="nhsuk-button" disabled={save.isPending}>
        Record it
      </button>
    </form>
  );
}
