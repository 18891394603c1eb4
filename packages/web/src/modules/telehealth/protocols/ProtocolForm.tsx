import { Textarea, TextInput } from 'nhsuk-react-components';
import { Fragment, type ReactNode } from 'react';
import type { Protocol } from './api.ts';
import { describeExpecting, LEVEL_NAME, MEASURES } from './describe.ts';
import { boundOf, FIELD, measureName, type EditorErrors, type EditorForm } from './editor.ts';

const BOUND_WORDS = { below: 'below', atLeast: 'at or above', equals: 'exactly' } as const;

/**
 * The protocol's editable fields, section by section as the protocol page shows them. What a rule
 * measures, and whether it is "below" or "at or above", is shown but not changed here: the reviewing
 * clinician sees a threshold move, never a rule turn into another.
 */
export function ProtocolForm({
  protocol,
  form,
  errors,
  onChange,
}: {
  protocol: Protocol;
  form: EditorForm;
  errors: EditorErrors;
  onChange: (form: EditorForm) => void;
}) {
  const set = <K extends keyof EditorForm>(key: K, value: EditorForm[K]): void => onChange({ ...form, [key]: value });
  return (
    <>
      <h2 className="nhsuk-heading-m">About the protocol</h2>
      <TextInput
        id={FIELD.title}
        name="title"
        label="Title"
        value={form.title}
        onChange={(e) => set('title', e.target.value)}
        error={errors[FIELD.title]}
      />
      <Textarea
        id={FIELD.purpose}
        name="purpose"
        label="Who it is for"
        hint="In words a colleague choosing a protocol for a patient understands."
        rows={3}
        value={form.purpose}
        onChange={(e) => set('purpose', e.target.value)}
        error={errors[FIELD.purpose]}
      />

      <h2 className="nhsuk-heading-m">What it asks and when</h2>
      {protocol.prompts.map((prompt, i) => (
        <Textarea
          key={prompt.id}
          id={FIELD.prompt(i)}
          name={FIELD.prompt(i)}
          label={`Question ${i + 1}${i === 0 ? ', sent at each time' : ', sent after the reply'}`}
          hint={`Expects ${describeExpecting(prompt.expecting)}. At most 306 characters (two text messages).`}
          rows={3}
          value={form.prompts[i]}
          onChange={(e) =>
            set(
              'prompts',
              form.prompts.map((text, j) => (j === i ? e.target.value : text)),
            )
          }
          error={errors[FIELD.prompt(i)]}
        />
      ))}
      <TextInput
        id={FIELD.times}
        name="times"
        label="Times to send the first question (UK time)"
        hint="On the 24-hour clock, separated by commas, for example 08:00, 20:00. Up to 6 a day."
        autoComplete="off"
        value={form.times}
        onChange={(e) => set('times', e.target.value)}
        error={errors[FIELD.times]}
      />

      <h2 className="nhsuk-heading-m">Levels</h2>
      <p className="nhsuk-body">
        Red rules are read first: a reading is red if any red rule matches, otherwise amber if any amber rule matches,
        otherwise green. What each rule measures cannot be changed here.
      </p>
      {protocol.levels.map((rule, i) => {
        const fields = form.levels[i]!;
        const setRule = (change: Partial<typeof fields>): void =>
          set(
            'levels',
            form.levels.map((r, j) => (j === i ? { ...r, ...change } : r)),
          );
        const unit = MEASURES[rule.measure].unit;
        return (
          <Fragment key={i}>
            {i > 0 && <hr className="nhsuk-section-break nhsuk-section-break--m nhsuk-section-break--visible" />}
            <fieldset className="nhsuk-fieldset nhsuk-u-margin-bottom-5">
              <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
                Rule {i + 1}: {measureName(rule)}
              </legend>
              <FormGroup id={FIELD.ruleLevel(i)} label="Level" error={errors[FIELD.ruleLevel(i)]}>
                {(describedBy) => (
                  <select
                    className="nhsuk-select"
                    id={FIELD.ruleLevel(i)}
                    name={FIELD.ruleLevel(i)}
                    aria-describedby={describedBy}
                    value={fields.level}
                    onChange={(e) => setRule({ level: e.target.value as 'amber' | 'red' })}
                  >
                    <option value="amber">{LEVEL_NAME.amber}</option>
                    <option value="red">{LEVEL_NAME.red}</option>
                  </select>
                )}
              </FormGroup>
              {rule.measure === 'answer' ? (
                <FormGroup id={FIELD.ruleValue(i)} label="When the answer is" error={errors[FIELD.ruleValue(i)]}>
                  {(describedBy) => (
                    <select
                      className="nhsuk-select"
                      id={FIELD.ruleValue(i)}
                      name={FIELD.ruleValue(i)}
                      aria-describedby={describedBy}
                      value={fields.value}
                      onChange={(e) => setRule({ value: e.target.value })}
                    >
                      <option value="1">Yes</option>
                      <option value="0">No</option>
                    </select>
                  )}
                </FormGroup>
              ) : (
                <TextInput
                  id={FIELD.ruleValue(i)}
                  name={FIELD.ruleValue(i)}
                  label={`Threshold: ${LEVEL_NAME[fields.level].toLowerCase()} if ${BOUND_WORDS[boundOf(rule)]}`}
                  hint={unit ? `In ${unit}.` : undefined}
                  inputMode="decimal"
                  width={4}
                  autoComplete="off"
                  value={fields.value}
                  onChange={(e) => setRule({ value: e.target.value })}
                  error={errors[FIELD.ruleValue(i)]}
                />
              )}
              <TextInput
                id={FIELD.ruleReason(i)}
                name={FIELD.ruleReason(i)}
                label="Reason"
                hint="Shown to the team in the alert and the record. Keep it in step with the threshold."
                value={fields.reason}
                onChange={(e) => setRule({ reason: e.target.value })}
                error={errors[FIELD.ruleReason(i)]}
              />
            </fieldset>
          </Fragment>
        );
      })}

      <h2 className="nhsuk-heading-m">Replies</h2>
      <p className="nhsuk-body">The text the patient gets straight after a reading, by its level.</p>
      {(['green', 'amber', 'red'] as const).map((level) => (
        <Textarea
          key={level}
          id={FIELD.reply(level)}
          name={FIELD.reply(level)}
          label={`Reply to a ${level} reading`}
          rows={level === 'green' ? 2 : 4}
          value={form.replies[level]}
          onChange={(e) => set('replies', { ...form.replies, [level]: e.target.value })}
          error={errors[FIELD.reply(level)]}
        />
      ))}

      <h2 className="nhsuk-heading-m">Alerts and missed readings</h2>
      <div className={`nhsuk-form-group${errors[FIELD.escalate] ? ' nhsuk-form-group--error' : ''}`}>
        <fieldset className="nhsuk-fieldset" aria-describedby="escalate-hint">
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Which readings alert the team?</legend>
          <div className="nhsuk-hint" id="escalate-hint">
            An alert in the inbox of the nurse who enrolled the patient, and a task for the team. Green readings are
            only recorded.
          </div>
          {errors[FIELD.escalate] && (
            <span className="nhsuk-error-message">
              <span className="nhsuk-u-visually-hidden">Error:</span> {errors[FIELD.escalate]}
            </span>
          )}
          <div className="nhsuk-checkboxes">
            {(['amber', 'red'] as const).map((level) => (
              <div className="nhsuk-checkboxes__item" key={level}>
                <input
                  className="nhsuk-checkboxes__input"
                  id={`escalate-${level}`}
                  name="escalate"
                  type="checkbox"
                  value={level}
                  checked={form.escalate[level]}
                  onChange={(e) => set('escalate', { ...form.escalate, [level]: e.target.checked })}
                />
                <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={`escalate-${level}`}>
                  {LEVEL_NAME[level]} readings
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      <fieldset className="nhsuk-fieldset">
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Missed readings</legend>
        <TextInput
          id={FIELD.remind}
          name="remind-after"
          label="Remind the patient after (minutes)"
          hint="0 for no reminder. Reminders are not sent yet."
          inputMode="numeric"
          width={4}
          autoComplete="off"
          value={form.remindAfterMinutes}
          onChange={(e) => set('remindAfterMinutes', e.target.value)}
          error={errors[FIELD.remind]}
        />
        <TextInput
          id={FIELD.misses}
          name="alert-after"
          label="Alert the team after this many missed texts in a row"
          hint="0 never to alert the team about missed readings."
          inputMode="numeric"
          width={4}
          autoComplete="off"
          value={form.alertAfterMisses}
          onChange={(e) => set('alertAfterMisses', e.target.value)}
          error={errors[FIELD.misses]}
        />
      </fieldset>
    </>
  );
}

/** A labelled form group around a control the design system's components do not have (a select). */
function FormGroup({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  children: (describedBy: string | undefined) => ReactNode;
}) {
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
      {children(error ? `${id}-error` : undefined)}
    </div>
  );
}
