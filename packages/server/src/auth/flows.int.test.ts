import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.ts';
import { DatabaseAdmin } from './admin.ts';
import { Browser, exchangeCode, signIn } from './testing/browser.ts';
import { PASSWORD } from './testing/fixtures.ts';
import { clientCredentials, startAuthTestServer, TEST_BOOTSTRAP, type AuthTestServer } from './testing/server.ts';

/** Sign-in end to end against a running server: the web app's code flow, system clients, discovery. */
describe('sign-in flows', () => {
  let s: AuthTestServer;
  const get = async (url: string, token?: string) => {
    const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
  const whoami = (token: string) => get(`${s.baseUrl}/api/test/whoami`, token);
  const userToken = async (username: string, scope: string, profileIndex?: number) => {
    const result = await signIn({
      baseUrl: s.baseUrl,
      username,
      password: PASSWORD,
      scope,
      redirectUri: s.redirectUri,
      ...(profileIndex !== undefined ? { profileIndex } : {}),
    });
    expect(result.code, result.page?.body.slice(0, 500)).toBeDefined();
    const tokens = await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    return { tokens: tokens.body, browser: result.browser };
  };

  beforeAll(async () => {
    s = await startAuthTestServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('publishes OpenID and SMART discovery documents', async () => {
    const oidc = await get(`${s.baseUrl}/.well-known/openid-configuration`);
    expect(oidc.status).toBe(200);
    expect(oidc.body.issuer).toBe(`${s.baseUrl}/auth`);
    expect(oidc.body.token_endpoint).toBe(`${s.baseUrl}/auth/token`);
    expect(oidc.body.code_challenge_methods_supported).toEqual(['S256']);
    expect((await get(`${s.baseUrl}/auth/.well-known/openid-configuration`)).body.issuer).toBe(`${s.baseUrl}/auth`);
    const jwks = await get(oidc.body.jwks_uri);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
    for (const url of [
      `${s.baseUrl}/.well-known/smart-configuration`,
      `${s.fhirBase}/.well-known/smart-configuration`,
    ]) {
      const smart = await get(url);
      expect(smart.status).toBe(200);
      expect(smart.body).toMatchObject({
        issuer: `${s.baseUrl}/auth`,
        authorization_endpoint: `${s.baseUrl}/auth/authorize`,
        token_endpoint: `${s.baseUrl}/auth/token`,
        code_challenge_methods_supported: ['S256'],
      });
      expect(smart.body.capabilities).toEqual(
        expect.arrayContaining([
          'launch-standalone',
          'client-public',
          'client-confidential-asymmetric',
          'permission-v2',
          'sso-openid-connect',
        ]),
      );
      expect(smart.body.grant_types_supported).toEqual(
        expect.arrayContaining(['authorization_code', 'client_credentials']),
      );
      expect(smart.body.scopes_supported).toEqual(
        expect.arrayContaining(['patient/*.rs', 'user/*.cruds', 'system/*.rs']),
      );
    }
    expect((await get(`${s.fhirBase}/metadata`)).status).toBe(200);
    const logout = await fetch(`${s.baseUrl}/auth/logout`);
    expect(logout.status).toBe(200);
    expect(await logout.text()).toContain('/auth/logout/confirm');
  });

  it('signs a patient in with authorization code + PKCE: patient context, fhirUser, SMART scopes', async () => {
    const { tokens } = await userToken(
      'patient',
      'openid fhirUser launch/patient patient/*.rs user/*.cruds system/*.rs',
    );
    expect(tokens.patient).toBe('pat-1');
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.id_token).toBeDefined();
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      iss: `${s.baseUrl}/auth`,
      aud: s.fhirBase,
      client_id: 'careweave-web',
      patient: 'pat-1',
      fhirUser: `${s.fhirBase}/Patient/pat-1`,
    });
    // system/ is never given to a person.
    expect(String(claims.scope).split(' ').sort()).toEqual(['patient/*.rs', 'user/*.cruds']);
    const me = await whoami(tokens.access_token);
    expect(me.body.actor).toEqual({
      kind: 'patient',
      userId: s.fixtures.users.patient,
      patientId: 'pat-1',
      scopes: String(claims.scope).split(' '),
    });
    expect((await get(`${s.fhirBase}/Patient/pat-1`, tokens.access_token)).status).toBe(200);
  });

  it('lets staff with several role profiles choose one; the token and actor carry it', async () => {
    const { tokens } = await userToken('gp', 'openid fhirUser user/*.cruds patient/*.rs', 1);
    const claims = decodeJwt(tokens.access_token);
    expect(claims.role_profile).toMatchObject({ organization: 'org-council', role: 'R8003' });
    expect(claims.scope).toBe('user/*.cruds');
    const me = await whoami(tokens.access_token);
    expect(me.body.actor).toEqual({
      kind: 'staff',
      userId: s.fixtures.users.gp,
      practitionerId: 'prac-gp',
      organizationId: 'org-council',
      organizationType: 'social-care',
      roleCode: 'R8003',
      scopes: ['user/*.cruds'],
    });
    const first = await userToken('gp', 'openid user/*.rs', 0);
    expect((await whoami(first.tokens.access_token)).body.actor).toMatchObject({
      organizationId: 'org-practice',
      organizationType: 'gp-practice',
      roleCode: 'R8000',
      practitionerRoleId: 'prrole-gp',
    });
  });

  it('renews a staff token with its rotating refresh token, keeping the chosen role', async () => {
    const { tokens } = await userToken('gp', 'openid fhirUser user/*.cruds', 1);
    expect(typeof tokens.refresh_token).toBe('string');
    const refresh = async (token: string) => {
      const response = await fetch(`${s.baseUrl}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: 'careweave-web' }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    const renewed = await refresh(tokens.refresh_token);
    expect(renewed.status).toBe(200);
    expect(renewed.body.access_token).not.toBe(tokens.access_token);
    expect(decodeJwt(renewed.body.access_token).role_profile).toMatchObject({ organization: 'org-council' });
    expect((await whoami(renewed.body.access_token)).body.actor).toMatchObject({ roleCode: 'R8003' });
    // Rotation: the used refresh token is spent; the new one works.
    expect(renewed.body.refresh_token).not.toBe(tokens.refresh_token);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
  });

  it('skips the choice for a single role, and knows a carer’s patient', async () => {
    const nurse = await userToken('nurse', 'openid user/*.rs');
    expect((await whoami(nurse.tokens.access_token)).body.actor).toMatchObject({
      kind: 'staff',
      organizationId: 'org-practice',
      roleCode: 'R8001',
    });
    const carer = await userToken('carer', 'openid fhirUser patient/*.rs');
    expect(carer.tokens.patient).toBe('pat-1');
    expect((await whoami(carer.tokens.access_token)).body.actor).toEqual({
      kind: 'related-person',
      userId: s.fixtures.users.carer,
      relatedPersonId: 'rp-1',
      patientId: 'pat-1',
      scopes: ['patient/*.rs'],
    });
  });

  it('requires PKCE and the right verifier; a code works once', async () => {
    const browser = new Browser();
    const noPkce = await browser.follow(
      `${s.baseUrl}/auth/authorize?${new URLSearchParams({
        client_id: 'careweave-web',
        response_type: 'code',
        redirect_uri: s.redirectUri,
        scope: 'openid patient/*.rs',
        state: 'x',
      }).toString()}`,
      {},
      s.redirectUri,
    );
    expect(new URL(noPkce.location!).searchParams.get('error')).toBe('invalid_request');
    const result = await signIn({
      baseUrl: s.baseUrl,
      username: 'patient',
      password: PASSWORD,
      scope: 'openid patient/*.rs',
      redirectUri: s.redirectUri,
    });
    const wrong = await exchangeCode(
      s.baseUrl,
      result.code!,
      'not-the-verifier-not-the-verifier-not-the-verifier',
      s.redirectUri,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    // Only the holder of the verifier can redeem the code, and only once.
    expect((await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri)).status).toBe(200);
    const again = await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('revokes the tokens issued from a code when the code is replayed (RFC 6749 §4.1.2)', async () => {
    const result = await signIn({
      baseUrl: s.baseUrl,
      username: 'patient',
      password: PASSWORD,
      scope: 'openid fhirUser patient/*.rs',
      redirectUri: s.redirectUri,
    });
    expect(result.code, result.page?.body.slice(0, 500)).toBeDefined();
    const first = await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri);
    expect(first.status).toBe(200);
    expect(typeof decodeJwt(first.body.access_token).grant).toBe('string');
    expect((await get(`${s.fhirBase}/Patient/pat-1`, first.body.access_token)).status).toBe(200);
    // Someone else (who stole the code and verifier) replays the exchange: refused, and the grant is revoked.
    const replay = await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    const refused = await get(`${s.fhirBase}/Patient/pat-1`, first.body.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(refused.body.issue[0].diagnostics).toMatch(/revoked/);
    expect((await whoami(first.body.access_token)).status).toBe(401);
    // The refresh token from that exchange is gone too.
    const refresh = await fetch(`${s.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token,
        client_id: 'careweave-web',
      }),
    });
    expect(refresh.status).toBe(400);
    // Another sign-in's tokens are untouched.
    const other = await userToken('patient', 'openid patient/*.rs');
    expect((await get(`${s.fhirBase}/Patient/pat-1`, other.tokens.access_token)).status).toBe(200);
  });

  it('refuses redirect URIs that are not registered', async () => {
    const page = await new Browser().follow(
      `${s.baseUrl}/auth/authorize?${new URLSearchParams({
        client_id: 'careweave-web',
        response_type: 'code',
        redirect_uri: 'https://evil.example/callback',
        scope: 'openid',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      }).toString()}`,
    );
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
  });

  it('issues tokens to a system client with private_key_jwt (SMART Backend Services), limited to its scopes', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS384');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'lab-1', alg: 'RS384', use: 'sig' };
    const admin = new DatabaseAdmin(s.fixtures.store, s.platform.resources);
    await admin.createClient({ clientId: 'lab-feed', scopes: 'system/Observation.rs', jwks: { keys: [jwk] } });
    const tokenUrl = `${s.baseUrl}/auth/token`;
    const assertion = (audience = tokenUrl) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS384', kid: 'lab-1', typ: 'JWT' })
        .setIssuer('lab-feed')
        .setSubject('lab-feed')
        .setAudience(audience)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime('4m')
        .sign(privateKey);
    const request = async (scope: string, clientAssertion: string) => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: clientAssertion,
        }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const ok = await request('system/Observation.rs system/Patient.rs', await assertion());
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.scope).toBe('system/Observation.rs');
    const claims = decodeJwt(ok.body.access_token);
    expect(claims).toMatchObject({
      sub: 'lab-feed',
      client_id: 'lab-feed',
      aud: s.fhirBase,
      scope: 'system/Observation.rs',
    });
    expect((await whoami(ok.body.access_token)).body.actor).toEqual({
      kind: 'system',
      clientId: 'lab-feed',
      scopes: ['system/Observation.rs'],
    });
    expect((await get(`${s.fhirBase}/Observation`, ok.body.access_token)).status).toBe(200);
    const patient = await get(`${s.fhirBase}/Patient/pat-1`, ok.body.access_token);
    expect(patient.status).toBe(403);
    expect(patient.body.issue[0].code).toBe('forbidden');
    // A replayed assertion, one for another audience, and one signed by another key are refused.
    const used = await assertion();
    expect((await request('system/Observation.rs', used)).status).toBe(200);
    expect((await request('system/Observation.rs', used)).status).toBe(401);
    expect((await request('system/Observation.rs', await assertion('https://elsewhere.example/token'))).status).toBe(
      401,
    );
    const other = await generateKeyPair('RS384');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS384', kid: 'lab-1' })
      .setIssuer('lab-feed')
      .setSubject('lab-feed')
      .setAudience(tokenUrl)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('4m')
      .sign(other.privateKey);
    expect((await request('system/Observation.rs', forged)).status).toBe(401);
  });

  it('gives the bootstrap client a token from the standard token endpoint (client_secret_basic)', async () => {
    const token = await clientCredentials(s.baseUrl, 'system/*.cruds');
    expect(token.status).toBe(200);
    expect(token.body.scope).toBe('system/*.cruds');
    const created = await fetch(`${s.fhirBase}/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Created' }] }),
    });
    expect(created.status).toBe(201);
    expect(
      (await clientCredentials(s.baseUrl, 'system/*.cruds', { id: TEST_BOOTSTRAP.id, secret: 'wrong' })).status,
    ).toBe(401);
    // The web app (public client) cannot use client credentials.
    const web = await fetch(`${s.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'careweave-web', scope: 'system/*.rs' }),
    });
    expect(web.status).toBe(400);
  });

  it('serves the admin API to administrators and the bootstrap client only', async () => {
    const bootstrap = (await clientCredentials(s.baseUrl, 'system/*.rs')).body.access_token;
    const created = await fetch(`${s.baseUrl}/api/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bootstrap}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'new.nurse', practitioner: 'prac-nurse', generatePassword: true }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as any;
    expect(body.user).toMatchObject({ username: 'new.nurse', fhirUser: 'Practitioner/prac-nurse', status: 'active' });
    expect(body.password).toMatch(/^\w{5}-/);
    const patient = await userToken('patient', 'openid patient/*.rs');
    expect((await get(`${s.baseUrl}/api/admin/users`, patient.tokens.access_token)).status).toBe(403);
    expect((await get(`${s.baseUrl}/api/admin/users`)).status).toBe(401);
    const admin = await userToken('admin', 'openid');
    // The token tells the web app to show the administration pages; nobody else's says so.
    expect(decodeJwt(admin.tokens.access_token).admin).toBe(true);
    expect(decodeJwt(patient.tokens.access_token).admin).toBeUndefined();
    const users = await get(`${s.baseUrl}/api/admin/users`, admin.tokens.access_token);
    expect(users.status).toBe(200);
    expect(users.body.map((u: { username: string }) => u.username)).toContain('new.nurse');
    // An administrator who is not a person in the record has no FHIR access.
    expect((await get(`${s.fhirBase}/Patient/pat-1`, admin.tokens.access_token)).status).toBe(403);
  });
});

describe('bootstrap client in production', () => {
  const env = {
    CAREWEAVE_PRODUCTION: 'true',
    CAREWEAVE_BOOTSTRAP_CLIENT_ID: 'bootstrap',
    CAREWEAVE_BOOTSTRAP_CLIENT_SECRET: 'a-long-enough-secret-for-the-bootstrap-client',
  };

  it('is refused by the configuration', () => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/BOOTSTRAP_CLIENT_ID is set but CAREWEAVE_PRODUCTION=true/);
    expect(() => loadConfig({ ...env, CAREWEAVE_PRODUCTION: 'false' })).not.toThrow();
  });

  it('stops `careweave start` before it opens the database', () => {
    const cli = path.resolve(import.meta.dirname, '../cli/main.ts');
    const result = spawnSync(process.execPath, [cli, 'start'], {
      env: { ...process.env, ...env, CAREWEAVE_DATA_DIR: '/nonexistent/careweave-test' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/BOOTSTRAP_CLIENT_ID is set but CAREWEAVE_PRODUCTION=true/);
  });
});
