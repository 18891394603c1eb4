import type { ReactNode } from 'react';
import type { Protocol } from './api.ts';
import { describeExpecting, describeSchedule, LEVEL_NAME, LEVEL_TAG } from './describe.ts';
import { RulesTable } from './RulesTable.tsx';

/**
 * A protocol, read-only, section by section: when it asks and what, its rules, its replies, whom it
 * alerts and what happens when readings are missed. Each section is its own component so that the
 * editor (local versions with clinician review, to come) can put a form in place of any of them.
 */
export function ProtocolDetails({ protocol }: { protocol: Protocol }) {
  return (
    <>
      <Overview protocol={protocol} />
      <Prompts protocol={protocol} />
      <h2 className="nhsuk-heading-m">Levels</h2>
      <p className="nhsuk-body">
        Red rules are read first: a reading is red if any red rule matches, otherwise amber if any amber rule matches,
        otherwise green. A patient’s own thresholds, set when they are enrolled, replace these for that reading.
      </p>
      <RulesTable protocol={protocol} />
      <Replies protocol={protocol} />
    </>
  );
}

/** "amber and red" as the start of a sentence. */
const capitalised = (text: string): string => text[0]!.toUpperCase() + text.slice(1);

function Row({ term, children }: { term: ReactNode; children: ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{term}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}

function Overview({ protocol }: { protocol: Protocol }) {
  const { missed } = protocol;
  return (
    <dl className="nhsuk-summary-list">
      <Row term="Who it is for">{protocol.purpose}</Row>
      <Row term="When it asks">{describeSchedule(protocol.schedule)}</Row>
      <Row term="Guideline">
        <a href={protocol.guideline.url} data-external="">
          {protocol.guideline.citation}
        </a>
      </Row>
      <Row term="Alerts the team">
        {protocol.escalate.length
          ? `${capitalised(protocol.escalate.join(' and '))} readings: an alert in the inbox of the nurse who enrolled the patient, and a task for the team`
          : 'Never: readings are recorded only'}
      </Row>
      <Row term="Missed readings">
        {missed.alertAfterMisses
          ? `The team is alerted after ${missed.alertAfterMisses} texts in a row are not answered.`
          : 'The team is not alerted about missed readings.'}
        {missed.remindAfterMinutes ? ` A reminder after ${missed.remindAfterMinutes} minutes (not sent yet).` : ''}
      </Row>
      <Row term="After downtime">
        A text not sent within {protocol.catchUpMinutes} minutes of its time is skipped, not sent late.
      </Row>
      {protocol.needs.includes('personal-best-peak-flow') && (
        <Row term="Needed to enrol">The patient’s best peak flow</Row>
      )}
    </dl>
  );
}

function Prompts({ protocol }: { protocol: Protocol }) {
  return (
    <>
      <h2 className="nhsuk-heading-m">What it asks</h2>
      <ol className="nhsuk-list nhsuk-list--number">
        {protocol.prompts.map((prompt, index) => (
          <li key={prompt.id}>
            <p className="nhsuk-body nhsuk-u-margin-bottom-1">
              {index === 0 ? 'At each time: ' : 'After the reply: '}“{prompt.text}”
            </p>
            <p className="nhsuk-body-s">Expects {describeExpecting(prompt.expecting)}.</p>
          </li>
        ))}
      </ol>
    </>
  );
}

function Replies({ protocol }: { protocol: Protocol }) {
  return (
    <>
      <h2 className="nhsuk-heading-m">Replies</h2>
      <p className="nhsuk-body">The text the patient gets straight after a reading, by its level.</p>
      <dl className="nhsuk-summary-list">
        {(['green', 'amber', 'red'] as const).map((level) => (
          <Row key={level} term={<strong className={`nhsuk-tag ${LEVEL_TAG[level]}`}>{LEVEL_NAME[level]}</strong>}>
            {protocol.replies[level]}
          </Row>
        ))}
      </dl>
    </>
  );
}
