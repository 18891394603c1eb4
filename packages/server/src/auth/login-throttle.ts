import { createHash } from 'node:crypto';
import type { Queryable } from '../db/database.ts';

export interface LoginThrottleLimits {
  /** Attempts at one account from one client and address within the window before that source is refused. */
  maxFailures: number;
  /** Attempts from one address (at any accounts) within the window before it is refused. */
  maxFailuresPerAddress: number;
  windowMinutes: number;
}

/** Where a password attempt comes from: the OAuth client the person is signing in to, and their address. */
export interface LoginSource {
  clientId: string;
  address: string;
}

const PREFIX = 'login|';

/**
 * What the throttle counts an account as: the user's id when the name is known, otherwise a hash
 * of the name typed (so unknown names cost the same and keys stay short).
 */
export function accountKey(userId: string | undefined, login: string): string {
  if (userId) {
    return `user:${userId}`;
  }
  return `name:${createHash('sha256').update(login.trim().toLowerCase()).digest('base64url').slice(0, 32)}`;
}

/** Every counter for one account, whatever the client and address (for `careweave user unlock`). */
export function accountCountersPrefix(userId: string): string {
  return `${PREFIX}account|${encodeURIComponent(accountKey(userId, ''))}|`;
}

function counterKeys(account: string, source: LoginSource): [string, string] {
  const address = encodeURIComponent(source.address);
  return [
    `${PREFIX}account|${encodeURIComponent(account)}|${encodeURIComponent(source.clientId)}|${address}`,
    `${PREFIX}address|${address}`,
  ];
}

/**
 * Throttling of password sign-ins instead of an account lockout: attempts are counted per (account,
 * client, address) and per address, in fixed windows in `auth_rate_limit` (shared by every
 * instance). A stranger who keeps guessing is slowed down from where they are, but cannot lock the
 * real person out from theirs. Counting happens before the password is checked, in one statement, so
 * parallel guesses cannot slip past the limit; a successful sign-in gives its attempt back.
 */
export class LoginThrottle {
  private readonly db: Queryable;
  private readonly limits: LoginThrottleLimits;

  constructor(db: Queryable, limits: LoginThrottleLimits) {
    this.db = db;
    this.limits = limits;
  }

  /** Counts an attempt; true when this source has used up its budget for the account or overall. */
  async attempt(account: string, source: LoginSource): Promise<boolean> {
    const [accountCounter, addressCounter] = counterKeys(account, source);
    const rows = await this.db.query<{ key: string; count: number }>(
      `insert into auth_rate_limit as r (key, count, reset_at)
         values ($1, 1, now() + make_interval(mins => $3::int)), ($2, 1, now() + make_interval(mins => $3::int))
       on conflict (key) do update set
         count = case when r.reset_at <= now() then 1 else r.count + 1 end,
         reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
       returning key, count`,
      [accountCounter, addressCounter, this.limits.windowMinutes],
    );
    const count = (key: string) => Number(rows.find((row) => row.key === key)?.count ?? 0);
    return count(accountCounter) > this.limits.maxFailures || count(addressCounter) > this.limits.maxFailuresPerAddress;
  }

  /** After a successful sign-in: the account's count from this source starts again, and the address gets its attempt back. */
  async succeeded(account: string, source: LoginSource): Promise<void> {
    const [accountCounter, addressCounter] = counterKeys(account, source);
    await this.db.query('delete from auth_rate_limit where key = $1', [accountCounter]);
    await this.db.query('update auth_rate_limit set count = greatest(count - 1, 0) where key = $1', [addressCounter]);
  }
}
