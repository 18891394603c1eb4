import type { Protocol } from '../protocols/api.ts';
import { describeSchedule } from '../protocols/describe.ts';

/** The NHS.UK radios for choosing a protocol: its title, and under it who it is for, when it asks and its guideline. */
export function ProtocolRadios({
  protocols,
  value,
  error,
  onChange,
}: {
  protocols: readonly Protocol[];
  value: string;
  error?: string;
  onChange: (id: string) => void;
}) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={error ? 'protocol-error' : undefined}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
          <h2 className="nhsuk-fieldset__heading">Protocol</h2>
        </legend>
        {error && (
          <span className="nhsuk-error-message" id="protocol-error">
            <span className="nhsuk-u-visually-hidden">Error:</span> {error}
          </span>
        )}
        <div className="nhsuk-radios">
          {protocols.map((protocol, index) => {
            // The first radio carries the field's id, so the error summary's link lands on it.
            const id = index === 0 ? 'protocol' : `protocol-${protocol.id}`;
            return (
              <div className="nhsuk-radios__item" key={protocol.id}>
                <input
                  className="nhsuk-radios__input"
                  id={id}
                  name="protocol"
                  type="radio"
                  value={protocol.id}
                  checked={value === protocol.id}
                  aria-describedby={`${id}-hint`}
                  onChange={() => onChange(protocol.id)}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={id}>
                  {protocol.title}
                </label>
                <div className="nhsuk-hint nhsuk-radios__hint" id={`${id}-hint`}>
                  {protocol.purpose} {describeSchedule(protocol.schedule)}. Follows {protocol.guideline.citation}.
                </div>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}
