import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { Platform } from '../../http/app.ts';
import { ensureSigningKeys } from '../keys.ts';

/**
 * Signs an access token with the server's own key, as the provider would, for tests that need a
 * token for a given actor without a sign-in (or a deliberately broken one: expired, wrong audience).
 */
export async function mintToken(
  platform: Platform,
  claims: JWTPayload & Record<string, unknown>,
  options: { expiresIn?: number; key?: JWK; typ?: string } = {},
): Promise<string> {
  const jwk = options.key ?? (await ensureSigningKeys(platform.db))[0]!;
  const key = await importJWK(jwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: `${platform.config.baseUrl}/auth`,
    aud: platform.fhirBase,
    iat: now,
    exp: now + (options.expiresIn ?? 300),
    jti: randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', typ: options.typ ?? 'at+jwt', ...(jwk.kid ? { kid: jwk.kid } : {}) })
    .sign(key);
}

/** A system token with these scopes (client credentials as the bootstrap client). */
export function systemToken(platform: Platform, scope: string, clientId = 'bootstrap-test'): Promise<string> {
  return mintToken(platform, { sub: clientId, client_id: clientId, scope, actor: 'system' });
}

export const TEST_CLIENT_ID = 'careweave-tests';

/**
 * A `system/*.cruds` token for tests that exercise the FHIR API rather than sign-in: registers
 * the test client (so the token passes the "client still registered" check) and signs for an hour.
 */
export async function testSystemToken(platform: Platform, scope = 'system/*.cruds'): Promise<string> {
  await platform.db.query(
    `insert into auth_client (client_id, description, metadata) values ($1, 'tests', $2::jsonb)
     on conflict (client_id) do nothing`,
    [
      TEST_CLIENT_ID,
      JSON.stringify({ token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'] }),
    ],
  );
  return mintToken(
    platform,
    { sub: TEST_CLIENT_ID, client_id: TEST_CLIENT_ID, scope, actor: 'system' },
    { expiresIn: 3600 },
  );
}
