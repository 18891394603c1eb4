import type { OperationOutcome } from '@medplum/fhirtypes';

/** A failed request, with a message a person can act on (from the server's OperationOutcome). */
export class ApiError extends Error {
  readonly status: number;
  readonly outcome?: OperationOutcome;

  constructor(status: number, message: string, outcome?: OperationOutcome) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.outcome = outcome;
  }

  /** The API withheld the thing asked for (403), or says it is not there for this caller (404). */
  get mayBeHidden(): boolean {
    return this.status === 403 || this.status === 404;
  }
}

/** The diagnostics of an OperationOutcome's issues, joined into sentences. */
export function outcomeText(outcome: OperationOutcome | undefined): string {
  const parts = (outcome?.issue ?? [])
    .filter((i) => i.severity === 'error' || i.severity === 'fatal' || i.severity === 'warning')
    .map((i) => (i.diagnostics ?? i.details?.text ?? '').trim())
    .filter(Boolean);
  return [...new Set(parts)].map((p) => (/[.!?]$/.test(p) ? p : `${p}.`)).join(' ');
}

/** What to tell a person when a request fails with this status, before the server's own words. */
export function plainWords(status: number, serverText: string): string {
  switch (true) {
    case status === 0:
      return 'CareWeave could not be reached. Check your connection and try again.';
    case status === 401:
      return 'Your sign-in has ended. Sign in again to carry on.';
    case status === 403:
      return serverText || 'You do not have permission to see or do this.';
    case status === 404:
      return serverText || 'We could not find this. It may have been removed, or it is not shared with you.';
    case status === 409 || status === 412:
      return serverText || 'Someone else changed this at the same time. Reload the page and try again.';
    case status === 429:
      return 'Too many requests. Wait a minute and try again.';
    case status >= 500:
      return `Something went wrong in CareWeave. Try again later.${serverText ? ` (The server said: ${serverText})` : ''}`;
    default:
      return serverText || `The request failed (${status}).`;
  }
}
