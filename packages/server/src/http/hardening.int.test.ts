import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebApp } from './web-app.ts';
import { createTestApp, type FhirResponse, type TestApp } from '../testing/app.ts';
import { testDatabaseKind } from '../testing/database.ts';
import { registerHardening } from './hardening.ts';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

/** A refusal: the status, and an OperationOutcome whose first issue is an error with this code. */
function expectRefused(res: FhirResponse, status: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(status);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0].severity).toBe('error');
  if (code) {
    expect(res.body.issue[0].code).toBe(code);
  }
}

/** How many Patients the store holds, and the newest version in its history: both unchanged by a refusal. */
async function patientState(): Promise<unknown> {
  const count = (await t.fhir('GET', 'Patient?_summary=count')).body.total;
  const last = (await t.fhir('GET', 'Patient/_history?_count=1')).body.entry?.[0]?.fullUrl;
  return { count, last };
}

async function expectNothingWritten(write: () => Promise<FhirResponse>, status: number, code?: string) {
  const before = await patientState();
  const res = await write();
  expectRefused(res, status, code);
  expect(await patientState()).toEqual(before);
  return res;
}

const form = (pairs: [string, string][]) => ({
  method: 'POST' as const,
  url: '/fhir/R4/Patient/_search',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(pairs).toString(),
});

describe('unbounded work is refused', () => {
  it('POST Patient/_search with 2,000 name values: 400 too-costly naming the parameter', async () => {
    const res = await t.app.inject(form(Array.from({ length: 2000 }, (_, i) => ['name', `n${i}`])));
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.issue[0]).toMatchObject({ code: 'too-costly', expression: ['name'] });
  });

  it('200 comma-separated values in a GET: 400 too-costly', async () => {
    const values = Array.from({ length: 200 }, (_, i) => `n${i}`).join(',');
    const res = await t.fhir('GET', `Patient?name=${values}`);
    expectRefused(res, 400, 'too-costly');
    expect(res.body.issue[0].expression).toEqual(['name']);
  });

  it('more than 50 parameters: 400 too-costly', async () => {
    const query = Array.from({ length: 51 }, (_, i) => `birthdate=ge19${String(i).padStart(2, '0')}`).join('&');
    expectRefused(await t.fhir('GET', `Patient?${query}`), 400, 'too-costly');
  });

  it('a 3 MB Patient with 200,000 names: 413 too-costly, nothing written', async () => {
    const big = { resourceType: 'Patient', name: Array.from({ length: 200_000 }, () => ({ family: 'x' })) };
    await expectNothingWritten(() => t.fhir('POST', 'Patient', big), 413, 'too-costly');
  });

  it('a JSON Patch that doubles the resource thirty times: 413 too-costly, nothing changed', async () => {
    const created = await t.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Copy' }] });
    const doubling = [{ op: 'add', path: '/extension', value: [{ url: 'https://example.org/x', valueString: 'x' }] }];
    for (let i = 0; i < 30; i++) {
      doubling.push({ op: 'copy', from: '/extension', path: `/contained` } as never);
      doubling.push({ op: 'copy', from: '/contained', path: '/extension/-' } as never);
    }
    const patched = await t.fhir('PATCH', `Patient/${created.body.id}`, doubling, {
      'content-type': 'application/json-patch+json',
    });
    expectRefused(patched, 413, 'too-costly');
    expect((await t.fhir('GET', `Patient/${created.body.id}`)).body.meta.versionId).toBe('1');
    const many = Array.from({ length: 1001 }, () => ({ op: 'test', path: '/resourceType', value: 'Patient' }));
    const tooMany = await t.fhir('PATCH', `Patient/${created.body.id}`, many, {
      'content-type': 'application/json-patch+json',
    });
    expectRefused(tooMany, 413, 'too-costly');
  });

  it('the body node limit is a setting', async () => {
    const small = await createTestApp({ CAREWEAVE_MAX_JSON_NODES: '1000' });
    try {
      const names = Array.from({ length: 600 }, () => ({ family: 'x' }));
      expectRefused(await small.fhir('POST', 'Patient', { resourceType: 'Patient', name: names }), 413, 'too-costly');
      expect((await small.fhir('POST', 'Patient', { resourceType: 'Patient', name: names.slice(0, 100) })).status).toBe(
        201,
      );
    } finally {
      await small.close();
    }
  });
});

