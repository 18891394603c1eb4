import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseAdmin } from './admin.ts';
import { ensureSigningKeys } from './keys.ts';
import { Browser, formAction, pkce } from './testing/browser.ts';
import { PASSWORD } from './testing/fixtures.ts';
import { startAuthTestServer, type AuthTestServer } from './testing/server.ts';
import { mintToken, systemToken } from './testing/tokens.ts';

const RATE_LIMIT = 12;
const MAX_FAILURES = 5;
const MAX_FAILURES_PER_ADDRESS = 10;

describe('access token checks and sign-in abuse', () => {
  let s: AuthTestServer;
  const call = async (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    contentType = 'application/fhir+json',
  ) => {
    const response = await fetch(`${s.fhirBase}/${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const patientToken = (scope: string) =>
    mintToken(s.platform, {
      sub: s.fixtures.users.patient,
      client_id: 'careweave-web',
      scope,
      actor: 'patient',
      fhirUser: `${s.fhirBase}/Patient/pat-1`,
      patient: 'pat-1',
    });

  beforeAll(async () => {
    s = await startAuthTestServer({
      CAREWEAVE_AUTH_RATE_LIMIT: String(RATE_LIMIT),
      CAREWEAVE_LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      CAREWEAVE_LOGIN_MAX_FAILURES_PER_ADDRESS: String(MAX_FAILURES_PER_ADDRESS),
      // Sign-in attempts below come from several addresses, given in X-Forwarded-For.
      CAREWEAVE_TRUST_PROXY: 'true',
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('needs a token on every kind of FHIR request (and the admin API), but not for metadata', async () => {
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
    const transaction = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: observation, request: { method: 'POST', url: 'Observation' } }],
    };
    const requests: [string, string, unknown?, string?][] = [
      ['GET', 'Patient/pat-1'],
      ['GET', 'Patient/pat-1/_history/1'],
      ['GET', 'Patient?name=Patient'],
      ['POST', 'Patient/_search', 'name=Patient', 'application/x-www-form-urlencoded'],
      ['POST', 'Observation', observation],
      ['PUT', 'Patient/pat-1', { resourceType: 'Patient', id: 'pat-1' }],
      ['PUT', 'Patient?identifier=x', { resourceType: 'Patient' }],
      ['PATCH', 'Patient/pat-1', [{ op: 'replace', path: '/active', value: false }], 'application/json-patch+json'],
      ['DELETE', 'Patient/pat-1'],
      ['DELETE', 'Patient?identifier=x'],
      ['POST', '', transaction],
      ['POST', '', { ...transaction, type: 'batch' }],
      ['GET', '_history'],
      ['GET', 'Patient/_history'],
      ['GET', 'Patient/pat-1/_history'],
      ['GET', 'Patient/pat-1/$everything'],
    ];
    for (const [method, path, body, type] of requests) {
      const res = await call(method, path, undefined, body, type);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="CareWeave"');
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0].code).toBe('login');
    }
    const admin = await fetch(`${s.baseUrl}/api/admin/users`);
    expect(admin.status).toBe(401);
    expect((await call('GET', 'metadata')).status).toBe(200);
    expect((await call('GET', 'Patient/pat-1')).body.issue[0].diagnostics).toMatch(/access token is required/);
    // Nothing was written by any of them.
    const all = await call('GET', 'Observation', await systemToken(s.platform, 'system/*.rs'));
    expect(all.body.total ?? all.body.entry?.length ?? 0).toBe(0);
  });

  it('refuses malformed, forged, expired, misdirected and unsigned tokens', async () => {
    const claims = { sub: 'bootstrap-test', client_id: 'bootstrap-test', scope: 'system/*.rs', actor: 'system' };
    expect((await call('GET', 'Patient/pat-1', await mintToken(s.platform, claims))).status).toBe(200);

    const expect401 = async (token: string, why: RegExp) => {
      const res = await call('GET', 'Patient/pat-1', token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="CareWeave", error="invalid_token"/);
      expect(res.body.issue[0].diagnostics).toMatch(why);
    };
    // Signed with another key that claims our key id.
    const [ours] = await ensureSigningKeys(s.platform.db);
    const other = await generateKeyPair('RS256', { extractable: true });
    const otherJwk = { ...(await exportJWK(other.privateKey)), kid: ours!.kid, alg: 'RS256' };
    await expect401(await mintToken(s.platform, claims, { key: otherJwk }), /signature/);
    await expect401(await mintToken(s.platform, claims, { expiresIn: -120 }), /expired/);
    await expect401(await mintToken(s.platform, { ...claims, aud: 'https://other.example/fhir' }), /aud/);
    await expect401(await mintToken(s.platform, { ...claims, iss: 'https://evil.example/auth' }), /iss/);
    // An ID token (typ JWT) is not an access token.
    await expect401(await mintToken(s.platform, claims, { typ: 'JWT' }), /not valid/);
    // alg none, and HS256 keyed with our public key (algorithm confusion).
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = { ...claims, iss: `${s.baseUrl}/auth`, aud: s.fhirBase, iat: now, exp: now + 300 };
    await expect401(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload)}.`, /not valid|algorithm/);
    const publicJwk = JSON.stringify({ kty: ours!.kty, n: ours!.n, e: ours!.e });
    const hs = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: ours!.kid! })
      .sign(new TextEncoder().encode(publicJwk));
    await expect401(hs, /algorithm|not valid/);
    await expect401('not.a.token', /not valid/);
    const basic = await fetch(`${s.fhirBase}/Patient/pat-1`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
  });

  it('refuses requests the token’s scopes do not cover (403 forbidden)', async () => {
    const readOnly = await patientToken('patient/*.rs');
    expect((await call('GET', 'Patient/pat-1', readOnly)).status).toBe(200);
    expect((await call('GET', 'Observation?patient=pat-1', readOnly)).status).toBe(200);
    const writes: [string, string, unknown, string?][] = [
      ['POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' } }],
      ['PUT', 'Patient/pat-1', { resourceType: 'Patient', id: 'pat-1', active: false }],
      ['PATCH', 'Patient/pat-1', [{ op: 'replace', path: '/active', value: false }], 'application/json-patch+json'],
      ['DELETE', 'Patient/pat-1', undefined],
      [
        'POST',
        '',
        {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { request: { method: 'GET', url: 'Patient/pat-1' } },
            {
              resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } },
              request: { method: 'POST', url: 'Observation' },
            },
          ],
        },
      ],
    ];
    for (const [method, path, body, type] of writes) {
      const res = await call(method, path, readOnly, body, type);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.issue[0].code).toBe('forbidden');
    }
    const stillThere = await call('GET', 'Patient/pat-1', readOnly);
    expect(stillThere.body.active).toBeUndefined();
    // A read-only batch is fine.
    const readBatch = await call('POST', '', readOnly, {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ request: { method: 'GET', url: 'Patient/pat-1' } }],
    });
    expect(readBatch.status).toBe(200);

    const observationsOnly = await systemToken(s.platform, 'system/Observation.rs');
    expect((await call('GET', 'Observation', observationsOnly)).status).toBe(200);
    for (const path of [
      'Patient/pat-1',
      'Patient?name=x',
      'Observation?_include=Observation:subject',
      'Patient/pat-1/$everything',
      '_history',
    ]) {
      const res = await call('GET', path, observationsOnly);
      expect(res.status, path).toBe(403);
    }
    // Scopes for another context do not count: a member of staff's token with patient/ scopes.
    const staff = await mintToken(s.platform, {
      sub: s.fixtures.users.nurse,
      client_id: 'careweave-web',
      scope: 'patient/*.cruds',
      actor: 'staff',
      fhirUser: `${s.fhirBase}/Practitioner/prac-nurse`,
      role_profile: { organization: 'org-practice', role: 'R8001' },
    });
    expect((await call('GET', 'Patient/pat-1', staff)).status).toBe(403);
  });

  it('stops accepting a locked account’s tokens', async () => {
    const admin = new DatabaseAdmin(s.fixtures.store, s.platform.resources);
    const token = await mintToken(s.platform, {
      sub: s.fixtures.users.carer,
      client_id: 'careweave-web',
      scope: 'patient/*.rs',
      actor: 'related-person',
      fhirUser: `${s.fhirBase}/RelatedPerson/rp-1`,
      patient: 'pat-1',
    });
    await admin.lockUser('carer');
    const res = await call('GET', 'Patient/pat-1', token);
    expect(res.status).toBe(401);
    expect(res.body.issue[0].diagnostics).toMatch(/locked/);
    await admin.unlockUser('carer');
  });

  /** A fresh login form in a fresh browser; posts to it come from `address` (X-Forwarded-For, trusted here). */
  const loginForm = async (address: string) => {
    const browser = new Browser();
    const { challenge } = pkce();
    const start = await browser.follow(
      `${s.baseUrl}/auth/authorize?${new URLSearchParams({
        client_id: 'careweave-web',
        response_type: 'code',
        redirect_uri: s.redirectUri,
        scope: 'openid user/*.rs',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString()}`,
    );
    expect(start.status).toBe(200);
    const action = formAction(start.body, start.url);
    return async (username: string, password: string) => {
      const page = await browser.request(action, {
        form: { username, password },
        headers: { 'x-forwarded-for': address },
      });
      // The page echoes the username typed; apart from that, refusals must be identical.
      return { status: page.status, body: page.body.replaceAll(`value="${username}"`, 'value=""') };
    };
  };

  it('throttles failed passwords per account, client and address, and answers every refusal alike', async () => {
    const admin = new DatabaseAdmin(s.fixtures.store, s.platform.resources);
    const stranger = await loginForm('198.51.100.1');
    const refusals: { status: number; body: string }[] = [];
    for (let i = 1; i <= MAX_FAILURES; i++) {
      refusals.push(await stranger('nurse', `wrong password ${i}`));
    }
    // The stranger has used up their tries at this account: even the right password is refused,
    // with the same page as a wrong one.
    refusals.push(await stranger('nurse', PASSWORD));
    refusals.push(await stranger('nobody-by-this-name', 'whatever-password'));
    await admin.lockUser('carer');
    try {
      refusals.push(await stranger('carer', PASSWORD));
    } finally {
      await admin.unlockUser('carer');
    }
    for (const refusal of refusals) {
      expect(refusal.status).toBe(401);
      expect(refusal.body).toContain('Enter a correct username and password');
      expect(refusal.body).toBe(refusals[0]!.body);
    }
    expect(refusals[0]!.body).not.toMatch(/locked|does not exist|not found/i);
    // No account is locked: the nurse, from their own computer, signs in at once.
    const nurse = await loginForm('198.51.100.2');
    expect((await nurse('nurse', PASSWORD)).status).toBe(303);
    const stored = await s.fixtures.store.userByLogin('nurse');
    expect(stored!.lockedUntil).toBeNull();
    expect(stored!.disabled).toBe(false);
    // Still throttled where the guessing came from, until an administrator unlocks the account.
    const again = await loginForm('198.51.100.1');
    expect((await again('nurse', PASSWORD)).status).toBe(401);
    await admin.unlockUser('nurse');
    expect((await again('nurse', PASSWORD)).status).toBe(303);
  });

  it('throttles an address that tries many accounts, and only that address', async () => {
    const sprayer = await loginForm('198.51.100.3');
    for (let i = 1; i <= MAX_FAILURES_PER_ADDRESS; i++) {
      expect((await sprayer(`guess-${i}`, 'password123456')).status).toBe(401);
    }
    expect((await sprayer('patient', PASSWORD)).status).toBe(401);
    expect((await (await loginForm('198.51.100.4'))('patient', PASSWORD)).status).toBe(303);
    const [row] = await s.platform.db.query<{ count: number }>(
      `select count from auth_rate_limit where key = 'login|address|198.51.100.3'`,
    );
    expect(Number(row!.count)).toBe(MAX_FAILURES_PER_ADDRESS + 1);
  });

  it('rate-limits the login form and the token endpoint per IP (429), counted in the database', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 1; i++) {
      const res = await fetch(`${s.baseUrl}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await res.json()) as any).error).toBe('too_many_requests');
      } else {
        await res.body?.cancel();
      }
    }
    expect(statuses.slice(0, RATE_LIMIT).every((status) => status === 401)).toBe(true);
    expect(statuses[RATE_LIMIT]).toBe(429);
    const [row] = await s.platform.db.query<{ count: number }>(
      `select count from auth_rate_limit where key like '%/auth/token%'`,
    );
    expect(Number(row!.count)).toBe(RATE_LIMIT + 1);

    // The login form has its own budget.
    let last = 0;
    for (let i = 0; i < RATE_LIMIT + 1 && last !== 429; i++) {
      const res = await fetch(`${s.baseUrl}/auth/interaction/any-uid/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=a&password=b',
      });
      last = res.status;
      const text = await res.text();
      if (last === 429) {
        expect(text).toContain('Too many attempts');
      }
    }
    expect(last).toBe(429);
  });
});
