/**
 * Cancellations over MLLP (HL7 A11, A12, A13) and batched alerts: an admission entered in error is
 * corrected in its thread ("cancelled — admitted in error") to exactly the people told of it; a
 * cancelled transfer says the patient is back where they were; a cancelled discharge reopens the visit,
 * says so and withdraws the open follow-up Tasks, and a new discharge starts them again. A visit
 * nobody was told about is corrected to nobody. Alerts handled in one batch tell each person exactly
 * what one at a time would.
 */
import type { Communication, Encounter, Patient, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RelatedPersonActor, StaffActor } from '../access/actor.ts';
import { actorClient, type UserActor } from '../access/testing/actor-client.ts';
import { eventually } from '../events/testing.ts';
import { NHS_NUMBER_SYSTEM } from '../fhir/validation/nhs-number.ts';
import { adt, seedOrganisation, testNhsNumber, type AdtOptions } from '../hl7v2/testing/fixtures.ts';
import { MllpClient, readAck } from '../hl7v2/testing/mllp-client.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { THREAD_IDENTIFIER_SYSTEM } from './alert.ts';
import { careTeam, create, hl7DaysAgo, organisation, permit, relatedPerson, staff } from './testing/people.ts';

let t: TestApp;
let mllp: MllpClient;
let client: ReturnType<typeof actorClient>;
let gp: StaffActor;
let coordinator: StaffActor;
let stranger: StaffActor;
let carer: RelatedPersonActor;
let patient: Patient & { id: string };
let other: Patient & { id: string };
const nhsNumber = testNhsNumber(93, 5);
const born = '19520311';

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

async function tasksOf(encounterId: string): Promise<Task[]> {
  return ((await t.fhir('GET', `Task?focus=Encounter/${encounterId}`)).body.entry ?? []).map(
    (e: { resource: Task }) => e.resource,
  );
}

const eventOf = (c: Communication) => c.category?.[1]?.coding?.[0]?.code;
const recipients = (c: Communication) => (c.recipient ?? []).map((r) => r.reference).sort();

let sent = 0;
async function send(options: Omit<AdtOptions, 'controlId' | 'nhsNumber' | 'born'>): Promise<string> {
  sent++;
  return readAck(await mllp.send(adt({ ...options, controlId: `cx-${sent}`, nhsNumber, born }))).code;
}

/** Waits until the visit's thread has `n` alerts, and returns them oldest first. */
async function alertsOf(encounterId: string, n: number): Promise<Communication[]> {
  let alerts: Communication[] = [];
  await eventually(async () => (alerts = await thread(encounterId)).length >= n, 30_000);
  return alerts;
}

beforeAll(async () => {
  t = await createTestApp({ CAREWEAVE_MLLP_PORT: '0' });
  await t.app.ready();
  client = actorClient(t);
  await seedOrganisation(t.platform.resources, 'RVY01', 'Ormskirk Hospital');
  const practice = await organisation(t, 'Beacon Surgery', 'gp-practice');
  const community = await organisation(t, 'West Lancs Community', 'community');
  const elsewhere = await organisation(t, 'Faraway Surgery', 'gp-practice');
  await ensureDemoAgreement(t.platform);
  gp = await staff(t, { id: practice, type: 'gp-practice' }, { text: 'GP', doctor: true, rbac: 'R8000' });
  coordinator = await staff(t, { id: community, type: 'community' }, { text: 'Care coordinator', rbac: 'R8003' });
  stranger = await staff(t, { id: elsewhere, type: 'gp-practice' }, { text: 'Stranger', doctor: true, rbac: 'R8000' });
  patient = await create<Patient>(t, {
    resourceType: 'Patient',
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: nhsNumber }],
    name: [{ given: ['Alan'], family: 'Turing' }],
    birthDate: '1952-03-11',
    generalPractitioner: [{ reference: `Organization/${practice}` }],
  });
  await careTeam(t, patient.id, [
    {
      member: `Practitioner/${coordinator.practitionerId}`,
      role: 'care-coordinator',
      onBehalfOf: `Organization/${community}`,
    },
  ]);
  carer = await relatedPerson(t, patient.id, 'Carer');
  await permit(t, patient.id, `RelatedPerson/${carer.relatedPersonId}`, ['demographics', 'encounters']);
  // Another practice's patient, for batches that mix patients.
  other = await create<Patient>(t, {
    resourceType: 'Patient',
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: testNhsNumber(94, 3) }],
    name: [{ given: ['Edith'], family: 'Clarke' }],
    birthDate: '1940-02-10',
    generalPractitioner: [{ reference: `Organization/${elsewhere}` }],
  });
  mllp = await MllpClient.connect(t.app.modules.use('hl7v2').listener!.address()!.port);
});

