import type { ReactNode } from 'react';
import type { DateParts } from '../lib/date-parts.ts';

const BOXES = [
  { key: 'day', label: 'Day', width: 2 },
  { key: 'month', label: 'Month', width: 2 },
  { key: 'year', label: 'Year', width: 4 },
] as const;

/**
 * The NHS.UK date input: three labelled boxes in a fieldset (day, month, year as UK users write
 * them; a browser's `type="date"` shows mm/dd/yyyy in many locales). Ids are `${id}-day` etc., so an
 * error summary links to `${id}-day`.
 */
export function DateInput({
  id,
  legend,
  hint,
  value,
  error,
  onChange,
}: {
  id: string;
  legend: ReactNode;
  hint?: ReactNode;
  value: DateParts;
  error?: string;
  onChange: (value: DateParts) => void;
}) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" role="group" aria-describedby={describedBy || undefined}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
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
        <div className="nhsuk-date-input" id={id}>
          {BOXES.map((box) => (
            <div className="nhsuk-date-input__item" key={box.key}>
              <div className="nhsuk-form-group">
                <label className="nhsuk-label nhsuk-date-input__label" htmlFor={`${id}-${box.key}`}>
                  {box.label}
                </label>
                <input
                  className={`nhsuk-input nhsuk-date-input__input nhsuk-input--width-${box.width}${error ? ' nhsuk-input--error' : ''}`}
                  id={`${id}-${box.key}`}
                  name={`${id}-${box.key}`}
                  type="text"
                  inputMode="numeric"
                  autoComplete="off"
                  value={value[box.key]}
                  onChange={(e) => onChange({ ...value, [box.key]: e.target.value.replace(/[^\d]/g, '') })}
                />
              </div>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
