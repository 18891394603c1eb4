import './referrals.css';

/** The referral pages use the shared NHS.UK fields (components/fields.tsx). */
export { FieldError, Radios, TextArea, TextInput } from '../../components/fields.tsx';

/** Tags for priority and status: always words, never colour alone. */
export function PriorityTag({ priority }: { priority: string }) {
  if (priority === 'two-week-wait') {
    return <strong className="nhsuk-tag nhsuk-tag--red">Two-week wait</strong>;
  }
  if (priority === 'urgent') {
    return <strong className="nhsuk-tag nhsuk-tag--orange">Urgent</strong>;
  }
  return <strong className="nhsuk-tag nhsuk-tag--grey">Routine</strong>;
}

/** Links between the referral pages. */
export function ReferralsNav() {
  return (
    <p className="nhsuk-body">
      <a href="/referrals">Referral worklists</a>
    </p>
  );
}
