/**
 * Admission alerts end to end (issue 12): an A01 sent over TCP with MLLP framing to the running
 * listener tells the registered GP, the care team and coordinator, and the carer the patient allows —
 * within seconds, each as a notification and in one alert Communication — and nobody else: not a
 * member of staff of an unrelated organisation (who cannot read the alert either), not a carer
 * without the patient's permit, not a team member who has left. A transfer and a discharge follow in
 * the same thread; the discharge starts the practice's follow-up Tasks, escalated once when overdue.
 * A mental-health admission tells only those who may see it.
 */
import type { Communication, Encounter, Patient, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StaffActor, RelatedPersonActor } from '../access/actor.ts';
import { actorClient, type UserActor } from '../access/testing/actor-client.ts';
import { eventually } from '../events/testing.ts';
import { NHS_NUMBER_SYSTEM } from '../fhir/validation/nhs-number.ts';
import { adt, seedOrganisation, testNhsNumber } from '../hl7v2/testing/fixtures.ts';
import { MllpClient, readAck } from '../hl7v2/testing/mllp-client.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { ALERT_CATEGORY_SYSTEM, NOT_TOLD_EXTENSION, THREAD_IDENTIFIER_SYSTEM } from './alert.ts';
import { FOLLOW_UP_SYSTEM } from './follow-up.ts';
import { careTeam, create, hl7DaysAgo, organisation, permit, relatedPerson, staff } from './testing/people.ts';

let t: TestApp;
let mllp: MllpClient;
let client: ReturnType<typeof actorClient>;
let gp: StaffActor;
let nurse: StaffActor;
let coordinator: StaffActor;
let leaver: StaffActor;
let stranger: StaffActor;
let carer: RelatedPersonActor;
let neighbour: RelatedPersonActor;
let patient: Patient & { id: string };
let practice: string;
let community: string;
const nhsNumber = testNhsNumber(92, 3);
const born = '19480507';
// Recent (alerts are for what is happening, not history): admitted 13 days ago, moved, discharged 12.5 days ago.
const ADMITTED = hl7DaysAgo(13);
const MOVED = hl7DaysAgo(12.8);
const DISCHARGED = hl7DaysAgo(12.5);

const person = (a: UserActor) =>
  a.kind === 'staff'
    ? `Practitioner/${a.practitionerId}`
    : a.kind === 'related-person'
      ? `RelatedPerson/${a.relatedPersonId}`
      : '';

async function inbox(actor: UserActor): Promise<{ kind: string; about?: { reference: string }; title: string }[]> {
  const response = await t.app.inject({
    method: 'GET',
    url: '/api/notifications?status=all',
    headers: { authorization: `Bearer ${await client.tokenFor(actor)}` },
  });
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body).items;
}

/** The alert Communications of a visit, as the system sees them, oldest first. */
async function thread(encounterId: string): Promise<(Communication & { id: string })[]> {
  const bundle = await t.fhir(
    'GET',
    `Communication?identifier=${encodeURIComponent(`${THREAD_IDENTIFIER_SYSTEM}|Encounter/${encounterId}`)}&_sort=sent`,
  );
  return (bundle.body.entry ?? []).map((e: { resource: Communication & { id: string } }) => e.resource);
}

async function encounterOf(visit: string): Promise<Encounter & { id: string }> {
  const bundle = await t.fhir('GET', `Encounter?subject=Patient/${patient.id}&identifier=${visit}`);
  return bundle.body.entry[0].resource;
}

const recipients = (c: Communication) => (c.recipient ?? []).map((r) => r.reference).sort();

