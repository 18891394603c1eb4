import { beforeAll, describe, expect, it, vi } from 'vitest';
import { checkPassword, type PasswordLoginDeps, type RefusalReason } from './password-login.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type * as Passwords from './passwords.ts';
import type { UserRecord } from './store.ts';

vi.mock('./passwords.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof Passwords>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

const PASSWORD = 'correct horse battery staple';

function user(overrides: Partial<UserRecord>): UserRecord {
  return {
    id: 'u-1',
    username: 'nurse',
    email: null,
    displayName: null,
    passwordHash: null,
    failedAttempts: 0,
    lockedUntil: null,
    disabled: false,
    isAdmin: false,
    fhirUser: null,
    nhsNumber: null,
    createdAt: new Date(),
    ...overrides,
  };
}

describe('password sign-in', () => {
  let hash: string;
  beforeAll(async () => {
    hash = await hashPassword(PASSWORD);
  });

  /** One attempt against a fake store and throttle; reports the outcome and the work done. */
  async function attempt(found: UserRecord | undefined, password: string, throttled = false) {
    const calls: string[] = [];
    const deps: PasswordLoginDeps = {
      store: {
        userByLogin: () => (calls.push('lookup'), Promise.resolve(found)),
        recordSuccessfulLogin: () => (calls.push('success'), Promise.resolve()),
      },
      throttle: {
        attempt: () => (calls.push('count'), Promise.resolve(throttled)),
        succeeded: () => (calls.push('give back'), Promise.resolve()),
      },
    };
    vi.mocked(verifyPassword).mockClear();
    const outcome = await checkPassword(deps, { login: 'nurse', password, clientId: 'careweave-web', address: '::1' });
    return { outcome, calls, scrypt: vi.mocked(verifyPassword).mock.calls.length };
  }

  it('signs in with the right password', async () => {
    const result = await attempt(user({ passwordHash: hash }), PASSWORD);
    expect(result.outcome.kind).toBe('ok');
    expect(result.calls).toEqual(['lookup', 'count', 'give back', 'success']);
  });

  const refusals: [string, () => UserRecord | undefined, string, boolean, RefusalReason][] = [
    ['an unknown name', () => undefined, PASSWORD, false, 'unknown-user'],
    ['an account without a password', () => user({}), PASSWORD, false, 'no-password'],
    ['a wrong password', () => user({ passwordHash: hash }), 'wrong password', false, 'incorrect'],
    ['a throttled source, right password', () => user({ passwordHash: hash }), PASSWORD, true, 'throttled'],
    [
      'a locked account, right password',
      () => user({ passwordHash: hash, disabled: true }),
      PASSWORD,
      false,
      'disabled',
    ],
  ];
  it.each(refusals)(
    'refuses %s with the same outcome and the same work',
    async (_name, found, password, throttled, reason) => {
      const result = await attempt(found(), password, throttled);
      expect(result.outcome).toEqual({ kind: 'refused', reason });
      expect(result.calls).toEqual(['lookup', 'count']);
      expect(result.scrypt).toBe(1);
    },
  );
});
