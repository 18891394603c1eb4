/**
 * Compressed responses for clients that ask for them, and compressed requests that cannot be used
 * to get round the body limit (a "zip bomb" from an attacker with a valid token).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ CAREWEAVE_MAX_REQUEST_BYTES: String(1024 * 1024) });
  for (let i = 0; i < 20; i++) {
    await t.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: `Compressed${i}`, given: ['Ada'] }] });
  }
}, 120_000);
afterAll(async () => t?.close());

describe('response compression', () => {
  it('gzips a FHIR search for a client that accepts gzip, and the body is the same Bundle', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient?name=Compressed&_count=20' });
    const gzipped = await t.app.inject({
      method: 'GET',
      url: '/fhir/R4/Patient?name=Compressed&_count=20',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['content-type']).toMatch(/application\/fhir\+json/);
    const bundle = JSON.parse(gunzipSync(gzipped.rawPayload).toString()) as { total?: number; entry: unknown[] };
    expect(bundle.entry).toHaveLength(20);
    expect(gzipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
  });

  it('sends a small response as it is', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/fhir/R4/Patient/nobody',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-encoding']).toBeUndefined();
  });
});

describe('compressed requests', () => {
  it('refuses a gzipped body that inflates past the request limit (413 OperationOutcome), writing nothing', async () => {
    const huge = JSON.stringify({
      resourceType: 'Patient',
      name: [{ family: 'Bomb', given: ['x'.repeat(4 * 1024 * 1024)] }],
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/fhir/R4/Patient',
      headers: { 'content-type': 'application/fhir+json', 'content-encoding': 'gzip' },
      payload: gzipSync(huge),
    });
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body).resourceType).toBe('OperationOutcome');
    const found = await t.fhir('GET', 'Patient?family=Bomb');
    expect((found.body as { total?: number; entry?: unknown[] }).entry ?? []).toHaveLength(0);
  });

  it('refuses an encoding it does not know with a 415 OperationOutcome', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/fhir/R4/Patient',
      headers: { 'content-type': 'application/fhir+json', 'content-encoding': 'zstd-unknown' },
      payload: '{"resourceType":"Patient"}',
    });
    expect(res.statusCode).toBe(415);
    expect(JSON.parse(res.body).resourceType).toBe('OperationOutcome');
  });
});
