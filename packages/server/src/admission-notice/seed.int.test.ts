/**
 * The demo data: the demo patient's recent admission and discharge reach demo.gp, the care team and
 * the carer the patient allows, the practice has its follow-up checklist with the 48-hour contact
 * overdue, and a second start writes nothing.
 */
import type { Communication, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoUsers } from '../auth/demo-users.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { loadSeedPopulation } from '../seed/load.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { THREAD_IDENTIFIER_SYSTEM } from './alert.ts';
import { isOverdue } from './follow-up.ts';
import { seedAdmissionAlerts } from './seed.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
  await loadSeedPopulation(t.platform.resources, { patients: 40, seed: 1 });
  await ensureDemoAgreement(t.platform);
  await ensureDemoUsers(t.platform, 1);
}, 120_000);
afterAll(async () => t.close());

describe('admission alerts demo data', () => {
  it(
    'admits and discharges the demo patient, tells their people, and leaves one follow-up overdue, once',
    { timeout: 120_000 },
    async () => {
      const alerts = t.app.modules.use('admission-notice');
      const log: string[] = [];
      const encounterId = await seedAdmissionAlerts(t.platform.resources, alerts, { log: (line) => log.push(line) });
      expect(encounterId).toBeDefined();
      const thread = await t.fhir(
        'GET',
        `Communication?identifier=${encodeURIComponent(`${THREAD_IDENTIFIER_SYSTEM}|Encounter/${encounterId}`)}&_sort=sent`,
      );
      const communications = thread.body.entry.map((e: { resource: Communication }) => e.resource) as Communication[];
      expect(communications.map((c) => c.category?.[1]?.coding?.[0]?.code)).toEqual(['admission', 'discharge']);
      const [gp] = await t.platform.db.query<{ fhirUser: string }>(
        `select fhir_user as "fhirUser" from auth_user where username = 'demo.gp'`,
      );
      const told = (communications[0]!.recipient ?? []).map((r) => r.reference);
      expect(told).toContain(gp!.fhirUser);
      expect(told).toContain('RelatedPerson/rp-demo-carer');

      const tasks = (await t.fhir('GET', `Task?focus=Encounter/${encounterId}`)).body.entry.map(
        (e: { resource: Task }) => e.resource,
      ) as Task[];
      expect(tasks).toHaveLength(3);
      const overdue = tasks.filter((task) => isOverdue(task, new Date()));
      expect(overdue.map((task) => task.code?.coding?.[0]?.code)).toEqual(['contact-48h']);

      expect(await seedAdmissionAlerts(t.platform.resources, alerts, { log: () => {} })).toBeUndefined();
      const again = await t.fhir(
        'GET',
        `Communication?identifier=${encodeURIComponent(`${THREAD_IDENTIFIER_SYSTEM}|Encounter/${encounterId}`)}&_summary=count`,
      );
      expect(again.body.total).toBe(2);
      // The escalation job then raises the overdue one (and any of the population's own recent discharges).
      expect(await alerts.escalateOverdue()).toBeGreaterThanOrEqual(1);
      const raised = (await t.fhir('GET', `Task?focus=Encounter/${encounterId}&priority=urgent`)).body.entry ?? [];
      expect(raised.map((e: { resource: Task }) => e.resource.code?.coding?.[0]?.code)).toEqual(['contact-48h']);
    },
  );
});
