import { useEffect, useRef, type Ref } from 'react';

/** Problems with a form, by the id of the field each is about: the message says what to do. */
export type FormProblems = Readonly<Record<string, string | undefined>>;

interface ErrorSummaryProps {
  errors: FormProblems;
  /** For the caller to focus the summary itself (the NHS.UK pattern: on submit). */
  ref?: Ref<HTMLDivElement>;
  /** Unique on the page when there are several forms (its title's id is `${id}-title`). */
  id?: string;
  /** Focus the summary whenever it appears, so screen readers hear it (forms without their own focus). */
  focusOnShow?: boolean;
}

/** The NHS.UK error summary: each problem links to its field (by id). Nothing when there are none. */
export function ErrorSummary({ errors, ref, id = 'error-summary', focusOnShow = false }: ErrorSummaryProps) {
  const own = useRef<HTMLDivElement>(null);
  const problems = Object.entries(errors).filter((entry): entry is [string, string] => Boolean(entry[1]));
  useEffect(() => {
    if (focusOnShow && problems.length) {
      own.current?.focus();
    }
  }, [focusOnShow, problems.length]);
  if (problems.length === 0) {
    return null;
  }
  return (
    <div className="nhsuk-error-summary" aria-labelledby={`${id}-title`} role="alert" tabIndex={-1} ref={ref ?? own}>
      <h2 className="nhsuk-error-summary__title" id={`${id}-title`}>
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
