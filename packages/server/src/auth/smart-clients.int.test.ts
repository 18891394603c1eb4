import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFLIGHT_MAX_AGE } from './cors.ts';
import { Browser, exchangeCode, pkce, signIn } from './testing/browser.ts';
import { PASSWORD } from './testing/fixtures.ts';
import { clientCredentials, startAuthTestServer, type AuthTestServer } from './testing/server.ts';

/**
 * What third-party SMART clients found missing (issue 15): CORS for browser apps, the `aud`
 * check, the token response's `scope`, and a backend client asking for more than it was given.
 */
const APP_ORIGIN = 'https://smart-app.example.org';
const OTHER_ORIGIN = 'https://counterfeit.example';
const RS_ONLY = { id: 'rs-only-feed', secret: 'rs-only-feed-secret-0123456789abcdef' };

let s: AuthTestServer;
beforeAll(async () => {
  s = await startAuthTestServer({ CAREWEAVE_CORS_ORIGINS: APP_ORIGIN });
  await s.platform.db.query(
    `insert into auth_client (client_id, description, metadata) values ($1, 'tests', $2::jsonb), ($3, 'tests', $4::jsonb)`,
    [
      RS_ONLY.id,
      JSON.stringify({
        client_secret: RS_ONLY.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        careweave_allowed_scopes: 'system/*.rs',
      }),
      'third-party-app',
      JSON.stringify({
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${APP_ORIGIN}/callback`],
      }),
    ],
  );
});
afterAll(async () => {
  await s?.close();
});

const preflight = (url: string, origin: string, method = 'GET') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS for browser SMART apps', () => {
  const paths = () => [
    [`${s.baseUrl}/.well-known/smart-configuration`, 'GET'],
    [`${s.fhirBase}/.well-known/smart-configuration`, 'GET'],
    [`${s.baseUrl}/.well-known/openid-configuration`, 'GET'],
    [`${s.baseUrl}/auth/token`, 'POST'],
    [`${s.baseUrl}/auth/jwks`, 'GET'],
    [`${s.fhirBase}/Patient`, 'GET'],
    [`${s.fhirBase}/Observation/abc`, 'PUT'],
    [`${s.fhirBase}/metadata`, 'GET'],
  ];

  it('answers preflights from an allowed origin with 204 and what the app may send, without a token', async () => {
    for (const [url, method] of paths()) {
      const res = await preflight(url!, APP_ORIGIN, method);
      expect(res.status, url).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), url).toBe(APP_ORIGIN);
      expect(res.headers.get('access-control-allow-methods'), url).toContain(method);
      const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase();
      for (const header of ['authorization', 'content-type', 'prefer', 'if-match']) {
        expect(allowed, url).toContain(header);
      }
      expect(res.headers.get('access-control-max-age')).toBe(String(PREFLIGHT_MAX_AGE));
      expect(res.headers.get('vary')).toMatch(/origin/i);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('gives a disallowed origin no CORS headers, on preflights and answers alike', async () => {
    for (const [url, method] of paths()) {
      const res = await preflight(url!, OTHER_ORIGIN, method);
      const cors = [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));
      expect(cors, url).toEqual([]);
      const answer = await fetch(url!, { headers: { origin: OTHER_ORIGIN } });
      expect(
        [...answer.headers.keys()].filter((name) => name.startsWith('access-control-')),
        url,
      ).toEqual([]);
    }
  });

  it('lets the allowed origin read discovery, a 401 and a FHIR answer (Location, ETag exposed)', async () => {
    const discovery = await fetch(`${s.fhirBase}/.well-known/smart-configuration`, { headers: { origin: APP_ORIGIN } });
    expect(discovery.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const refused = await fetch(`${s.fhirBase}/Patient`, { headers: { origin: APP_ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(refused.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
    const token = (await clientCredentials(s.baseUrl, 'system/*.cruds')).body.access_token;
    const created = await fetch(`${s.fhirBase}/Patient`, {
      method: 'POST',
      headers: { origin: APP_ORIGIN, authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Cors' }] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(created.headers.get('access-control-expose-headers')).toMatch(/Location.*ETag/);
  });

  it('allows the token endpoint to the allowed origin only', async () => {
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'careweave-web' });
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const allowed = await fetch(`${s.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { ...headers, origin: APP_ORIGIN },
      body,
    });
    expect(allowed.status).toBe(400);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const other = await fetch(`${s.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { ...headers, origin: OTHER_ORIGIN },
      body,
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('leaves the authorization endpoint and sign-in pages alone (browser navigations)', async () => {
    const res = await preflight(`${s.baseUrl}/auth/authorize`, APP_ORIGIN);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the authorization request’s aud (SMART App Launch 2.0)', () => {
  const authorize = (params: Record<string, string>) => {
    const url = new URL(`${s.baseUrl}/auth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      state: 'st',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      scope: 'openid launch/patient patient/*.rs',
      ...params,
    }).toString();
    return new Browser().request(url.href);
  };

  it.each([
    ['a counterfeit server', 'https://counterfeit.example/fhir'],
    ['another path on this host', 'BASE/fhir/R5'],
  ])('refuses %s with invalid_request at the redirect URI', async (_name, aud) => {
    for (const [clientId, redirectUri] of [
      ['careweave-web', s.redirectUri],
      ['third-party-app', `${APP_ORIGIN}/callback`],
    ]) {
      const step = await authorize({
        client_id: clientId!,
        redirect_uri: redirectUri!,
        aud: aud.replace('BASE', s.baseUrl),
      });
      expect(step.status).toBe(303);
      const location = new URL(step.location!);
      expect(location.href.startsWith(redirectUri!)).toBe(true);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toMatch(/aud/);
    }
  });

  it('requires aud of a SMART app, and accepts this server’s FHIR base', async () => {
    const missing = await authorize({ client_id: 'third-party-app', redirect_uri: `${APP_ORIGIN}/callback` });
    expect(new URL(missing.location!).searchParams.get('error')).toBe('invalid_request');
    for (const aud of [s.fhirBase, `${s.fhirBase}/`]) {
      const ok = await authorize({ client_id: 'third-party-app', redirect_uri: `${APP_ORIGIN}/callback`, aud });
      expect(new URL(ok.location!, s.baseUrl).pathname).toMatch(/^\/auth\/interaction\//);
    }
  });

  it('issues a token when the web app names this server', async () => {
    const result = await signIn({
      baseUrl: s.baseUrl,
      username: 'patient',
      password: PASSWORD,
      scope: 'openid patient/*.rs',
      redirectUri: s.redirectUri,
    });
    expect(result.code).toBeDefined();
  });
});

describe('the token response’s scope', () => {
  it('lists every granted scope: openid, fhirUser, online_access, launch/patient and the resource scopes', async () => {
    const scope = 'openid fhirUser launch/patient online_access patient/*.rs';
    const result = await signIn({
      baseUrl: s.baseUrl,
      username: 'patient',
      password: PASSWORD,
      scope,
      redirectUri: s.redirectUri,
    });
    const tokens = await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri);
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope.split(' ').sort()).toEqual(scope.split(' ').sort());
    // The access token itself still carries the resource scopes only.
    expect(decodeJwt(tokens.body.access_token).scope).toBe('patient/*.rs');
    const refreshed = await fetch(`${s.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.body.refresh_token,
        client_id: 'careweave-web',
      }),
    });
    const renewed = (await refreshed.json()) as { scope: string };
    expect(renewed.scope.split(' ').sort()).toEqual(scope.split(' ').sort());
  });

  it('names the session-bound refresh token online_access when offline_access was asked for without consent', async () => {
    // fhirclient asks for offline_access and refreshes only when the response lists it or online_access.
    const scope = 'openid fhirUser offline_access patient/*.rs';
    const result = await signIn({
      baseUrl: s.baseUrl,
      username: 'patient',
      password: PASSWORD,
      scope,
      redirectUri: s.redirectUri,
    });
    const tokens = await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri);
    expect(typeof tokens.body.refresh_token).toBe('string');
    expect(tokens.body.scope.split(' ').sort()).toEqual(['fhirUser', 'online_access', 'openid', 'patient/*.rs']);
  });

  it('does not claim launch/patient when no patient is in context (staff)', async () => {
    const result = await signIn({
      baseUrl: s.baseUrl,
      username: 'nurse',
      password: PASSWORD,
      scope: 'openid launch/patient user/*.rs',
      redirectUri: s.redirectUri,
    });
    const tokens = await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri);
    expect(tokens.body.scope.split(' ').sort()).toEqual(['online_access', 'openid', 'user/*.rs']);
  });
});

describe('a backend client asking for more than it was registered for', () => {
  it('gets the permitted subset: system/*.cruds → system/*.rs', async () => {
    const token = await clientCredentials(s.baseUrl, 'system/*.cruds', RS_ONLY);
    expect(token.status).toBe(200);
    expect(token.body.scope).toBe('system/*.rs');
    expect(decodeJwt(token.body.access_token).scope).toBe('system/*.rs');
    const write = await fetch(`${s.fhirBase}/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(write.status).toBe(403);
  });

  it.each([['system/*.write'], ['user/*.cruds'], ['']])(
    'is refused with invalid_scope, never given an empty scope: %j',
    async (scope) => {
      const token = await clientCredentials(s.baseUrl, scope, RS_ONLY);
      expect(token.status).toBe(400);
      expect(token.body.error).toBe('invalid_scope');
      expect(token.body.access_token).toBeUndefined();
    },
  );
});
