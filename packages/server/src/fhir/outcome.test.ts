import { describe, expect, it, test } from 'vitest';
import {
  badRequest,
  forbidden,
  issue,
  notFound,
  OperationOutcomeError,
  outcome,
  statusForOutcome,
  tooManyRequests,
  unauthorised,
  type IssueCode,
} from './outcome.ts';

describe('statusForOutcome: the one place an HTTP status comes from', () => {
  test.each<[IssueCode, number]>([
    ['login', 401],
    ['unknown', 401],
    ['forbidden', 403],
    ['security', 403],
    ['not-found', 404],
    ['deleted', 410],
    ['conflict', 409],
    ['duplicate', 409],
    ['multiple-matches', 412],
    ['throttled', 429],
    ['invalid', 400],
    ['required', 400],
    ['value', 400],
    ['business-rule', 422],
    ['processing', 422],
    ['too-costly', 413],
    ['not-supported', 501],
    ['exception', 500],
    ['informational', 200],
  ])('%s → %i', (code, status) => {
    expect(statusForOutcome(outcome(issue('error', code, 'x')))).toBe(status);
  });

  it('reads the first error, not a warning before it', () => {
    expect(statusForOutcome(outcome(issue('warning', 'informational', 'note'), issue('error', 'not-found', 'x')))).toBe(
      404,
    );
  });
});

describe('the error helpers', () => {
  const thrown = (work: () => unknown): OperationOutcomeError => {
    try {
      work();
    } catch (error) {
      if (error instanceof OperationOutcomeError) {
        return error;
      }
      throw error;
    }
    throw new Error('nothing thrown');
  };

  test.each([
    ['badRequest', () => badRequest('bad'), 400, 'invalid'],
    ['notFound', () => notFound('No user'), 404, 'not-found'],
    [
      'forbidden',
      () => {
        throw forbidden('no');
      },
      403,
      'forbidden',
    ],
  ])('%s', (_name, work, status, code) => {
    const error = thrown(work);
    expect(error.status).toBe(status);
    expect(error.outcome.issue?.[0]?.code).toBe(code);
  });

  it('unauthorised carries its RFC 6750 challenge', () => {
    expect(unauthorised('Sign in').headers['www-authenticate']).toBe('Bearer realm="CareWeave"');
    const expired = unauthorised('The "token" has expired', 'invalid_token');
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toBe(
      `Bearer realm="CareWeave", error="invalid_token", error_description="The 'token' has expired"`,
    );
  });

  it('tooManyRequests is a 429 with retry-after in whole seconds', () => {
    const error = tooManyRequests('Slow down', 12.2);
    expect(error.status).toBe(429);
    expect(error.outcome.issue?.[0]?.code).toBe('throttled');
    expect(error.headers['retry-after']).toBe('13');
  });
});