beforeAll(async () => {
  t = await createTestApp({ CAREWEAVE_MLLP_PORT: '0' });
  await t.app.ready();
  client = actorClient(t);
  await seedOrganisation(t.platform.resources, 'RVY01', 'Ormskirk Hospital');
  practice = await organisation(t, 'Beacon Surgery', 'gp-practice');
  community = await organisation(t, 'West Lancs Community', 'community');
  const elsewhere = await organisation(t, 'Faraway Surgery', 'gp-practice');
  await ensureDemoAgreement(t.platform);
  gp = await staff(t, { id: practice, type: 'gp-practice' }, { text: 'GP', doctor: true, rbac: 'R8000' });
  nurse = await staff(t, { id: community, type: 'community' }, { text: 'District nurse', rbac: 'R8001' });
  coordinator = await staff(t, { id: community, type: 'community' }, { text: 'Care coordinator', rbac: 'R8003' });
  leaver = await staff(t, { id: community, type: 'community' }, { text: 'Matron (left)', rbac: 'R8001' });
  // The attacker: a GP with a valid account at an unrelated practice (party to the same agreement).
  stranger = await staff(t, { id: elsewhere, type: 'gp-practice' }, { text: 'Stranger', doctor: true, rbac: 'R8000' });
  patient = await create<Patient>(t, {
    resourceType: 'Patient',
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: nhsNumber }],
    name: [{ given: ['Grace'], family: 'Hopper' }],
    birthDate: '1948-05-07',
    generalPractitioner: [{ reference: `Organization/${practice}` }],
  });
  await careTeam(t, patient.id, [
    { member: `Practitioner/${nurse.practitionerId}`, role: 'district-nurse', onBehalfOf: `Organization/${community}` },
    {
      member: `Practitioner/${coordinator.practitionerId}`,
      role: 'care-coordinator',
      onBehalfOf: `Organization/${community}`,
    },
    { member: `Organization/${community}`, role: 'district-nurse' },
    {
      member: `Practitioner/${leaver.practitionerId}`,
      role: 'community-matron',
      period: { start: '2020-01-01', end: '2021-01-01' },
    },
  ]);
  carer = await relatedPerson(t, patient.id, 'Carer');
  neighbour = await relatedPerson(t, patient.id, 'Neighbour');
  await permit(t, patient.id, `RelatedPerson/${carer.relatedPersonId}`, ['demographics', 'encounters']);
  mllp = await MllpClient.connect(t.app.modules.use('hl7v2').listener!.address()!.port);
});

afterAll(async () => {
  await mllp?.close();
  await t?.close();
});

