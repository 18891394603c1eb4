import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createPlatform } from '../http/app.ts';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../testing/database.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';
import { exchangeCode, signIn } from './testing/browser.ts';
import { PASSWORD, seedAuthFixtures } from './testing/fixtures.ts';
import { clientCredentials, TEST_BOOTSTRAP } from './testing/server.ts';

/**
 * Two CareWeave processes on one PostgreSQL: keys, sessions, interactions and rate limits live in
 * the database, so either instance can finish what the other started.
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('sign-in across two app processes', () => {
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  const redirectUri = 'http://app.careweave.test/callback';
  const fhirBase = 'http://careweave.test/fhir/R4';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await seedAuthFixtures(createPlatform(loadConfig({ CAREWEAVE_BASE_URL: 'http://careweave.test' }), database.db));
    const env = {
      CAREWEAVE_DATABASE_URL: database.url!,
      CAREWEAVE_DEMO_DATA: 'false',
      CAREWEAVE_BASE_URL: 'http://careweave.test',
      CAREWEAVE_WEB_REDIRECT_URIS: redirectUri,
      CAREWEAVE_BOOTSTRAP_CLIENT_ID: TEST_BOOTSTRAP.id,
      CAREWEAVE_BOOTSTRAP_CLIENT_SECRET: TEST_BOOTSTRAP.secret,
      CAREWEAVE_AUTH_RATE_LIMIT: '8',
      CAREWEAVE_LOG_LEVEL: 'error',
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.dispose();
  });

  const read = (server: ServerProcess, token: string) =>
    fetch(`${server.baseUrl}/fhir/R4/Patient/pat-1`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status,
    );

  it('signs with the same key on both, so a token from A is accepted by B', async () => {
    const [jwksA, jwksB] = await Promise.all(
      [a, b].map((server) => fetch(`${server.baseUrl}/auth/jwks`).then((r) => r.json())),
    );
    expect(jwksA).toEqual(jwksB);
    const token = await clientCredentials(a.baseUrl, 'system/*.rs');
    expect(token.status).toBe(200);
    expect(await read(b, token.body.access_token)).toBe(200);
    expect(await read(a, token.body.access_token)).toBe(200);
  });

  it('finishes on B a sign-in started on A, and tokens from that code work on both', async () => {
    const result = await signIn({
      baseUrl: a.baseUrl,
      loginBaseUrl: b.baseUrl,
      username: 'patient',
      password: PASSWORD,
      scope: 'openid fhirUser patient/*.rs',
      redirectUri,
    });
    expect(result.code, result.page?.body.slice(0, 300)).toBeDefined();
    const hosts = result.browser.history.map((step) => new URL(step.url).port);
    expect(hosts).toContain(new URL(a.baseUrl).port);
    expect(hosts).toContain(new URL(b.baseUrl).port);
    const tokens = await exchangeCode(a.baseUrl, result.code!, result.verifier, redirectUri);
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.access_token)).toMatchObject({ patient: 'pat-1', aud: fhirBase });
    expect(await read(b, tokens.body.access_token)).toBe(200);
  });

  it('refuses on B, within seconds, a token whose code was replayed on A', async () => {
    const result = await signIn({
      baseUrl: a.baseUrl,
      username: 'patient',
      password: PASSWORD,
      scope: 'openid patient/*.rs',
      redirectUri,
    });
    const tokens = await exchangeCode(a.baseUrl, result.code!, result.verifier, redirectUri);
    expect(tokens.status).toBe(200);
    // B has seen the token while it was good, so it may trust that for a moment…
    expect(await read(b, tokens.body.access_token)).toBe(200);
    expect((await exchangeCode(a.baseUrl, result.code!, result.verifier, redirectUri)).status).toBe(400);
    expect(await read(a, tokens.body.access_token)).toBe(401);
    // …but only for a few seconds: revocation lives in the database, not in A's memory.
    const started = Date.now();
    while ((await read(b, tokens.body.access_token)) !== 401) {
      expect(Date.now() - started).toBeLessThan(10_000);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  it('counts the rate limit across both instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const server = i % 2 === 0 ? a : b;
      const res = await fetch(`${server.baseUrl}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }),
      });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    // Of the budget of 8, the earlier tests used 4 (the bootstrap token on A, three code exchanges on A).
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429, 429, 429]);
  });
});
