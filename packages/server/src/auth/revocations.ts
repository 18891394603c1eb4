import { createHash } from 'node:crypto';
import type { Queryable } from '../db/database.ts';

/** The `auth_oidc` model of revoked-grant rows (the provider never reads it). */
export const REVOKED_GRANT_MODEL = 'RevokedGrant';

/** Access tokens live at most ACCESS_TOKEN_TTL (≤ 24 h): a revocation is kept that long, plus clock skew. */
const KEEP_SECONDS = 86_400 + 300;

/** How long this process trusts its own "not revoked" answer; another instance's revocation shows within it. */
const NOT_REVOKED_TRUST_MS = 3_000;
const MAX_CACHED = 10_000;

/**
 * What an access token carries (claim `grant`) to name the grant it was issued from: a hash, not
 * the provider's grant id itself, which is a handle inside the provider and has no business in a
 * token the client can read.
 */
export function grantTag(grantId: string): string {
  return createHash('sha256').update(grantId).digest('base64url').slice(0, 32);
}

/**
 * Grants the provider has revoked (a replayed authorization code or refresh token, a revoked
 * refresh token, sign-out), recorded in `auth_oidc` so every instance refuses the JWT access tokens
 * already issued from them — which, being self-contained, the provider cannot take back itself.
 * Each process keeps a revocation once seen, but trusts "not revoked" for a few seconds only.
 */
export class GrantRevocations {
  private readonly db: Queryable;
  private readonly cache = new Map<string, { revoked: boolean; at: number }>();

  constructor(db: Queryable) {
    this.db = db;
  }

  async revoke(grantId: string): Promise<void> {
    const tag = grantTag(grantId);
    await this.db.query(
      `insert into auth_oidc (model, id, payload, expires_at)
       values ($1, $2, jsonb_build_object('revokedAt', now()), now() + make_interval(secs => $3::integer))
       on conflict (model, id) do nothing`,
      [REVOKED_GRANT_MODEL, tag, KEEP_SECONDS],
    );
    this.remember(tag, true);
  }

  async isRevoked(tag: string): Promise<boolean> {
    const cached = this.cache.get(tag);
    if (cached && (cached.revoked || Date.now() - cached.at < NOT_REVOKED_TRUST_MS)) {
      return cached.revoked;
    }
    const rows = await this.db.query(
      'select 1 from auth_oidc where model = $1 and id = $2 and (expires_at is null or expires_at > now())',
      [REVOKED_GRANT_MODEL, tag],
    );
    this.remember(tag, rows.length > 0);
    return rows.length > 0;
  }

  private remember(tag: string, revoked: boolean): void {
    if (!revoked && this.cache.get(tag)?.revoked) {
      return; // a lookup that started before this process revoked the grant
    }
    if (this.cache.size >= MAX_CACHED) {
      this.cache.clear();
    }
    this.cache.set(tag, { revoked, at: Date.now() });
  }
}
