import type { Ref } from 'react';
import { Link } from 'react-router';

/** The module's pages, as a secondary navigation (the current one marked). */
export function SectionNav({ current }: { current: 'messages' | 'reminders' | 'recalls' | 'templates' }) {
  const items = [
    ['messages', '/practice-sms', 'Messages'],
    ['reminders', '/practice-sms/reminders', 'Reminders'],
    ['recalls', '/practice-sms/recalls', 'Recalls'],
    ['templates', '/practice-sms/templates', 'Templates'],
  ] as const;
  return (
    <nav aria-label="Practice texts" className="nhsuk-u-margin-bottom-5">
      <ul className="nhsuk-list cw-practice-sms-nav">
        {items.map(([key, path, label]) => (
          <li key={key} style={{ display: 'inline-block', marginRight: '1.5rem' }}>
            {key === current ? <strong aria-current="page">{label}</strong> : <Link to={path}>{label}</Link>}
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The NHS.UK error summary, each problem linking to its field. Nothing when there are none. */
export function ErrorSummary({
  errors,
  ref,
}: {
  errors: Record<string, string | undefined>;
  ref: Ref<HTMLDivElement>;
}) {
  const problems = Object.entries(errors).filter((entry): entry is [string, string] => Boolean(entry[1]));
  if (!problems.length) {
    return null;
  }
  return (
    <div className="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabIndex={-1} ref={ref}>
      <h2 className="nhsuk-error-summary__title" id="error-summary-title">
        There is a problem
      </h2>
      <div className="nhsuk-error-summary__body">
        <ul className="nhsuk-list nhsuk-error-summary__list">
          {problems.map(([field, message]) => (
            <li key={field}>
              <a href={`#${field}`} data-external="">
                {message}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
