import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInfrastructureModel } from '../seed/infrastructure.ts';
import { loadSeedPopulation } from '../seed/load.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { seedTelehealthDemo } from './seed.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
  await loadSeedPopulation(t.platform.resources, { patients: 400, seed: 1 });
});
afterAll(async () => t.close());

describe('telehealth demo data', () => {
  it('enrols demo patients with months of readings, some of them red with alerts, once', async () => {
    const service = t.app.modules.use('telehealth');
    const enrolled = await seedTelehealthDemo(t.platform.resources, service, { seed: 1, days: 60 });
    expect(enrolled).toBeGreaterThanOrEqual(4);
    const plans = await t.fhir('GET', 'CarePlan?_count=50');
    const demo = plans.body.entry.filter((e: any) => e.resource.id.startsWith('demo-th-'));
    expect(demo.length).toBe(enrolled);
    const rows = await t.platform.db.query<{ status: string }>(`select status from telehealth_enrolment`);
    expect(rows.filter((row) => row.status === 'active').length).toBe(enrolled);
    const readings = await t.fhir('GET', `Observation?based-on=CarePlan/${demo[0].resource.id}&_summary=count`);
    expect(readings.body.total).toBeGreaterThan(30);
    const alerts = await t.fhir('GET', 'Task?code=telehealth-alert&_summary=count');
    expect(alerts.body.total).toBeGreaterThan(0);
    // demo.telehealth (the demo practice's first nurse) has patients of her own on first start.
    const nurse = `Practitioner/${buildInfrastructureModel(1).practices[0]!.nurses[0]!.id}`;
    const hers = demo.filter((e: any) => e.resource.author?.reference === nurse);
    expect(hers.length).toBeGreaterThanOrEqual(2);
    expect(await seedTelehealthDemo(t.platform.resources, service, { seed: 1, days: 60 })).toBe(0);
  });
});
