import type { Communication } from '@medplum/fhirtypes';
import { formatDateTime } from '../../../lib/dates.ts';
import { textOf } from './api.ts';

/** The messages of a conversation, oldest first, each with who wrote it and when. */
export function ConversationView({
  messages,
  from,
}: {
  messages: readonly Communication[];
  from: (message: Communication) => string;
}) {
  return (
    <ol className="nhsuk-list cw-conversation">
      {messages.map((message) => (
        <li key={message.id} className="nhsuk-card nhsuk-u-margin-bottom-3">
          <div className="nhsuk-card__content">
            <h3 className="nhsuk-heading-xs nhsuk-u-margin-bottom-2">
              {from(message)}
              <span className="nhsuk-body-s cw-muted"> – {formatDateTime(message.sent)}</span>
            </h3>
            {textOf(message)
              .split('\n')
              .map((line, i) => (
                <p key={i} className="nhsuk-body nhsuk-u-margin-bottom-1">
                  {line}
                </p>
              ))}
          </div>
        </li>
      ))}
    </ol>
  );
}

/** Not for emergencies (H-270): shown wherever a patient or carer writes to the practice. */
export function NotForEmergencies({ you }: { you: string }) {
  return (
    <div className="nhsuk-card nhsuk-card--care nhsuk-card--care--urgent" data-testid="not-for-emergencies">
      <div className="nhsuk-card__heading-container">
        <h2 className="nhsuk-card__heading">
          <span className="nhsuk-u-visually-hidden">Urgent advice: </span>Messages are not for urgent problems
        </h2>
      </div>
      <div className="nhsuk-card__content">
        <p>
          The practice reads messages within 2 working days, not straight away. If {you} need
          {you === 'you' ? '' : 's'} help now, call 111 or use 111 online. In an emergency, call 999.
        </p>
      </div>
    </div>
  );
}