afterAll(async () => {
  await mllp?.close();
  await t?.close();
});

describe('cancellations in the alert thread', () => {
  test(
    'A11: the admission is entered in error and the same people are told "cancelled — admitted in error"',
    { timeout: 60_000 },
    async () => {
      const admitted = hl7DaysAgo(0.2);
      expect(await send({ event: 'A01', visit: 'V-CX-1', admitted, eventTime: admitted })).toBe('AA');
      const encounter = await encounterOf('V-CX-1');
      const [first] = await alertsOf(encounter.id, 1);
      expect(recipients(first!)).toEqual([gp, coordinator, carer].map(person).sort());

      expect(await send({ event: 'A11', visit: 'V-CX-1', admitted, eventTime: hl7DaysAgo(0.1) })).toBe('AA');
      expect((await encounterOf('V-CX-1')).status).toBe('entered-in-error');
      const alerts = await alertsOf(encounter.id, 2);
      expect(alerts.map(eventOf)).toEqual(['admission', 'cancelled']);
      const cancelled = alerts[1]!;
      expect(cancelled.priority).toBe('urgent');
      expect(cancelled.inResponseTo).toEqual([{ reference: `Communication/${first!.id}` }]);
      expect(recipients(cancelled)).toEqual(recipients(first!));
      expect(cancelled.payload?.[0]?.contentString).toMatch(
        /^Cancelled — admitted in error: the admission of Alan Turing/,
      );
      for (const told of [gp, coordinator, carer]) {
        expect(await inbox(told)).toContainEqual(
          expect.objectContaining({
            title: 'Cancelled — Alan Turing was admitted in error',
            about: expect.objectContaining({ reference: `Encounter/${encounter.id}` }),
          }),
        );
      }
      expect(await inbox(stranger)).toEqual([]);
      // A repeated A11 changes nothing and tells nobody again.
      expect(await send({ event: 'A11', visit: 'V-CX-1', admitted, eventTime: hl7DaysAgo(0.1) })).toBe('AA');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await thread(encounter.id)).toHaveLength(2);
    },
  );

  test(
    'A12 says the patient is back where they were; A13 reopens the visit, says so and withdraws the checklist',
    { timeout: 90_000 },
    async () => {
      const admitted = hl7DaysAgo(1);
      const discharged = hl7DaysAgo(0.5);
      const visit = 'V-CX-2';
      expect(await send({ event: 'A01', visit, admitted, eventTime: admitted, location: 'WARD4^BAY2^BED1' })).toBe(
        'AA',
      );
      const encounter = await encounterOf(visit);
      await alertsOf(encounter.id, 1);
      expect(
        await send({ event: 'A02', visit, admitted, eventTime: hl7DaysAgo(0.9), location: 'WARD7^BAY1^BED3' }),
      ).toBe('AA');
      await alertsOf(encounter.id, 2);
      expect(await send({ event: 'A12', visit, admitted, eventTime: hl7DaysAgo(0.8) })).toBe('AA');
      const moves = await alertsOf(encounter.id, 3);
      expect(moves.map(eventOf)).toEqual(['admission', 'transfer', 'transfer-cancelled']);
      expect(moves[2]!.payload?.[0]?.contentString).toBe(
        'The last move of Alan Turing was recorded in error: Alan Turing is at Ormskirk Hospital, WARD4, BAY2, BED1.',
      );
      expect((await encounterOf(visit)).location?.at(-1)?.location.display).toBe('WARD4, BAY2, BED1');

      expect(
        await send({ event: 'A03', visit, admitted, discharged, eventTime: discharged, location: 'WARD4^BAY2^BED1' }),
      ).toBe('AA');
      await alertsOf(encounter.id, 4);
      await eventually(async () => (await tasksOf(encounter.id)).length === 3, 30_000);
      // The practice did the first step before the discharge was found to be wrong.
      const contact = (await tasksOf(encounter.id)).find((task) => task.code?.coding?.[0]?.code === 'contact-48h')!;
      expect((await t.fhir('PUT', `Task/${contact.id}`, { ...contact, status: 'completed' })).status).toBe(200);

      expect(await send({ event: 'A13', visit, admitted, eventTime: hl7DaysAgo(0.4) })).toBe('AA');
      const reopened = await encounterOf(visit);
      expect(reopened.status).toBe('in-progress');
      expect(reopened.period?.end).toBeUndefined();
      const alerts = await alertsOf(encounter.id, 5);
      expect(alerts.map(eventOf)).toEqual([
        'admission',
        'transfer',
        'transfer-cancelled',
        'discharge',
        'discharge-cancelled',
      ]);
      expect(recipients(alerts[4]!)).toEqual(recipients(alerts[0]!));
      expect(await inbox(gp)).toContainEqual(expect.objectContaining({ title: 'Alan Turing has not left hospital' }));
      await eventually(
        async () => (await tasksOf(encounter.id)).filter((task) => task.status === 'cancelled').length === 2,
        30_000,
      );
      const byCode = Object.fromEntries(
        (await tasksOf(encounter.id)).map((task) => [task.code?.coding?.[0]?.code, task.status]),
      );
      expect(byCode).toEqual({
        'contact-48h': 'completed',
        'medicines-reconciliation': 'cancelled',
        'care-plan-review': 'cancelled',
      });

      // Discharged again, at the same time: told again, and the withdrawn steps start again.
      expect(
        await send({ event: 'A03', visit, admitted, discharged, eventTime: discharged, location: 'WARD4^BAY2^BED1' }),
      ).toBe('AA');
      const again = await alertsOf(encounter.id, 6);
      expect(again.map(eventOf).at(-1)).toBe('discharge');
      await eventually(
        async () => (await tasksOf(encounter.id)).filter((task) => task.status === 'requested').length === 2,
        30_000,
      );
    },
  );

  test('a cancellation of a visit nobody was told about tells nobody', { timeout: 60_000 }, async () => {
    // Admitted long ago: history, so there is no thread to correct.
    expect(await send({ event: 'A01', visit: 'V-CX-3', admitted: '20250301100000', eventTime: '20250301100000' })).toBe(
      'AA',
    );
    expect(await send({ event: 'A11', visit: 'V-CX-3', admitted: '20250301100000', eventTime: hl7DaysAgo(0) })).toBe(
      'AA',
    );
    const encounter = await encounterOf('V-CX-3');
    expect(encounter.status).toBe('entered-in-error');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await thread(encounter.id)).toEqual([]);
    // And a cancellation the visit cannot take is answered AE for a person to look at.
    expect(await send({ event: 'A13', visit: 'V-CX-3', eventTime: hl7DaysAgo(0) })).toBe('AE');
  });
});

