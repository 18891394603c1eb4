import { formatDateTime } from '../../../lib/dates.ts';
import type { Enrolment } from './api.ts';

const TAGS: Record<Enrolment['status'], { text: string; colour: string }> = {
  active: { text: 'Active', colour: 'nhsuk-tag--green' },
  paused: { text: 'Paused', colour: 'nhsuk-tag--yellow' },
  stopped: { text: 'Stopped', colour: 'nhsuk-tag--grey' },
  refused: { text: 'Not enrolled', colour: 'nhsuk-tag--red' },
};

/** What the server made of an enrolment: its status, the next text (UK time), or why it was refused. */
export function EnrolmentStatus({ enrolment, title }: { enrolment: Enrolment; title: string }) {
  const tag = TAGS[enrolment.status];
  return (
    <dl className="nhsuk-summary-list">
      <div className="nhsuk-summary-list__row">
        <dt className="nhsuk-summary-list__key">Protocol</dt>
        <dd className="nhsuk-summary-list__value">
          {title} (version {enrolment.protocol.version})
        </dd>
      </div>
      <div className="nhsuk-summary-list__row">
        <dt className="nhsuk-summary-list__key">Status</dt>
        <dd className="nhsuk-summary-list__value">
          <strong className={`nhsuk-tag ${tag.colour}`}>{tag.text}</strong>
        </dd>
      </div>
      {enrolment.status === 'active' && (
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Next text</dt>
          <dd className="nhsuk-summary-list__value">
            {enrolment.nextPromptAt
              ? `${formatDateTime(enrolment.nextPromptAt)} (UK time)`
              : 'None: the schedule has ended'}
          </dd>
        </div>
      )}
      {enrolment.awaitingReply && (
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Waiting for</dt>
          <dd className="nhsuk-summary-list__value">A reply to the last text</dd>
        </div>
      )}
      {enrolment.problems.length > 0 && (
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">{enrolment.status === 'refused' ? 'Why not' : 'Note'}</dt>
          <dd className="nhsuk-summary-list__value">
            <ul className="nhsuk-list nhsuk-list--bullet nhsuk-u-margin-bottom-0">
              {enrolment.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </dd>
        </div>
      )}
    </dl>
  );
}
