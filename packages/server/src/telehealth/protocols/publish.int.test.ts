import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { PROTOCOL_LIBRARY } from './library/index.ts';
import { publishProtocols } from './publish.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
});
afterAll(async () => t.close());

describe('the protocol library in the record', () => {
  it('is published as PlanDefinitions with the demo data, once', async () => {
    expect(await publishProtocols(t.platform.resources, PROTOCOL_LIBRARY)).toBe(PROTOCOL_LIBRARY.length);
    const search = await t.fhir('GET', 'PlanDefinition?_count=50');
    expect(search.status).toBe(200);
    const ids = search.body.entry.map((e: any) => e.resource.id);
    expect(ids).toContain('telehealth-copd-v1');
    expect(ids.length).toBeGreaterThanOrEqual(PROTOCOL_LIBRARY.length);
    // A restart writes nothing new.
    expect(await publishProtocols(t.platform.resources, PROTOCOL_LIBRARY)).toBe(0);
    const history = await t.fhir('GET', 'PlanDefinition/telehealth-copd-v1/_history');
    expect(history.body.total ?? history.body.entry.length).toBe(1);
  });

  it('exports each protocol as JSON to signed-in users, with a 404 OperationOutcome for an unknown one', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/telehealth/protocols' });
    expect(list.statusCode).toBe(200);
    expect(JSON.parse(list.body).protocols).toHaveLength(PROTOCOL_LIBRARY.length);
    const copd = await t.app.inject({ method: 'GET', url: '/api/telehealth/protocols/copd' });
    expect(JSON.parse(copd.body)).toMatchObject({
      id: 'copd',
      version: 1,
      guideline: { citation: expect.stringMatching(/NG115/) },
    });
    const unknown = await t.app.inject({ method: 'GET', url: '/api/telehealth/protocols/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body).resourceType).toBe('OperationOutcome');
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/api/telehealth/protocols',
      headers: { authorization: '' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
