/**
 * The demo profiles (on PGlite and PostgreSQL), in both cases the brief asks for: before the risk
 * model has scored anyone (the practice's oldest multimorbid patients) and once it has (its
 * high-risk patients). Each has what matters to them and a ReSPECT form; a second run adds nothing.
 */
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInfrastructureModel } from '../seed/infrastructure.ts';
import { loadSeedPopulation } from '../seed/load.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { sectionOf } from './profile.ts';
import { findProfile } from './profile.service.ts';
import { demoProfilePatients, seedCareProfiles } from './seed.ts';
import { riskAssessment } from './testing.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
  await loadSeedPopulation(t.platform.resources, { patients: 300, seed: 1 });
}, 300_000);
afterAll(async () => t?.close());

describe('care profile demo data', () => {
  it('before risk scores: profiles for the oldest multimorbid patients, with what matters and ReSPECT, once', async () => {
    const service = t.app.modules.use('care-profile');
    const made = await seedCareProfiles(t.platform.resources, service, { seed: 1 });
    expect(made).toBeGreaterThanOrEqual(1);
    for (const id of await demoProfilePatients(t.platform.resources, 1)) {
      const profile = (await findProfile(t.platform.resources, id))!;
      expect(sectionOf(profile, 'what-matters')?.entry).toHaveLength(1);
      expect(sectionOf(profile, 'respect')?.entry?.[0]?.display).toMatch(/^ReSPECT form/);
    }
    expect(await seedCareProfiles(t.platform.resources, service, { seed: 1 })).toBe(0);
  }, 120_000);

  it('once scored: the demo practice’s high-risk patients', async () => {
    const practice = `Organization/${buildInfrastructureModel(1).practices[0]!.orgId}`;
    const bundle = await t.platform.resources.search('Patient', [
      ['general-practitioner', practice],
      ['_count', '3'],
      ['_sort', '-birthdate'],
    ]);
    const ids = (bundle.entry ?? []).map((e) => (e.resource as Patient).id!);
    const now = new Date().toISOString();
    await t.platform.resources.create('RiskAssessment', riskAssessment(ids[0]!, 'very-high', now));
    await t.platform.resources.create('RiskAssessment', riskAssessment(ids[1]!, 'high', now));
    // An old high score, superseded by a low one, does not count.
    await t.platform.resources.create('RiskAssessment', riskAssessment(ids[2]!, 'high', '2025-01-01T00:00:00Z'));
    await t.platform.resources.create('RiskAssessment', riskAssessment(ids[2]!, 'low', now));
    expect((await demoProfilePatients(t.platform.resources, 1)).sort()).toEqual([ids[0], ids[1]].sort());
  }, 120_000);
});
