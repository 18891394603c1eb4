import type { ReactNode } from 'react';
import { ApiError } from '../api/errors.ts';

/** A loading message that screen readers announce. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="cw-loading" role="status" aria-live="polite">
      <span className="cw-spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** A failed request, in plain words, with a way to try again. Never a blank screen. */
export function ErrorMessage({ error, title, onRetry }: { error: Error; title?: string; onRetry?: () => void }) {
  const status = error instanceof ApiError ? error.status : undefined;
  return (
    <div className="nhsuk-error-summary" role="alert" tabIndex={-1}>
      <h2 className="nhsuk-error-summary__title">{title ?? 'There is a problem'}</h2>
      <div className="nhsuk-error-summary__body">
        <p>{error.message}</p>
        {status !== undefined && status >= 500 && <p className="nhsuk-body-s">Error code {status}.</p>}
        {onRetry && (
          <button
            type="button"
            className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
            onClick={onRetry}
          >
            Try again
          </button>
        )}
      </div>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="nhsuk-body cw-empty">{children}</p>;
}

/** A success or information banner after an action (announced to screen readers). */
export function Notice({
  title,
  children,
  kind = 'success',
}: {
  title: string;
  children?: ReactNode;
  kind?: 'success' | 'info';
}) {
  return (
    <div
      className={`nhsuk-notification-banner${kind === 'success' ? ' nhsuk-notification-banner--success' : ''}`}
      role={kind === 'success' ? 'alert' : 'region'}
      aria-labelledby="cw-notice-title"
    >
      <div className="nhsuk-notification-banner__header">
        <h2 className="nhsuk-notification-banner__title" id="cw-notice-title">
          {kind === 'success' ? 'Success' : 'Important'}
        </h2>
      </div>
      <div className="nhsuk-notification-banner__content">
        <p className="nhsuk-notification-banner__heading">{title}</p>
        {children}
      </div>
    </div>
  );
}
