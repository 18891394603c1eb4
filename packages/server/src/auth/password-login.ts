import { accountKey, type LoginSource, type LoginThrottle } from './login-throttle.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import type { AuthStore, UserRecord } from './store.ts';

export interface PasswordLoginDeps {
  store: Pick<AuthStore, 'userByLogin' | 'recordSuccessfulLogin'>;
  throttle: Pick<LoginThrottle, 'attempt' | 'succeeded'>;
}

export interface PasswordAttempt extends LoginSource {
  login: string;
  password: string;
}

/** Why an attempt was refused: for the log only, never for the person signing in. */
export type RefusalReason = 'unknown-user' | 'no-password' | 'incorrect' | 'throttled' | 'disabled';

export type PasswordOutcome = { kind: 'ok'; user: UserRecord } | { kind: 'refused'; reason: RefusalReason };

/**
 * Password sign-in. Every refusal looks the same from outside — unknown name, wrong password, an
 * account an administrator locked, a source that has tried too often — and costs the same: one
 * throttle count and one scrypt verification (against a dummy hash when there is no account or no
 * password), so neither the answer nor its timing says whether an account exists or is locked.
 */
export async function checkPassword(deps: PasswordLoginDeps, attempt: PasswordAttempt): Promise<PasswordOutcome> {
  const user = await deps.store.userByLogin(attempt.login);
  const account = accountKey(user?.id, attempt.login);
  const throttled = await deps.throttle.attempt(account, attempt);
  const matches = await verifyPassword(attempt.password, user?.passwordHash ?? (await dummyPasswordHash()));
  const reason = refusal(user, throttled, matches);
  if (reason) {
    return { kind: 'refused', reason };
  }
  await deps.throttle.succeeded(account, attempt);
  await deps.store.recordSuccessfulLogin(user!.id);
  return { kind: 'ok', user: user! };
}

function refusal(user: UserRecord | undefined, throttled: boolean, matches: boolean): RefusalReason | undefined {
  if (!user) {
    return 'unknown-user';
  }
  if (!user.passwordHash) {
    return 'no-password';
  }
  if (throttled) {
    return 'throttled';
  }
  if (!matches) {
    return 'incorrect';
  }
  return user.disabled ? 'disabled' : undefined;
}
