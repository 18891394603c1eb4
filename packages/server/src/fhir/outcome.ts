import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

/**
 * The one error type of the FHIR layer. It carries the OperationOutcome the client will receive;
 * the HTTP status is derived from the issue code in `statusForOutcome`, never chosen in handlers.
 */
export class OperationOutcomeError extends Error {
  readonly outcome: OperationOutcome;
  readonly status: number;

  constructor(outcome: OperationOutcome, status?: number) {
    super(outcome.issue?.map((issue) => issue.diagnostics ?? issue.details?.text ?? issue.code).join('; ') ?? 'error');
    this.outcome = outcome;
    this.status = status ?? statusForOutcome(outcome);
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

export const badRequest = (message: string, expression?: string[]): never => fail('invalid', message, expression);
export const notFound = (message: string): never => fail('not-found', message);
export const gone = (message: string): never => fail('deleted', message);
export const conflict = (message: string): never => fail('conflict', message);

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
    case 'login':
    case 'unknown':
      return 401;
    case 'security':
    case 'forbidden':
      return 403;
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