describe('bad input is a 400 OperationOutcome, never a 500', () => {
  it('JSON nested 10,000 deep', async () => {
    const body = `{"resourceType":"Patient","extension":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    await expectNothingWritten(() => t.fhir('POST', 'Patient', body), 400);
  });

  it('a lone surrogate in a string', async () => {
    const body = '{"resourceType":"Patient","name":[{"family":"\\ud800"}]}';
    await expectNothingWritten(() => t.fhir('POST', 'Patient', body), 400, 'invalid');
  });

  it('a lone surrogate inside a transaction Bundle', async () => {
    const body = `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","name":[{"family":"\\udfff"}]},"request":{"method":"POST","url":"Patient"}}]}`;
    await expectNothingWritten(() => t.fhir('POST', '', body), 400, 'invalid');
  });

  it('NUL in a resource string', async () => {
    const body = '{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"a\\u0000b"}]}';
    await expectNothingWritten(() => t.fhir('POST', 'Patient', body), 400, 'invalid');
  });

  it.each([
    ['NUL in a search value', 'GET', 'Patient?name=%00'],
    ['NUL in a token', 'GET', 'Patient?identifier=urn:x|%00'],
    ['NUL in a conditional delete', 'DELETE', 'Patient?identifier=%00'],
  ] as const)('%s', async (_name, method, url) => {
    expectRefused(await t.fhir(method, url), 400, 'invalid');
  });

  it('NUL in an id (caught where the database refuses it)', async () => {
    expectRefused(await t.fhir('GET', 'Patient/%00'), 400, 'invalid');
    const patient = await t.fhir('POST', 'Patient', { resourceType: 'Patient', gender: 'female' });
    expectRefused(await t.fhir('GET', `Patient/${patient.body.id}/$everything?_type=%00`), 400);
  });

  describe('a tampered _cursor', () => {
    const tamper = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

    beforeAll(async () => {
      for (const birthDate of ['1970-01-01', '1971-01-01', '1972-01-01']) {
        await t.fhir('POST', 'Patient', { resourceType: 'Patient', birthDate });
      }
    });

    it('the links it was given work', async () => {
      const page = await t.fhir('GET', 'Patient?_sort=birthdate&_count=1');
      const next = page.body.link.find((link: { relation: string }) => link.relation === 'next').url as string;
      expect((await t.fhir('GET', next.slice(next.indexOf('Patient?')))).status).toBe(200);
    });

    it.each([
      ['a date key that is not a date', 'Patient?_sort=birthdate', [0, 'not-a-date', 'x']],
      ['a date key on 30 February', 'Patient?_sort=birthdate', [0, '2024-02-30 00:00:00+00', 'x']],
      ['a number key that is not a number', 'RiskAssessment?_sort=probability', [0, '12abc', 'x']],
      ['NUL in a text key', 'Patient?_sort=family', [0, 'a\u0000', 'x']],
      ['values that are not strings', 'Patient?_sort=birthdate', [0, 1, 2]],
    ])('%s', async (_name, search, values) => {
      expectRefused(await t.fhir('GET', `${search}&_cursor=${tamper(values)}`), 400, 'invalid');
    });

    it.each([
      ['a history cursor with a bad date', ['yesterday', 'Patient', 'x', 1]],
      ['a history cursor with a bad version', ['2024-01-01T00:00:00.000Z', 'Patient', 'x', 'one']],
      ['a history cursor with NUL', ['2024-01-01T00:00:00.000Z', 'Patient', 'x\u0000', 1]],
    ])('%s', async (_name, values) => {
      expectRefused(await t.fhir('GET', `Patient/_history?_cursor=${tamper(values)}`), 400, 'invalid');
    });
  });

  it('a value too long for the search index: 413, and in a batch only that entry fails', async () => {
    // Random text does not compress: past PostgreSQL's B-tree row limit (2,704 bytes) once indexed.
    const patient = { resourceType: 'Patient', name: [{ family: randomBytes(9000).toString('hex') }] };
    await expectNothingWritten(() => t.fhir('POST', 'Patient', patient), 413, 'too-costly');
    const batch = await t.fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: patient, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 'other' }, request: { method: 'POST', url: 'Patient' } },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.entry.map((entry: { response: { status: string } }) => entry.response.status)).toEqual([
      '413',
      expect.stringMatching(/^201/),
    ]);
  });
});

