import type { ComponentProps } from 'react';
import { Radios as SharedRadios } from '../../components/fields.tsx';

/** The hub's forms use the shared NHS.UK fields (components/fields.tsx). */
export { Select, TextArea, TextInput } from '../../components/fields.tsx';

/** The hub's questions have few short answers: radios side by side. */
export function Radios(props: ComponentProps<typeof SharedRadios>) {
  return <SharedRadios inline {...props} />;
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
