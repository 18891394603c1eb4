/**
 * The lifecycle's demo data on a small demo population (PGlite and PostgreSQL), around the stand-in
 * directory (its services belong to the demo's acute trust; the real directory's seed writes months
 * of slots, too slow for this test): demo.gp's four referrals — booked MSK for the demo patient, one returned with advice
 * (with the patient's letter), one on the slot-issues list or awaiting booking, a two-week wait — seen
 * through demo.gp's and demo.triager's worklists. A second run writes nothing.
 */
import type { Communication, ServiceRequest } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoUsers } from '../../auth/demo-users.ts';
import { emailModule } from '../../gateways/email/index.ts';
import { smsModule } from '../../gateways/sms/index.ts';
import type { CareModule } from '../../modules/contract.ts';
import { notificationsModule } from '../../notifications/index.ts';
import { ensureDemoAgreement } from '../../platform/demo-agreement.ts';
import { loadSeedPopulation } from '../../seed/load.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { referralsWithStandIn } from './testing/fixtures.ts';
import { CATEGORY } from './vocabulary.ts';

let t: TestApp;
let log: string[];
beforeAll(async () => {
  t = await createTestApp(
    {},
    {
      modules: [
        smsModule,
        emailModule,
        notificationsModule,
        referralsWithStandIn({ id: 'org-rvy', name: 'Southport and Ormskirk Hospital NHS Trust' }).module,
      ] as CareModule[],
    },
  );
  await loadSeedPopulation(t.platform.resources, { patients: 120, seed: 1 });
  await ensureDemoAgreement(t.platform);
  await ensureDemoUsers(t.platform, 1);
  await t.app.ready();
  log = [];
  await t.app.modules.seed({ seed: 1, log: (line) => log.push(line) });
}, 300_000);
afterAll(async () => t?.close());

const requests = async (): Promise<ServiceRequest[]> =>
  (
    (
      await t.platform.resources.search('ServiceRequest', [
        ['category', `${CATEGORY.coding![0]!.system}|${CATEGORY.coding![0]!.code}`],
        // Not the analytics' demo history (referrals/analytics/history-seed.ts), which the seed also writes.
        ['_tag:not', 'https://careweave.example/fhir/CodeSystem/demo-data|referral-history'],
        ['_count', '50'],
      ])
    ).entry ?? []
  ).map((e) => e.resource as ServiceRequest);

describe('the demo referral history', () => {
  it('has four referrals: booked, returned with a letter, waiting, and a two-week wait', async () => {
    const all = await requests();
    expect(all, log.join('\n')).toHaveLength(4);
    expect(all.filter((r) => r.priority === 'asap')).toHaveLength(1);
    expect(all.filter((r) => r.status === 'on-hold')).toHaveLength(1);
    const held = all.find((r) => r.status === 'on-hold')!;
    const letters = await t.platform.resources.search('Communication', [['based-on', `ServiceRequest/${held.id!}`]]);
    const letter = letters.entry?.[0]?.resource as Communication;
    expect(letter.payload?.[0]?.contentString).toContain('advice on how to look after your condition');
  });

  it("files each one's Task for the provider, tagged with demo.gp's practice", async () => {
    const tasks = await t.platform.resources.search('Task', [
      ['_tag', 'https://careweave.example/fhir/CodeSystem/referrer-organization|org-p81002'],
      ['_tag:not', 'https://careweave.example/fhir/CodeSystem/demo-data|referral-history'],
    ]);
    expect(tasks.entry?.length).toBe(4);
  });

  it('is made once', async () => {
    await t.app.modules.seed({ seed: 1, log: () => undefined });
    expect(await requests()).toHaveLength(4);
  });
});
