import type { JWTPayload } from 'jose';

/** How long a verified signature is trusted without checking it again. */
const TRUST_MS = 60_000;
const MAX_ENTRIES = 5_000;

/**
 * Access tokens whose signature and claims this process has already verified. An RS256
 * verification is a fifth of a read's CPU, and a client sends the same token with every request
 * for its whole life, so each token is verified once a minute at most. An entry never outlives
 * the token's `exp`, and only the signature and claims are trusted from it: revocation, the
 * account and the client are still checked on every request. Withdrawing a signing key takes up to
 * a minute to reach tokens already seen (docs/AUTH.md).
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { payload: JWTPayload & Record<string, unknown>; until: number }>();

  get(token: string, now = Date.now()): (JWTPayload & Record<string, unknown>) | undefined {
    const entry = this.entries.get(token);
    if (!entry) {
      return undefined;
    }
    if (entry.until <= now) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.payload;
  }

  remember(token: string, payload: JWTPayload & Record<string, unknown>, now = Date.now()): void {
    const expires = typeof payload.exp === 'number' ? payload.exp * 1000 : now;
    const until = Math.min(expires, now + TRUST_MS);
    if (until <= now) {
      return;
    }
    if (this.entries.size >= MAX_ENTRIES) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(token, { payload, until });
  }
}
