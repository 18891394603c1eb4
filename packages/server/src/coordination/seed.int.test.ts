/**
 * The hub's demo data on a small demo population (PGlite and PostgreSQL): demo.coordinator has a
 * case list (every case with a next review date, one with an overdue task), pending referrals, an upcoming MDT
 * meeting with her cases, and demo.matron is on some of the care teams. A second run writes nothing.
 */
import type { Appointment, CareTeam } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../access/actor.ts';
import { ensureDemoUsers } from '../auth/demo-users.ts';
import { emailModule } from '../gateways/email/index.ts';
import { smsModule } from '../gateways/sms/index.ts';
import { notificationsModule } from '../notifications/index.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { loadSeedPopulation } from '../seed/load.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import type { CareModule } from '../modules/contract.ts';
import { coordinationModule } from './index.ts';
import { DEMO_COORDINATOR, DEMO_MATRON } from './seed.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(
    {},
    {
      modules: [smsModule, emailModule, notificationsModule, coordinationModule] as CareModule[],
    },
  );
  await loadSeedPopulation(t.platform.resources, { patients: 120, seed: 1 });
  await ensureDemoAgreement(t.platform);
  await ensureDemoUsers(t.platform, 1);
  await t.app.ready();
  await t.app.modules.seed({ seed: 1, log: () => undefined });
}, 300_000);
afterAll(async () => t?.close());

const coordinator: StaffActor = {
  kind: 'staff',
  userId: 'test-coordinator',
  practitionerId: DEMO_COORDINATOR,
  organizationId: 'org-8wl01',
  organizationType: 'community',
  roleCode: 'R8003',
  scopes: ['user/*.cruds'],
};

describe('coordination demo data', () => {
  it('gives the demo coordinator cases (one with an overdue task), referrals to triage and an MDT', async () => {
    const hub = t.app.modules.use('coordination');
    const cases = await hub.plans.caseList(coordinator);
    expect(cases).toHaveLength(4);
    expect(cases[0]!.overdueTasks).toBe(1);
    expect(cases.every((c) => c.nextReview)).toBe(true);
    const pending = await hub.referrals.worklist(coordinator);
    expect(pending).toHaveLength(2);
    const teams = await t.fhir('GET', `CareTeam?participant=Practitioner/${DEMO_MATRON}`);
    expect((teams.body.entry as { resource: CareTeam }[]).length).toBe(2);
    const meetings = await t.fhir(
      'GET',
      'List?code=https://careweave.example/fhir/CodeSystem/care-coordination|mdt-meeting',
    );
    expect(meetings.body.entry[0].resource.entry).toHaveLength(4);
    // Scheduled as an Appointment: the four care plans discussed, the coordinator chairing, the matron invited.
    const appointments = await t.fhir(
      'GET',
      `Appointment?identifier=https://careweave.example/fhir/Id/mdt-meeting|List/${meetings.body.entry[0].resource.id}`,
    );
    const appointment = appointments.body.entry[0].resource as Appointment;
    expect(appointment.status).toBe('booked');
    expect(appointment.supportingInformation?.filter((r) => r.reference?.startsWith('CarePlan/'))).toHaveLength(4);
    const invited = appointment.participant.map((p) => p.actor?.reference);
    expect(invited).toContain(`Practitioner/${DEMO_COORDINATOR}`);
    expect(invited).toContain(`Practitioner/${DEMO_MATRON}`);
  });

  it('schedules a meeting seeded before meetings were Appointments, once', async () => {
    const [appointment] = (
      await t.fhir(
        'GET',
        'Appointment?service-category=https://careweave.example/fhir/CodeSystem/care-coordination|mdt-meeting',
      )
    ).body.entry;
    await t.platform.resources.delete('Appointment', appointment.resource.id);
    await t.app.modules.seed({ seed: 1, log: () => undefined });
    await t.app.modules.seed({ seed: 1, log: () => undefined });
    const again = (
      await t.fhir(
        'GET',
        'Appointment?service-category=https://careweave.example/fhir/CodeSystem/care-coordination|mdt-meeting',
      )
    ).body.entry;
    expect(again).toHaveLength(1);
    expect(again[0].resource.id).not.toBe(appointment.resource.id);
  });

  it('writes nothing on a second start', async () => {
    const before = (await t.fhir('GET', 'Task?_summary=count')).body.total;
    const appointments = (await t.fhir('GET', 'Appointment?_summary=count')).body.total;
    await t.app.modules.seed({ seed: 1, log: () => undefined });
    expect((await t.fhir('GET', 'Task?_summary=count')).body.total).toBe(before);
    expect((await t.fhir('GET', 'Appointment?_summary=count')).body.total).toBe(appointments);
  });
});
