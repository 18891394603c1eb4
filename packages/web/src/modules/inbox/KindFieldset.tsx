import type { Channel, Delivery, KindPreference } from './api.ts';

const CHANNELS: { channel: Exclude<Channel, 'inbox'>; label: string }[] = [
  { channel: 'sms', label: 'Text message' },
  { channel: 'email', label: 'Email' },
];

const DELIVERIES: { delivery: Delivery; label: string; hint: string }[] = [
  { delivery: 'immediate', label: 'Straight away', hint: 'Each one as it happens (outside quiet hours)' },
  { delivery: 'digest', label: 'In a daily summary', hint: 'One message a day listing them' },
];

/** One kind of notification: how (the inbox always; text, email) and when (straight away or daily). */
export function KindFieldset({ kind, onChange }: { kind: KindPreference; onChange: (kind: KindPreference) => void }) {
  const id = `kind-${kind.kind.replace(/[^A-Za-z0-9-]/g, '-')}`;
  const toggle = (channel: Channel, on: boolean): void =>
    onChange({ ...kind, channels: on ? [...kind.channels, channel] : kind.channels.filter((c) => c !== channel) });
  return (
    <section aria-labelledby={`${id}-heading`} className="nhsuk-u-margin-bottom-5">
      <h2 className="nhsuk-heading-s" id={`${id}-heading`}>
        {kind.title}
      </h2>
      <div className="nhsuk-form-group">
        <fieldset className="nhsuk-fieldset" aria-describedby={`${id}-channels-hint`}>
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
            How to tell you<span className="nhsuk-u-visually-hidden"> about {kind.title}</span>
          </legend>
          {/* Not a disabled, ticked "Inbox" box: greyed out, it fails contrast and reads as broken. */}
          <div className="nhsuk-hint" id={`${id}-channels-hint`}>
            Always in your inbox. Select any other ways to be told.
          </div>
          <div className="nhsuk-checkboxes nhsuk-checkboxes--small">
            {CHANNELS.map(({ channel, label }) => (
              <div className="nhsuk-checkboxes__item" key={channel}>
                <input
                  className="nhsuk-checkboxes__input"
                  id={`${id}-${channel}`}
                  type="checkbox"
                  checked={kind.channels.includes(channel)}
                  onChange={(e) => toggle(channel, e.target.checked)}
                />
                <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={`${id}-${channel}`}>
                  {label}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      <div className="nhsuk-form-group">
        <fieldset className="nhsuk-fieldset">
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
            When to tell you<span className="nhsuk-u-visually-hidden"> about {kind.title}</span>
          </legend>
          <div className="nhsuk-radios nhsuk-radios--small">
            {DELIVERIES.map(({ delivery, label, hint }) => (
              <div className="nhsuk-radios__item" key={delivery}>
                <input
                  className="nhsuk-radios__input"
                  id={`${id}-${delivery}`}
                  name={`${id}-delivery`}
                  type="radio"
                  checked={kind.delivery === delivery}
                  onChange={() => onChange({ ...kind, delivery })}
                  aria-describedby={`${id}-${delivery}-hint`}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={`${id}-${delivery}`}>
                  {label}
                </label>
                <div className="nhsuk-hint nhsuk-radios__hint" id={`${id}-${delivery}-hint`}>
                  {hint}
                </div>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
    </section>
  );
}
