import { useEffect, useRef } from 'react';

/** Problems with a form, by field id: the message says what to do. */
export type Problems = Record<string, string>;

/**
 * The NHS.UK error summary, focused when it appears so screen readers hear it; each problem links
 * to its field. Nothing when there are none.
 */
export function ErrorSummary({ id, problems }: { id: string; problems: Problems }) {
  const ref = useRef<HTMLDivElement>(null);
  const entries = Object.entries(problems);
  useEffect(() => {
    if (entries.length) {
      ref.current?.focus();
    }
  }, [entries.length]);
  if (!entries.length) {
    return null;
  }
  return (
    <div className="nhsuk-error-summary" aria-labelledby={`${id}-title`} role="alert" tabIndex={-1} ref={ref}>
      <h2 className="nhsuk-error-summary__title" id={`${id}-title`}>
        There is a problem
      </h2>
      <div className="nhsuk-error-summary__body">
        <ul className="nhsuk-list nhsuk-error-summary__list">
          {entries.map(([field, message]) => (
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
