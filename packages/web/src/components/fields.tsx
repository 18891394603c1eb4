import type { ReactNode } from 'react';

/**
 * NHS.UK form fields: a label, an optional hint, the error message (linked from the page's error
 * summary by the control's id) and the control. One set for every module's forms.
 */
export interface FieldProps {
  id: string;
  label: ReactNode;
  hint?: string | undefined;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
}

const describedBy = ({ id, hint, error }: Pick<FieldProps, 'id' | 'hint' | 'error'>) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function FieldError({ id, error }: { id: string; error?: string | undefined }) {
  return error ? (
    <span className="nhsuk-error-message" id={`${id}-error`}>
      <span className="nhsuk-u-visually-hidden">Error:</span> {error}
    </span>
  ) : null;
}

/** The label, hint and error around any control (for controls the set has no component for). */
export function FieldGroup({
  id,
  label,
  hint,
  error,
  children,
}: Omit<FieldProps, 'value' | 'onChange'> & { children: ReactNode }) {
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
      <FieldError id={id} error={error} />
      {children}
    </div>
  );
}

export function TextArea(props: FieldProps & { rows?: number }) {
  return (
    <FieldGroup {...props}>
      <textarea
        className={`nhsuk-textarea${props.error ? ' nhsuk-textarea--error' : ''}`}
        id={props.id}
        name={props.id}
        rows={props.rows ?? 3}
        value={props.value}
        aria-describedby={describedBy(props)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </FieldGroup>
  );
}

/** A text box; a date box is 10 characters wide unless `width` says otherwise. */
export function TextInput(props: FieldProps & { type?: 'text' | 'date' | 'datetime-local'; width?: string }) {
  const width = props.width ?? (props.type === 'date' ? '10' : undefined);
  return (
    <FieldGroup {...props}>
      <input
        className={`nhsuk-input${width ? ` nhsuk-input--width-${width}` : ''}${props.error ? ' nhsuk-input--error' : ''}`}
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        aria-describedby={describedBy(props)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </FieldGroup>
  );
}

export function Select(props: FieldProps & { options: { value: string; label: string }[]; placeholder?: string }) {
  return (
    <FieldGroup {...props}>
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
    </FieldGroup>
  );
}

/**
 * Radios in a fieldset; each radio's id is `${name}-${value}` (the error summary links to the first).
 * `legendSize` m for a question that is the page's main one.
 */
export function Radios(
  props: Omit<FieldProps, 'id'> & {
    name: string;
    options: { value: string; label: ReactNode; hint?: string | undefined }[];
    inline?: boolean;
    legendSize?: 's' | 'm';
  },
) {
  const hintId = props.hint ? `${props.name}-hint` : '';
  const errorId = props.error ? `${props.name}-error` : '';
  return (
    <div className={`nhsuk-form-group${props.error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}>
        <legend className={`nhsuk-fieldset__legend nhsuk-fieldset__legend--${props.legendSize ?? 's'}`}>
          {props.label}
        </legend>
        {props.hint && (
          <div className="nhsuk-hint" id={hintId}>
            {props.hint}
          </div>
        )}
        <FieldError id={props.name} error={props.error} />
        <div className={`nhsuk-radios${props.inline ? ' nhsuk-radios--inline' : ''}`}>
          {props.options.map((o) => {
            const id = `${props.name}-${o.value}`;
            return (
              <div className="nhsuk-radios__item" key={o.value}>
                <input
                  className="nhsuk-radios__input"
                  id={id}
                  name={props.name}
                  type="radio"
                  value={o.value}
                  checked={props.value === o.value}
                  aria-describedby={o.hint ? `${id}-item-hint` : undefined}
                  onChange={() => props.onChange(o.value)}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={id}>
                  {o.label}
                </label>
                {o.hint && (
                  <div className="nhsuk-hint nhsuk-radios__hint" id={`${id}-item-hint`}>
                    {o.hint}
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}
