import type { Ref } from 'react';

/** The NHS.UK error summary: each problem links to its field (by id). Nothing when there are none. */
export function ErrorSummary({ errors, ref }: { errors: Record<string, string>; ref: Ref<HTMLDivElement> }) {
  const problems = Object.entries(errors);
  if (problems.length === 0) {
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