describe('validation', () => {
  it('refuses birthDate 2024-02-30', async () => {
    const res = await expectNothingWritten(
      () => t.fhir('POST', 'Patient', { resourceType: 'Patient', birthDate: '2024-02-30' }),
      400,
    );
    expect(res.body.issue[0].expression).toEqual(['Patient.birthDate']);
  });

  it.each([
    ['__proto__', '{"resourceType":"Patient","__proto__":{"active":true}}', 'Patient.__proto__'],
    ['constructor', '{"resourceType":"Patient","name":[{"constructor":{"x":1}}]}', 'Patient.name[0].constructor'],
    ['prototype', '{"resourceType":"Patient","prototype":"x"}', 'Patient.prototype'],
  ])('refuses an element named %s', async (_name, body, expression) => {
    const res = await expectNothingWritten(() => t.fhir('POST', 'Patient', body), 400);
    expect(res.body.issue.map((issue: { expression?: string[] }) => issue.expression?.[0])).toContain(expression);
  });

  it('refuses one through a patch too', async () => {
    const created = await t.fhir('POST', 'Patient', { resourceType: 'Patient', gender: 'female' });
    const patch = JSON.stringify([{ op: 'add', path: '/birthDate', value: '2023-02-29' }]);
    const res = await t.fhir('PATCH', `Patient/${created.body.id}`, patch, {
      'content-type': 'application/json-patch+json',
    });
    expectRefused(res, 400);
    expect((await t.fhir('GET', `Patient/${created.body.id}`)).body.meta.versionId).toBe('1');
  });

  it('refuses an NHS number whose check digit is wrong, naming the element', async () => {
    const res = await expectNothingWritten(
      () => t.fhir('POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: NHS, value: '9000000000' }] }),
      400,
      'value',
    );
    expect(res.body.issue[0].expression).toEqual(['Patient.identifier[0].value']);
  });

  it('accepts a valid NHS number (PDS sandbox test patient)', async () => {
    const res = await t.fhir('POST', 'Patient', {
      resourceType: 'Patient',
      identifier: [{ system: NHS, value: '9000000009' }],
      birthDate: '2024-02-29',
    });
    expect(res.status).toBe(201);
  });
});

describe('statement timeout (PostgreSQL)', () => {
  it.skipIf(testDatabaseKind() !== 'postgres')(
    'a query cancelled by it is a 503 too-costly OperationOutcome, not a 500',
    async () => {
      // The store alone: care modules' start-up work (migrations, the referral forms) is not what is timed here.
      const slow = await createTestApp({ CAREWEAVE_STATEMENT_TIMEOUT_MS: '300' }, { modules: [] });
      const blocker = new pg.Client({ connectionString: slow.database.url });
      await blocker.connect();
      try {
        const rows = await slow.platform.db.query<{ statement_timeout: string }>('show statement_timeout');
        expect(rows[0]?.statement_timeout).toBe('300ms');
        // Another session holds the resource table, so the search waits until its timeout stops it.
        await blocker.query('begin');
        await blocker.query('lock table resource in access exclusive mode');
        const res = await slow.fhir('GET', 'Patient?name=anyone');
        expectRefused(res, 503, 'too-costly');
        await blocker.query('rollback');
        expect((await slow.fhir('GET', 'Patient?name=anyone')).status).toBe(200);
      } finally {
        await blocker.end();
        await slow.close();
      }
    },
  );
});

describe('HTTP hygiene', () => {
  it.each([
    ['a FHIR read', '/fhir/R4/metadata', 200],
    ['a FHIR 404', '/fhir/R4/Patient/nobody', 404],
    ['an unknown path', '/fhir/R4/nothing/here/at/all', 404],
    ['the health check', '/healthz', 200],
    ['the sign-in discovery document (written by the provider itself)', '/.well-known/openid-configuration', 200],
    ['a sign-in page', '/auth/interaction/unknown-uid', undefined],
    ['the web app', '/', undefined],
  ])('X-Content-Type-Options: nosniff on %s', async (_name, url, status) => {
    const res = await t.app.inject({ method: 'GET', url });
    if (status !== undefined) {
      expect(res.statusCode).toBe(status);
    }
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('a record is never kept by the browser: no-store on reads, searches, module APIs and errors', async () => {
    const created = await t.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Cache' }] });
    expect(created.status).toBe(201);
    for (const path of [`Patient/${created.body.id}`, 'Patient?family=Cache', 'Patient/no-such-patient']) {
      const res = await t.fhir('GET', path);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    expect((await t.fhir('GET', `Patient/${created.body.id}`)).headers['last-modified']).toBeDefined();
    expect((await t.app.inject({ method: 'GET', url: '/api/inbox' })).headers['cache-control']).toBe('no-store');
  });

  it('a route that may be cached says so: the SMART configuration', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/smart-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('max-age=300');
  });

  it('nosniff on an error from the body parser', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/fhir/R4/Patient',
      headers: { 'content-type': 'application/fhir+json' },
      payload: '{"resourceType": "Patient",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it("nosniff on the web app's static files", async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>CareWeave</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'app-123.js'), 'console.log(1)');
    const app = Fastify();
    registerHardening(app, { hstsMaxAge: 0 });
    await registerWebApp(app, dist);
    try {
      for (const url of ['/', '/assets/app-123.js', '/patients/pat-1']) {
        expect((await app.inject({ method: 'GET', url })).headers['x-content-type-options'], url).toBe('nosniff');
      }
      // The default no-store gives way to the web app's own rules: hashed files kept a year, pages revalidated.
      const asset = await app.inject({ method: 'GET', url: '/assets/app-123.js' });
      expect(asset.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
      expect((await app.inject({ method: 'GET', url: '/patients/pat-1' })).headers['cache-control']).toBe('no-cache');
    } finally {
      await app.close();
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });

  it.each([
    ['https base URL: one year by default', { CAREWEAVE_BASE_URL: 'https://care.example.test' }, 'max-age=31536000'],
    [
      'https base URL, turned off',
      { CAREWEAVE_BASE_URL: 'https://care.example.test', CAREWEAVE_HSTS_MAX_AGE: '0' },
      undefined,
    ],
    ['http base URL, set', { CAREWEAVE_HSTS_MAX_AGE: '600' }, 'max-age=600'],
  ])('Strict-Transport-Security with %s', async (_name, settings, expected) => {
    const other = await createTestApp(settings);
    try {
      for (const url of ['/fhir/R4/metadata', '/fhir/R4/Patient/nobody', '/.well-known/openid-configuration']) {
        const res = await other.app.inject({ method: 'GET', url });
        expect(res.headers['strict-transport-security'], url).toBe(expected);
      }
    } finally {
      await other.close();
    }
  });

  it('a URL over 8 KB: 414 OperationOutcome', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient?name=${'a'.repeat(9000)}` });
    expect(res.statusCode).toBe(414);
    expect(JSON.parse(res.body)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'too-costly' }] });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each([
    ['bad %-encoding', '/fhir/R4/Patient/%zz', 400],
    ['a path segment over the router limit', `/fhir/R4/Patient/${'a'.repeat(300)}`, 404],
  ])('%s: an OperationOutcome from the router', async (_name, url, status) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body).resourceType).toBe('OperationOutcome');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  describe('over a real socket', () => {
    let base: string;
    beforeAll(async () => {
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });

    it.each([
      ['a 100 KB query string (past Node’s header limit)', `/fhir/R4/Patient?name=${'a'.repeat(100_000)}`, {}, 414],
      ['a 12 KB query string', `/fhir/R4/Patient?name=${'a'.repeat(12_000)}`, {}, 414],
      ['100 KB of headers', '/fhir/R4/metadata', { 'x-padding': 'b'.repeat(100_000) }, 431],
    ])('%s: an OperationOutcome', async (_name, url, headers, status) => {
      const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${t.token}`, ...headers } });
      expect(res.status).toBe(status);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] });
    });
  });
});
