import type { DateParts } from './start-date.ts';

const BOXES = [
  { key: 'day', label: 'Day', width: 2 },
  { key: 'month', label: 'Month', width: 2 },
  { key: 'year', label: 'Year', width: 4 },
] as const;

/** The NHS.UK date input for the first day texts may be sent. */
export function StartDateInput({
  value,
  error,
  onChange,
}: {
  value: DateParts;
  error?: string;
  onChange: (value: DateParts) => void;
}) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" role="group" aria-describedby={`start-hint${error ? ' start-error' : ''}`}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Start date</legend>
        <div className="nhsuk-hint" id="start-hint">
          The first day texts may be sent, for example 7 12 2026. The first text goes at the protocol’s next time on or
          after it.
        </div>
        {error && (
          <span className="nhsuk-error-message" id="start-error">
            <span className="nhsuk-u-visually-hidden">Error:</span> {error}
          </span>
        )}
        <div className="nhsuk-date-input">
          {BOXES.map((box) => (
            <div className="nhsuk-date-input__item" key={box.key}>
              <div className="nhsuk-form-group">
                <label className="nhsuk-label nhsuk-date-input__label" htmlFor={`start-${box.key}`}>
                  {box.label}
                </label>
                <input
                  className={`nhsuk-input nhsuk-date-input__input nhsuk-input--width-${box.width}${error ? ' nhsuk-input--error' : ''}`}
                  id={`start-${box.key}`}
                  name={`start-${box.key}`}
                  type="text"
                  inputMode="numeric"
                  value={value[box.key]}
                  onChange={(e) => onChange({ ...value, [box.key]: e.target.value })}
                />
              </div>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
