import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

/**
 * The one error type of the server (FHIR API, admin API, sign-in, CLI). It carries the
 * OperationOutcome the client will receive; the HTTP status is derived from the issue code in
 * `statusForOutcome`, never chosen in handlers (the few statuses an issue code cannot express,
 * 412 and the `too-costly` variants, are passed by the helpers below).
 */
export class OperationOutcomeError extends Error {
  readonly outcome: OperationOutcome;
  readonly status: number;
  /** Response headers that belong to the refusal (`www-authenticate` on a 401, `retry-after` on a 429). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(outcome: OperationOutcome, status?: number, headers: Readonly<Record<string, string>> = {}) {
    super(outcome.issue?.map((issue) => issue.diagnostics ?? issue.details?.text ?? issue.code).join('; ') ?? 'error');
    this.outcome = outcome;
    this.status = status ?? statusForOutcome(outcome);
    this.headers = headers;
  }
}

export function issue(
  severity: IssueSeverity,
  code: IssueCode,
  diagnostics: string,
  expression?: string[],
): OperationOutcomeIssue {
  return { severity, code, diagnostics, ...(expression?.length ? { expression } : {}) };
}

export function outcome(...issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function fail(code: IssueCode, diagnostics: string, expression?: string[]): never {
  throw new OperationOutcomeError(outcome(issue('error', code, diagnostics, expression)));
}

// These throw (`badRequest('…')` ends the function); the error builders further down return the
// error, for `throw forbidden('…')` and for callbacks that must hand an error back.

export function badRequest(message: string, expression?: string[]): never {
  return fail('invalid', message, expression);
}

export function notFound(message: string): never {
  return fail('not-found', message);
}

export function gone(message: string): never {
  return fail('deleted', message);
}

export function conflict(message: string): never {
  return fail('conflict', message);
}

/** RFC 6750 error codes for the `www-authenticate` challenge of a 401. */
export type BearerError = 'invalid_token' | 'invalid_request';

/**
 * 401 (issue code `login`) with its RFC 6750 challenge: `Bearer realm="CareWeave"`, and the error
 * code and description when the token (or the header carrying it) was the problem.
 */
export function unauthorised(message: string, bearerError?: BearerError): OperationOutcomeError {
  const challenge = ['Bearer realm="CareWeave"'];
  if (bearerError) {
    challenge.push(`error="${bearerError}"`, `error_description="${message.replace(/["\\]/g, "'")}"`);
  }
  return new OperationOutcomeError(outcome(issue('error', 'login', message)), undefined, {
    'www-authenticate': challenge.join(', '),
  });
}

/** 403 (issue code `forbidden`). */
export function forbidden(message: string): OperationOutcomeError {
  return new OperationOutcomeError(outcome(issue('error', 'forbidden', message)));
}

/** 429 (issue code `throttled`) with `retry-after`. */
export function tooManyRequests(message: string, retryAfterSeconds: number): OperationOutcomeError {
  return new OperationOutcomeError(outcome(issue('error', 'throttled', message)), undefined, {
    'retry-after': String(Math.max(0, Math.ceil(retryAfterSeconds))),
  });
}

/**
 * A request the server refuses to do the work for (too many values, too large, too slow). The
 * issue code is `too-costly` whatever the cause, so the status is passed: 400 for a request that
 * asks too much, 413 for a body that is too large, 503 for a query stopped by the statement timeout.
 */
export function tooCostly(message: string, status: 400 | 413 | 503, expression?: string[]): OperationOutcomeError {
  return new OperationOutcomeError(outcome(issue('error', 'too-costly', message, expression)), status);
}

/** 412 is not expressible by an issue code alone, so precondition failures pass it explicitly. */
export function preconditionError(message: string): OperationOutcomeError {
  return new OperationOutcomeError(outcome(issue('error', 'conflict', message)), 412);
}

export function statusForOutcome(result: OperationOutcome): number {
  const first = result.issue?.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? result.issue?.[0];
  switch (first?.code) {
    case undefined:
    case 'informational':
      return 200;
    case 'not-found':
      return 404;
    case 'deleted':
      return 410;
    case 'conflict':
    case 'duplicate':
      return 409;
    case 'multiple-matches':
      // R4 conditional create, update and delete (and conditional references in a transaction):
      // criteria that match more than one resource are 412 Precondition Failed.
      return 412;
    case 'login':
    case 'unknown':
      return 401;
    case 'security':
    case 'forbidden':
      return 403;
    case 'throttled':
      return 429;
    case 'not-supported':
      return 501;
    case 'too-costly':
      return 413;
    case 'processing':
    case 'business-rule':
    case 'invariant':
    case 'code-invalid':
      return 422;
    case 'exception':
    case 'transient':
    case 'timeout':
      return 500;
    default:
      return 400;
  }
}

export function isOperationOutcomeError(error: unknown): error is OperationOutcomeError {
  return error instanceof OperationOutcomeError;
}

/** A 400 naming each invalid field of a request body that a zod schema refused. */
export function invalidInput(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): OperationOutcomeError {
  return new OperationOutcomeError(
    outcome(
      ...error.issues.map((i) => {
        const path = i.path.map(String).join('.');
        return issue('error', 'invalid', `${path || 'body'} ${i.message}`, path ? [path] : []);
      }),
    ),
  );
}
