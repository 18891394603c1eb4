import type { ReactNode } from 'react';

/**
 * NHS.UK form fields for the hub's forms: a label, an optional hint, the error message (linked from
 * the page's error summary by the field's id) and the control.
 */
interface FieldProps {
  id: string;
  label: ReactNode;
  hint?: string;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
}

function Group({ id, label, hint, error, children }: Omit<FieldProps, 'value' | 'onChange'> & { children: ReactNode }) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      {hint && (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <span className="nhsuk-error-message" id={`${id}-error`}>
          <span className="nhsuk-u-visually-hidden">Error:</span> {error}
        </span>
      )}
      {children}
    </div>
  );
}

const describedBy = ({ id, hint, error }: Pick<FieldProps, 'id' | 'hint' | 'error'>) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function TextArea(props: FieldProps & { rows?: number }) {
  return (
    <Group {...props}>
      <textarea
        className={`nhsuk-textarea${props.error ? ' nhsuk-textarea--error' : ''}`}
        id={props.id}
        name={props.id}
        rows={props.rows ?? 3}
        value={props.value}
        aria-describedby={describedBy(props)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </Group>
  );
}

export function TextInput(props: FieldProps & { type?: 'text' | 'date' | 'datetime-local'; width?: string }) {
  return (
    <Group {...props}>
      <input
        className={`nhsuk-input${props.width ? ` nhsuk-input--width-${props.width}` : ''}${props.error ? ' nhsuk-input--error' : ''}`}
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        aria-describedby={describedBy(props)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </Group>
  );
}

export function Select(props: FieldProps & { options: { value: string; label: string }[]; placeholder?: string }) {
  return (
    <Group {...props}>
      <select
        className={`nhsuk-select${props.error ? ' nhsuk-select--error' : ''}`}
        id={props.id}
        name={props.id}
        value={props.value}
        aria-describedby={describedBy(props)}
        onChange={(e) => props.onChange(e.target.value)}
      >
        <option value="">{props.placeholder ?? 'Choose…'}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Group>
  );
}

/** Radios in a fieldset; the first radio's id is `${id}-${first value}` (what the error summary links to). */
export function Radios(props: Omit<FieldProps, 'id'> & { name: string; options: { value: string; label: string }[] }) {
  const first = `${props.name}-${props.options[0]?.value ?? ''}`;
  return (
    <div className={`nhsuk-form-group${props.error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={props.error ? `${props.name}-error` : undefined}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{props.label}</legend>
        {props.error && (
          <span className="nhsuk-error-message" id={`${props.name}-error`}>
            <span className="nhsuk-u-visually-hidden">Error:</span> {props.error}
          </span>
        )}
        <div className="nhsuk-radios nhsuk-radios--inline">
          {props.options.map((o) => {
            const id = `${props.name}-${o.value}`;
            return (
              <div className="nhsuk-radios__item" key={o.value}>
                <input
                  className="nhsuk-radios__input"
                  id={id === first ? first : id}
                  name={props.name}
                  type="radio"
                  value={o.value}
                  checked={props.value === o.value}
                  onChange={() => props.onChange(o.value)}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={id}>
                  {o.label}
                </label>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

/** A red "Overdue" tag (with text, never colour alone). */
export function OverdueTag() {
  return <strong className="nhsuk-tag nhsuk-tag--red">Overdue</strong>;
}

/** Links between the hub's pages. */
export function HubNav() {
  return (
    <ul className="nhsuk-list nhsuk-u-margin-bottom-5 cw-hub-nav" aria-label="Care coordination">
      <li className="nhsuk-u-display-inline-block nhsuk-u-margin-right-4">
        <a href="/coordination">My case list</a>
      </li>
      <li className="nhsuk-u-display-inline-block nhsuk-u-margin-right-4">
        <a href="/coordination/referrals">Referrals to triage</a>
      </li>
      <li className="nhsuk-u-display-inline-block nhsuk-u-margin-right-4">
        <a href="/coordination/tasks">Tasks assigned to me</a>
      </li>
      <li className="nhsuk-u-display-inline-block">
        <a href="/coordination/meetings">MDT meetings</a>
      </li>
    </ul>
  );
}
