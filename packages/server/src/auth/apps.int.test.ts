import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, exchangeCode, formAction, pkce, signIn } from './testing/browser.ts';
import { PASSWORD } from './testing/fixtures.ts';
import { clientCredentials, startAuthTestServer, type AuthTestServer } from './testing/server.ts';

/**
 * Third-party SMART apps (issue 15 items 1): registration through the admin API and RFC 7591,
 * the consent screen, and a person taking an app back — with the attacks a valid account or a
 * registering app could try.
 */
const APP_ORIGIN = 'https://growth-charts.example.org';
const APP = { clientId: 'growth-charts', redirectUri: `${APP_ORIGIN}/callback` };

let s: AuthTestServer;
let adminToken: string;

const json = (method: string, url: string, token: string | undefined, body?: unknown) =>
  fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  s = await startAuthTestServer();
  adminToken = (await clientCredentials(s.baseUrl, 'system/*.cruds')).body.access_token;
});
afterAll(async () => {
  await s?.close();
});

/** A SMART standalone launch up to the consent screen (or the redirect, when none is shown). */
async function launch(
  username: string,
  options: { clientId?: string; redirectUri?: string; scope?: string; browser?: Browser } = {},
) {
  const browser = options.browser ?? new Browser();
  const redirectUri = options.redirectUri ?? APP.redirectUri;
  const { verifier, challenge } = pkce();
  const url = new URL(`${s.baseUrl}/auth/authorize`);
  url.search = new URLSearchParams({
    client_id: options.clientId ?? APP.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: options.scope ?? 'openid fhirUser launch/patient offline_access patient/*.rs',
    state: 'st-1',
    aud: s.fhirBase,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  let page = await browser.follow(url.href, {}, redirectUri);
  if (page.status === 200 && page.body.includes('name="password"')) {
    page = await browser.follow(
      formAction(page.body, page.url),
      { form: { username, password: PASSWORD } },
      redirectUri,
    );
  }
  return { page, browser, verifier, redirectUri };
}

/** Presses a button on the consent screen; returns where the browser was sent. */
async function decide(step: Awaited<ReturnType<typeof launch>>, decision: 'allow' | 'deny') {
  return step.browser.follow(formAction(step.page.body, step.page.url), { form: { decision } }, step.redirectUri);
}

async function webToken(username: string): Promise<string> {
  const result = await signIn({
    baseUrl: s.baseUrl,
    username,
    password: PASSWORD,
    scope: 'openid patient/*.rs user/*.rs',
    redirectUri: s.redirectUri,
  });
  return (await exchangeCode(s.baseUrl, result.code!, result.verifier, s.redirectUri)).body.access_token;
}

describe('registering a SMART app through the admin API', () => {
  it('registers a public app, lists it, and lets its origin through CORS', async () => {
    const res = await json('POST', `${s.baseUrl}/api/admin/apps`, adminToken, {
      clientId: APP.clientId,
      name: 'Growth charts',
      redirectUris: [APP.redirectUri],
      scopes: 'patient/*.rs user/*.rs',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { app: { authentication: string; scopes: string }; clientSecret?: string };
    expect(body.app.authentication).toBe('none');
    expect(body.app.scopes).toBe('patient/*.rs user/*.rs');
    expect(body.clientSecret).toBeUndefined();
    const list = (await (await json('GET', `${s.baseUrl}/api/admin/apps`, adminToken)).json()) as {
      clientId: string;
    }[];
    expect(list.map((a) => a.clientId)).toContain(APP.clientId);
    // Stored in the database, not in this process: a row another instance reads.
    const [row] = await s.platform.db.query<{ n: number }>(
      'select count(*)::int as n from auth_client where client_id = $1',
      [APP.clientId],
    );
    expect(row!.n).toBe(1);
    const preflight = await fetch(`${s.fhirBase}/Patient`, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it('gives a confidential app a secret, shown once', async () => {
    const res = await json('POST', `${s.baseUrl}/api/admin/apps`, adminToken, {
      clientId: 'diary-confidential',
      name: 'Symptom diary',
      redirectUris: ['https://diary.example.org/cb'],
      authentication: 'client_secret_basic',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { clientSecret: string; app: { scopes: string } };
    expect(body.clientSecret.length).toBeGreaterThanOrEqual(40);
    expect(body.app.scopes).toBe('patient/*.rs user/*.rs');
  });

  it.each([
    ['a system scope', { scopes: 'system/*.cruds' }, /not a SMART patient\/ or user\/ scope/],
    ['an http redirect URI off this machine', { redirectUris: ['http://apps.example/cb'] }, /https/],
    ['another app’s redirect URI', { redirectUris: [APP.redirectUri] }, /belongs to another app/],
    ['the web app’s redirect URI', { redirectUris: ['WEB'] }, /belongs to another app/],
    ['an existing client id', { clientId: APP.clientId }, /already exists/],
    ['no redirect URI', { redirectUris: [] }, /redirect URI/],
    ['private_key_jwt without keys', { authentication: 'private_key_jwt' }, /jwks/],
  ])('refuses %s with a 400 OperationOutcome', async (_name, change, message) => {
    const body = {
      clientId: 'evil-app',
      name: 'Evil',
      redirectUris: ['https://evil.example/cb'],
      ...change,
    } as Record<string, unknown>;
    if (Array.isArray(body.redirectUris) && body.redirectUris[0] === 'WEB') {
      body.redirectUris = [s.redirectUri];
    }
    const res = await json('POST', `${s.baseUrl}/api/admin/apps`, adminToken, body);
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as { resourceType: string; issue: { diagnostics: string }[] };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]!.diagnostics).toMatch(message);
  });

  it('is for administrators only', async () => {
    const patient = await webToken('patient');
    const res = await json('POST', `${s.baseUrl}/api/admin/apps`, patient, {
      clientId: 'patient-app',
      name: 'Mine',
      redirectUris: ['https://mine.example/cb'],
    });
    expect(res.status).toBe(403);
    const iat = await json('POST', `${s.baseUrl}/api/admin/apps/initial-access-tokens`, patient, {});
    expect(iat.status).toBe(403);
  });
});

describe('dynamic registration (RFC 7591) at /auth/reg', () => {
  let iat: string;
  const register = (body: unknown, token: string | undefined = iat) =>
    json('POST', `${s.baseUrl}/auth/reg`, token, body);

  beforeAll(async () => {
    const res = await json('POST', `${s.baseUrl}/api/admin/apps/initial-access-tokens`, adminToken, {
      expiresInSeconds: 600,
    });
    expect(res.status).toBe(201);
    iat = ((await res.json()) as { token: string }).token;
  });

  it('is advertised in SMART discovery', async () => {
    const smart = (await (await fetch(`${s.fhirBase}/.well-known/smart-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(smart.registration_endpoint).toBe(`${s.baseUrl}/auth/reg`);
  });

  it.each([
    ['no initial access token', undefined],
    ['a made-up one', 'not-a-real-initial-access-token'],
  ])('refuses a registration with %s', async (_name, token) => {
    const res = await register(
      { client_name: 'Sneaky', redirect_uris: ['https://sneaky.example/cb'], token_endpoint_auth_method: 'none' },
      token ?? '',
    );
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
    const [row] = await s.platform.db.query<{ n: number }>(
      `select count(*)::int as n from auth_client where metadata->>'client_name' = 'Sneaky'`,
    );
    expect(row!.n).toBe(0);
  });

  it('registers a public app under an id it did not choose, held to the app rules', async () => {
    const res = await register({
      client_id: APP.clientId,
      client_name: 'Medicines tracker',
      redirect_uris: ['https://meds.example.org/callback'],
      token_endpoint_auth_method: 'none',
      scope: 'openid launch/patient patient/*.rs system/*.cruds',
      careweave_allowed_scopes: 'system/*.cruds',
      careweave_purpose: 'research',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.client_id).not.toBe(APP.clientId);
    expect(body.grant_types).toEqual(['authorization_code', 'refresh_token']);
    expect(body.careweave_allowed_scopes).toBe('patient/*.rs');
    expect(body.careweave_purpose).toBeUndefined();
    expect(body.registration_access_token).toBeUndefined();
    const [row] = await s.platform.db.query<{ scopes: string }>(
      `select metadata->>'careweave_allowed_scopes' as scopes from auth_client where client_id = $1`,
      [String(body.client_id)],
    );
    expect(row!.scopes).toBe('patient/*.rs');
    // The original app is untouched.
    const [original] = await s.platform.db.query<{ uris: string[] }>(
      `select metadata->'redirect_uris' as uris from auth_client where client_id = $1`,
      [APP.clientId],
    );
    expect(original!.uris).toEqual([APP.redirectUri]);
  });

  it('gives a confidential app its secret', async () => {
    const res = await register({
      client_name: 'Clinic portal',
      redirect_uris: ['https://clinic.example.org/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { client_secret?: string };
    expect(typeof body.client_secret).toBe('string');
  });

  it.each([
    ['another app’s redirect URI', { redirect_uris: [APP.redirectUri] }, 'invalid_redirect_uri'],
    ['an http redirect URI off this machine', { redirect_uris: ['http://plain.example/cb'] }, 'invalid_redirect_uri'],
    ['no redirect URI', { redirect_uris: [] }, 'invalid_redirect_uri'],
    ['redirect_uris that are not a list', { redirect_uris: 'https://x.example/cb' }, 'invalid_redirect_uri'],
    [
      'a JWKS with a private key',
      { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      'invalid_client_metadata',
    ],
    ['client credentials', { grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
    ['no name', { client_name: '' }, 'invalid_client_metadata'],
    ['an unadvertised auth method', { token_endpoint_auth_method: 'tls_client_auth' }, 'invalid_client_metadata'],
  ])('refuses %s with the RFC 7591 error', async (_name, change, error) => {
    const res = await register({
      client_name: 'Bad metadata',
      redirect_uris: ['https://bad.example/cb'],
      token_endpoint_auth_method: 'none',
      ...change,
    });
    const body = (await res.json()) as { error: string; error_description: string };
    expect(res.status, body.error_description).toBe(400);
    expect(body.error, body.error_description).toBe(error);
  });

  it('has no registration management: a registration cannot be read or changed at /auth/reg/:id', async () => {
    const res = await fetch(`${s.baseUrl}/auth/reg/${APP.clientId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: APP.clientId, redirect_uris: ['https://evil.example/cb'] }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const [original] = await s.platform.db.query<{ uris: string[] }>(
      `select metadata->'redirect_uris' as uris from auth_client where client_id = $1`,
      [APP.clientId],
    );
    expect(original!.uris).toEqual([APP.redirectUri]);
  });
});

describe('the consent screen and connected apps', () => {
  it('asks the patient, in plain words; refusing sends access_denied back to the app', async () => {
    const step = await launch('patient');
    expect(step.page.status).toBe(200);
    expect(step.page.body).toContain('Allow Growth charts to use your health record?');
    expect(step.page.body).toContain('Read and search everything in your health record');
    expect(step.page.body).toContain('Know whose health record you are using it with');
    const back = await decide(step, 'deny');
    const location = new URL(back.location!);
    expect(location.href.startsWith(APP.redirectUri)).toBe(true);
    expect(location.searchParams.get('error')).toBe('access_denied');
    const list = await (await json('GET', `${s.baseUrl}/api/connected-apps`, await webToken('patient'))).json();
    expect(list).toEqual([]);
  });

  it('lists only what the app may have among what it asked for', async () => {
    const step = await launch('patient', { scope: 'openid launch/patient patient/*.cruds' });
    expect(step.page.body).toContain('It asked for more, which it will not get');
  });

  let appTokens: { access_token: string; refresh_token: string; patient: string; scope: string };

  it('on Allow, issues a token for the patient in context, and remembers the decision', async () => {
    const step = await launch('patient');
    const back = await decide(step, 'allow');
    const code = new URL(back.location!).searchParams.get('code')!;
    const tokens = await exchangeCode(s.baseUrl, code, step.verifier, APP.redirectUri, APP.clientId);
    expect(tokens.status).toBe(200);
    appTokens = tokens.body;
    expect(appTokens.patient).toBe('pat-1');
    expect(appTokens.scope.split(' ')).toEqual(expect.arrayContaining(['launch/patient', 'patient/*.rs']));
    expect(decodeJwt(appTokens.access_token).client_id).toBe(APP.clientId);
    const read = await fetch(`${s.fhirBase}/Patient/${appTokens.patient}`, {
      headers: { authorization: `Bearer ${appTokens.access_token}` },
    });
    expect(read.status).toBe(200);
    // fhirclient refreshes without client_id (a public client has nothing to authenticate with).
    const refreshed = await fetch(`${s.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: appTokens.refresh_token }),
    });
    const renewed = (await refreshed.json()) as typeof appTokens;
    expect(refreshed.status, JSON.stringify(renewed)).toBe(200);
    expect(renewed.patient).toBe('pat-1');
    appTokens = { ...appTokens, ...renewed };
    // A new sign-in (new browser) is not asked again.
    const again = await launch('patient');
    expect(again.page.location?.startsWith(APP.redirectUri)).toBe(true);
    expect(new URL(again.page.location!).searchParams.get('code')).toBeTruthy();
  });

  it('shows the patient the app on the connected-apps API, in plain words', async () => {
    const res = await json('GET', `${s.baseUrl}/api/connected-apps`, await webToken('patient'));
    expect(res.status).toBe(200);
    const apps = (await res.json()) as { clientId: string; name: string; allowed: string[] }[];
    expect(apps).toHaveLength(1);
    expect(apps[0]!.name).toBe('Growth charts');
    expect(apps[0]!.allowed).toContain(
      'Read and search everything in your health record (or the record of the person you care for)',
    );
  });

  it('does not let an app, nor another person, see or revoke the patient’s apps', async () => {
    const byApp = await json('GET', `${s.baseUrl}/api/connected-apps`, appTokens.access_token);
    expect(byApp.status).toBe(403);
    const revokeByApp = await json('DELETE', `${s.baseUrl}/api/connected-apps/${APP.clientId}`, appTokens.access_token);
    expect(revokeByApp.status).toBe(403);
    const carer = await webToken('carer');
    const revokeByCarer = await json('DELETE', `${s.baseUrl}/api/connected-apps/${APP.clientId}`, carer);
    expect(revokeByCarer.status).toBe(404);
    expect(((await revokeByCarer.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    const still = await fetch(`${s.fhirBase}/Patient/${appTokens.patient}`, {
      headers: { authorization: `Bearer ${appTokens.access_token}` },
    });
    expect(still.status).toBe(200);
  });

  it('revoking ends the grant: its access and refresh tokens stop working, and the patient is asked again', async () => {
    const patient = await webToken('patient');
    const res = await json('DELETE', `${s.baseUrl}/api/connected-apps/${APP.clientId}`, patient);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revokedGrants: number }).revokedGrants).toBeGreaterThanOrEqual(1);
    const read = await fetch(`${s.fhirBase}/Patient/${appTokens.patient}`, {
      headers: { authorization: `Bearer ${appTokens.access_token}` },
    });
    expect(read.status).toBe(401);
    const refresh = await fetch(`${s.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: appTokens.refresh_token,
        client_id: APP.clientId,
      }),
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
    expect(await (await json('GET', `${s.baseUrl}/api/connected-apps`, patient)).json()).toEqual([]);
    const again = await launch('patient');
    expect(again.page.status).toBe(200);
    expect(again.page.body).toContain('Allow Growth charts');
  });

  it('never shows the consent screen for the first-party web app', async () => {
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

describe('a staff standalone launch with launch/patient (SMART context-standalone-patient)', () => {
  const STAFF_SCOPE = 'openid fhirUser launch/patient user/*.rs';
  const picker = async () => {
    const step = await launch('nurse', { scope: STAFF_SCOPE });
    expect(step.page.status).toBe(200);
    expect(step.page.body).toContain('Which patient is Growth charts for?');
    const search = (q: string) => {
      const url = new URL(step.page.url.replace(/\/(login|consent|patient)$/, ''));
      const form = /action="([^"]*\/patients)"/.exec(step.page.body)![1]!;
      const profile = /name="profile" value="([^"]+)"/.exec(step.page.body)![1]!;
      return step.browser.request(`${new URL(form, url).href}?${new URLSearchParams({ q, profile }).toString()}`);
    };
    return { step, search };
  };

  it('lets the member of staff pick only a patient they may see, and names that patient in the token response', async () => {
    const { step, search } = await picker();
    const found = await search('Patient');
    expect(found.status).toBe(200);
    expect(found.body).toContain('value="pat-1"');
    const other = await search('Other');
    expect(other.body).not.toContain('value="pat-2"');
    const choose = new URL(/<form method="post" action="([^"]+)"/.exec(found.body)![1]!, found.url).href;
    const consentPage = await step.browser.follow(choose, {
      form: { patient: 'pat-1', profile: /name="profile" value="([^"]+)"/.exec(found.body)![1]! },
    });
    expect(consentPage.body).toContain('It will work with the record of <strong>Pat Patient</strong>');
    const back = await step.browser.follow(
      formAction(consentPage.body, consentPage.url),
      {
        form: {
          decision: 'allow',
          patient: 'pat-1',
          profile: /name="profile" value="([^"]+)"/.exec(consentPage.body)![1]!,
        },
      },
      APP.redirectUri,
    );
    const code = new URL(back.location!).searchParams.get('code')!;
    const tokens = await exchangeCode(s.baseUrl, code, step.verifier, APP.redirectUri, APP.clientId);
    expect(tokens.status).toBe(200);
    expect(tokens.body.patient).toBe('pat-1');
    expect(tokens.body.scope.split(' ')).toEqual(expect.arrayContaining(['launch/patient', 'user/*.rs']));
  });

  it('refuses a patient the member of staff may not see, even when the form is forged', async () => {
    const { step } = await picker();
    const profile = /name="profile" value="([^"]+)"/.exec(step.page.body)![1]!;
    const base = step.page.url.replace(/\/(login)$/, '');
    const forged = await step.browser.request(`${base}/patient`, { form: { patient: 'pat-2', profile } });
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('Choose a patient you may see');
    const forgedConsent = await step.browser.request(`${base}/consent`, {
      form: { decision: 'allow', patient: 'pat-2', profile },
    });
    expect(forgedConsent.status).toBe(400);
    expect(forgedConsent.location).toBeUndefined();
  });
});