describe('alerts in a batch', () => {
  test(
    'several occasions in one go (two visits, one admitted and moved) tell each person what one at a time would',
    { timeout: 60_000 },
    async () => {
      const alerts = t.app.modules.use('admission-notice');
      const now = Date.now();
      const visit = async (display: string) =>
        (
          await t.fhir('POST', 'Encounter', {
            resourceType: 'Encounter',
            status: 'planned',
            class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
            subject: { reference: `Patient/${patient.id}` },
            location: [{ location: { display } }],
          })
        ).body as Encounter & { id: string };
      // Planned: no reaction of its own; the batch below is the only alert.
      const [a, b] = [await visit('WARD1'), await visit('WARD2')];
      const start = { period: { start: new Date(now - 60_000).toISOString() } };
      const admitted = (e: Encounter & { id: string }) => ({ ...e, ...start, status: 'in-progress' as const });
      const moved = {
        ...admitted(a),
        location: [{ location: { display: 'WARD1' } }, { location: { display: 'WARD9' } }],
      };
      const outcomes = await alerts.alertMany([
        { encounter: admitted(a), occasion: { event: 'admission', key: 'admission', where: 'WARD1' } },
        { encounter: admitted(b), occasion: { event: 'admission', key: 'admission', where: 'WARD2' } },
        { encounter: moved, occasion: { event: 'transfer', key: 'transfer:9', where: 'WARD9' } },
      ]);
      const everyone = [gp, coordinator, carer].map(person).sort();
      expect(outcomes.map((o) => [...(o?.told ?? [])].sort())).toEqual([everyone, everyone, everyone]);
      const threadA = await thread(a.id);
      expect(threadA.map(eventOf)).toEqual(['admission', 'transfer']);
      expect(threadA[1]!.inResponseTo).toEqual([{ reference: `Communication/${threadA[0]!.id}` }]);
      expect((await thread(b.id)).map(eventOf)).toEqual(['admission']);
      for (const told of [gp, coordinator, carer]) {
        const mine = (await inbox(told)).filter((i) =>
          [a.id, b.id].some((id) => i.about?.reference === `Encounter/${id}`),
        );
        expect(mine).toHaveLength(3);
      }
      // Again: nothing new for anyone.
      const repeated = await alerts.alertMany([
        { encounter: admitted(b), occasion: { event: 'admission', key: 'admission', where: 'WARD2' } },
      ]);
      expect(repeated[0]?.repeated).toBe(true);
    },
  );

  test(
    "a batch of two patients of two practices: each patient's people are told of that patient only",
    { timeout: 60_000 },
    async () => {
      const alerts = t.app.modules.use('admission-notice');
      const admit = async (who: Patient & { id: string }) =>
        (
          await t.fhir('POST', 'Encounter', {
            resourceType: 'Encounter',
            status: 'planned',
            class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
            subject: { reference: `Patient/${who.id}` },
          })
        ).body as Encounter & { id: string };
      const [mine, theirs] = [await admit(patient), await admit(other)];
      const start = { status: 'in-progress' as const, period: { start: new Date(Date.now() - 60_000).toISOString() } };
      const occasion = { event: 'admission', key: 'admission' } as const;
      const outcomes = await alerts.alertMany([
        { encounter: { ...theirs, ...start }, occasion },
        { encounter: { ...mine, ...start }, occasion },
      ]);
      expect([...(outcomes[0]?.told ?? [])].sort()).toEqual([person(stranger)]);
      expect([...(outcomes[1]?.told ?? [])].sort()).toEqual([gp, coordinator, carer].map(person).sort());
      const about = (items: { about?: { reference: string } }[]) => items.map((i) => i.about?.reference);
      expect(about(await inbox(stranger))).toEqual([`Encounter/${theirs.id}`]);
      for (const told of [gp, coordinator, carer]) {
        const seen = about(await inbox(told));
        expect(seen).toContain(`Encounter/${mine.id}`);
        expect(seen).not.toContain(`Encounter/${theirs.id}`);
      }
    },
  );
});