describe('admission alerts', () => {
  test(
    'an A01 over MLLP tells the GP, the team, the coordinator and the permitted carer within seconds',
    { timeout: 60_000 },
    async () => {
      const started = Date.now();
      const ack = readAck(
        await mllp.send(
          adt({
            event: 'A01',
            controlId: 'aa-1',
            nhsNumber,
            visit: 'V-AA-1',
            born,
            admitted: ADMITTED,
            eventTime: ADMITTED,
          }),
        ),
      );
      expect(ack.code, ack.text).toBe('AA');
      const encounter = await encounterOf('V-AA-1');
      let alerts: Communication[] = [];
      await eventually(async () => (alerts = await thread(encounter.id)).length > 0, 30_000);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(10_000);

      const [alert] = alerts;
      expect(alert).toMatchObject({
        status: 'completed',
        subject: { reference: `Patient/${patient.id}` },
        about: [{ reference: `Encounter/${encounter.id}` }],
        category: expect.arrayContaining([
          { coding: [expect.objectContaining({ system: ALERT_CATEGORY_SYSTEM, code: 'admission-alert' })] },
        ]),
      });
      expect(alert!.sent).toBeTruthy();
      expect(recipients(alert!)).toEqual([gp, nurse, coordinator, carer].map(person).sort());
      // The community organisation on the team is recorded, not told individually.
      const notTold = (alert!.extension ?? [])
        .filter((e) => e.url === NOT_TOLD_EXTENSION)
        .map((e) => [e.extension?.[0]?.valueReference?.reference, e.extension?.[1]?.valueCode]);
      expect(notTold).toContainEqual([`Organization/${community}`, 'organisation-member']);

      for (const told of [gp, nurse, coordinator, carer]) {
        const items = await inbox(told);
        expect(items.map((i) => [i.kind, i.about?.reference])).toContainEqual([
          'admission-notice',
          `Encounter/${encounter.id}`,
        ]);
      }
      expect(await inbox(gp)).toContainEqual(
        expect.objectContaining({ title: 'Grace Hopper was admitted to hospital' }),
      );
    },
  );

  test(
    'nobody without a relationship is told, and the attacker cannot read the alert',
    { timeout: 30_000 },
    async () => {
      const encounter = await encounterOf('V-AA-1');
      const [alert] = await thread(encounter.id);
      for (const outsider of [stranger, neighbour, leaver]) {
        expect(await inbox(outsider)).toEqual([]);
      }
      const read = await client.as(stranger, 'GET', `Communication/${alert!.id}`);
      expect(read.status).toBe(404);
      const search = await client.as(stranger, 'GET', `Communication?subject=Patient/${patient.id}`);
      expect(search.body.entry ?? []).toEqual([]);
      const byIdentifier = await client.as(
        stranger,
        'GET',
        `Communication?identifier=${encodeURIComponent(`${THREAD_IDENTIFIER_SYSTEM}|Encounter/${encounter.id}`)}`,
      );
      expect(byIdentifier.body.entry ?? []).toEqual([]);
      // The GP, who was told, can read it.
      expect((await client.as(gp, 'GET', `Communication/${alert!.id}`)).status).toBe(200);
    },
  );

  test(
    'a transfer and a discharge follow in the same thread, to the same people; the discharge starts the checklist',
    { timeout: 60_000 },
    async () => {
      const encounter = await encounterOf('V-AA-1');
      const [first] = await thread(encounter.id);
      expect(
        readAck(
          await mllp.send(
            adt({
              event: 'A02',
              controlId: 'aa-2',
              nhsNumber,
              visit: 'V-AA-1',
              born,
              location: 'WARD7^BAY1^BED3',
              admitted: ADMITTED,
              eventTime: MOVED,
            }),
          ),
        ).code,
      ).toBe('AA');
      expect(
        readAck(
          await mllp.send(
            adt({
              event: 'A03',
              controlId: 'aa-3',
              nhsNumber,
              visit: 'V-AA-1',
              born,
              location: 'WARD7^BAY1^BED3',
              admitted: ADMITTED,
              discharged: DISCHARGED,
              eventTime: DISCHARGED,
            }),
          ),
        ).code,
      ).toBe('AA');
      let alerts: Communication[] = [];
      await eventually(async () => (alerts = await thread(encounter.id)).length === 3, 30_000);
      const events = alerts.map((a) => a.category?.[1]?.coding?.[0]?.code);
      expect(events).toEqual(['admission', 'transfer', 'discharge']);
      for (const later of alerts.slice(1)) {
        expect(later.inResponseTo).toEqual([{ reference: `Communication/${first!.id}` }]);
        expect(later.partOf).toEqual([{ reference: `Communication/${first!.id}` }]);
        expect(recipients(later)).toEqual(recipients(first!));
      }
      expect((await inbox(nurse)).filter((i) => i.about?.reference === `Encounter/${encounter.id}`)).toHaveLength(3);

      const tasks = (await client.as(gp, 'GET', `Task?focus=Encounter/${encounter.id}`)).body.entry.map(
        (e: { resource: Task }) => e.resource,
      ) as Task[];
      const end = Date.parse((await encounterOf('V-AA-1')).period!.end!);
      const due = Object.fromEntries(
        tasks.map((task) => [
          task.code?.coding?.[0]?.code,
          (Date.parse(task.restriction!.period!.end!) - end) / 3_600_000,
        ]),
      );
      expect(due).toEqual({ 'contact-48h': 48, 'medicines-reconciliation': 7 * 24, 'care-plan-review': 14 * 24 });
      for (const task of tasks) {
        expect(task).toMatchObject({
          status: 'requested',
          for: { reference: `Patient/${patient.id}` },
          owner: { reference: `Organization/${practice}` },
          focus: { reference: `Encounter/${encounter.id}` },
          basedOn: [{ reference: `Encounter/${encounter.id}` }],
        });
        expect(task.code?.coding?.[0]?.system).toBe(FOLLOW_UP_SYSTEM);
      }
      expect((await client.as(stranger, 'GET', `Task?focus=Encounter/${encounter.id}`)).body.entry ?? []).toEqual([]);
    },
  );

  test(
    'overdue follow-ups are escalated once: urgent, and the GP and coordinator are told',
    { timeout: 60_000 },
    async () => {
      const alerts = t.app.modules.use('admission-notice');
      // Discharged 12.5 days ago: the contact and the medicines reconciliation are overdue, the review is not.
      expect(await alerts.escalateOverdue()).toBe(2);
      expect(await alerts.escalateOverdue()).toBe(0);
      const encounter = await encounterOf('V-AA-1');
      const tasks = (await t.fhir('GET', `Task?focus=Encounter/${encounter.id}`)).body.entry.map(
        (e: { resource: Task }) => e.resource,
      ) as Task[];
      const priority = Object.fromEntries(tasks.map((task) => [task.code?.coding?.[0]?.code, task.priority]));
      expect(priority).toEqual({
        'contact-48h': 'urgent',
        'medicines-reconciliation': 'urgent',
        'care-plan-review': 'routine',
      });
      for (const told of [gp, coordinator]) {
        expect((await inbox(told)).filter((i) => i.kind === 'admission-follow-up')).toHaveLength(2);
      }
      for (const notTold of [nurse, stranger, carer]) {
        expect((await inbox(notTold)).filter((i) => i.kind === 'admission-follow-up')).toHaveLength(0);
      }
    },
  );

  test('an A&E attendance (A04, class E) is an alert too', { timeout: 60_000 }, async () => {
    expect(
      readAck(
        await mllp.send(
          adt({
            event: 'A04',
            controlId: 'ae-1',
            nhsNumber,
            visit: 'V-AE-1',
            born,
            patientClass: 'E',
            admitted: hl7DaysAgo(0.1),
            eventTime: hl7DaysAgo(0.1),
          }),
        ),
      ).code,
    ).toBe('AA');
    const encounter = await encounterOf('V-AE-1');
    let alerts: Communication[] = [];
    await eventually(async () => (alerts = await thread(encounter.id)).length > 0, 30_000);
    expect(alerts[0]!.category?.[1]?.coding?.[0]?.code).toBe('attendance');
    expect(recipients(alerts[0]!)).toEqual([gp, nurse, coordinator, carer].map(person).sort());
    expect(await inbox(coordinator)).toContainEqual(expect.objectContaining({ title: 'Grace Hopper is in A&E' }));
  });

  test('a mental-health admission written over FHIR tells nobody who may not see it', { timeout: 60_000 }, async () => {
    const hospital = (await t.fhir('GET', 'Organization?name=Ormskirk')).body.entry[0].resource.id;
    const written = await t.fhir('POST', 'Encounter', {
      resourceType: 'Encounter',
      meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }] },
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      subject: { reference: `Patient/${patient.id}` },
      serviceProvider: { reference: `Organization/${hospital}` },
      period: { start: new Date(Date.now() - 3_600_000).toISOString() },
    });
    expect(written.status).toBe(201);
    let alerts: Communication[] = [];
    await eventually(async () => (alerts = await thread(written.body.id)).length > 0, 30_000);
    expect(alerts[0]!.recipient ?? []).toEqual([]);
    expect(alerts[0]!.meta?.security).toEqual([expect.objectContaining({ code: 'PSY' })]);
    for (const someone of [gp, nurse, coordinator, carer, stranger]) {
      expect((await inbox(someone)).filter((i) => i.about?.reference === `Encounter/${written.body.id}`)).toEqual([]);
      expect((await client.as(someone, 'GET', `Communication/${alerts[0]!.id}`)).status).toBe(404);
    }
  });

  test('a visit long over is history: nobody is told, no checklist is started', { timeout: 30_000 }, async () => {
    const old = adt({
      event: 'A03',
      controlId: 'old-1',
      nhsNumber,
      visit: 'V-OLD-1',
      born,
      admitted: '20250301100000',
      discharged: '20250305120000',
      eventTime: '20250305120000',
    });
    expect(readAck(await mllp.send(old)).code).toBe('AA');
    const encounter = await encounterOf('V-OLD-1');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await thread(encounter.id)).toEqual([]);
    expect((await t.fhir('GET', `Task?focus=Encounter/${encounter.id}`)).body.entry ?? []).toEqual([]);
  });

  test('running an occasion again tells nobody twice', { timeout: 30_000 }, async () => {
    const encounter = await encounterOf('V-AA-1');
    const before = (await inbox(gp)).length;
    const again = await t.app.modules
      .use('admission-notice')
      .alert(encounter, { event: 'admission', key: 'admission' });
    expect(again?.repeated).toBe(true);
    expect((await inbox(gp)).length).toBe(before);
    expect(await thread(encounter.id)).toHaveLength(3);
  });
});
