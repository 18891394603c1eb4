import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import type { Database } from '../db/database.ts';
import { jsonbValue } from '../db/jsonb.ts';

/** The algorithm tokens are signed with: RS256 is what every OpenID and SMART client supports. */
export const SIGNING_ALG = 'RS256';

// Arbitrary constant: instances starting together take it before creating the first key.
const KEY_LOCK = 4_242_003;

interface KeyRow {
  kid: string;
  private_jwk: JWK | string;
  retired_at: Date | string | null;
}

async function generateKey(): Promise<JWK> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: SIGNING_ALG, use: 'sig' };
}

/**
 * The private signing keys, newest first, creating the first one when the database has none. Every
 * instance reads the same rows, so a token signed by one verifies on all.
 */
export async function ensureSigningKeys(db: Database): Promise<JWK[]> {
  const existing = await activeKeys(db);
  if (existing.length) {
    return existing;
  }
  const key = await generateKey();
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [KEY_LOCK]);
    const [row] = await tx.query('select kid from auth_key where retired_at is null limit 1');
    if (!row) {
      await tx.query('insert into auth_key (kid, alg, private_jwk) values ($1, $2, $3::jsonb)', [
        key.kid!,
        SIGNING_ALG,
        JSON.stringify(key),
      ]);
    }
  });
  return activeKeys(db);
}

async function activeKeys(db: Database): Promise<JWK[]> {
  const rows = await db.query<KeyRow>(
    'select kid, private_jwk, retired_at from auth_key where retired_at is null order by created_at desc, kid',
  );
  return rows.map((row) => jsonbValue<JWK>(row.private_jwk));
}

/** Public halves of every key still trusted: unretired ones and those retired in the last day. */
export async function publicJwks(db: Database): Promise<JSONWebKeySet> {
  const rows = await db.query<KeyRow>(
    `select kid, private_jwk, retired_at from auth_key
     where retired_at is null or retired_at > now() - interval '1 day' order by created_at desc`,
  );
  return { keys: rows.map((row) => toPublic(jsonbValue<JWK>(row.private_jwk))) };
}

export function toPublic(jwk: JWK): JWK {
  const { kty, n, e, crv, x, y, kid, alg, use } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, n, e, crv, x, y, kid, alg, use }).filter(([, value]) => value !== undefined),
  );
}

export type KeyResolver = ReturnType<typeof createLocalJWKSet>;

/**
 * The verification keys, read from the database and kept for `ttlMs`; a token with an unknown
 * `kid` triggers one early re-read (at most every few seconds), so a key another instance just
 * rotated in is picked up without waiting.
 */
export class VerificationKeys {
  private readonly db: Database;
  private readonly ttlMs: number;
  private cached?: { resolver: KeyResolver; kids: Set<string>; at: number };
  private loading?: Promise<{ resolver: KeyResolver; kids: Set<string>; at: number }>;

  constructor(db: Database, ttlMs = 60_000) {
    this.db = db;
    this.ttlMs = ttlMs;
  }

  async resolverFor(kid: string | undefined): Promise<KeyResolver> {
    const now = Date.now();
    let current = this.cached;
    const stale = !current || now - current.at > this.ttlMs;
    const unknownKid = current && kid !== undefined && !current.kids.has(kid) && now - current.at > 5_000;
    if (stale || unknownKid) {
      current = await this.reload();
    }
    return current!.resolver;
  }

  private reload(): Promise<{ resolver: KeyResolver; kids: Set<string>; at: number }> {
    this.loading ??= publicJwks(this.db)
      .then((jwks) => {
        const entry = {
          resolver: createLocalJWKSet(jwks),
          kids: new Set(jwks.keys.map((k) => k.kid ?? '')),
          at: Date.now(),
        };
        this.cached = entry;
        return entry;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
