/**
 * Pathway booking (H-256, H-257): every appointment of a pathway booked in one transaction or none;
 * moving one moves the later ones keeping their gaps, or nothing changes; and the attacks — a patient
 * may not book a pathway, nor see or move another patient's appointment (404, as absent).
 */
import type { Appointment, CarePlan, PlanDefinition, Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient, diagnostics } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { seedTestDirectory } from '../testing/directory-fixtures.ts';
import { IMAGING_SERVICE, KNEE_PATHWAY, seedPathwayTemplates } from './seed.ts';
import { ACTION_SERVICE_EXTENSION } from './template.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
const DAY = 86_400_000;
const PHYSIO = 'hs-ref-physio-skelmersdale';

/** The knee template with ranges that fit the test directory's two weeks of slots. */
function testTemplate(id: string, diagnostics: [number, number], followUp: [number, number]): PlanDefinition {
  const range = ([low, high]: [number, number]) => ({
    low: { value: low, unit: 'd', code: 'd' },
    high: { value: high, unit: 'd', code: 'd' },
  });
  const [first, diag, follow] = KNEE_PATHWAY.action!;
  return {
    ...KNEE_PATHWAY,
    id,
    url: `https://careweave.example/fhir/PlanDefinition/booking-pathway-${id}`,
    action: [
      first!,
      { ...diag!, relatedAction: [{ ...diag!.relatedAction![0]!, offsetRange: range(diagnostics) }] },
      { ...follow!, relatedAction: [{ ...follow!.relatedAction![0]!, offsetRange: range(followUp) }] },
    ],
  };
}

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  await seedTestDirectory(t.platform.resources);
  await seedPathwayTemplates(t.platform.resources, new Date(), 3);
  for (const plan of [testTemplate('quick', [1, 5], [2, 6]), testTemplate('too-far', [1, 5], [60, 70])]) {
    await t.platform.resources.update('PlanDefinition', plan.id!, plan);
  }
  client = actorClient(t);
});
afterAll(async () => t?.close());

async function referral(patient = 'p1'): Promise<string> {
  const res = await t.fhir('POST', 'ServiceRequest', {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: `Patient/${patient}` },
    performer: [{ reference: `HealthcareService/${PHYSIO}` }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

type Caller = Parameters<ReturnType<typeof actorClient>['as']>[0];

const bookPathway = (srId: string, pathway: string, actor: Caller = ACTORS.gp) =>
  client.as(actor, 'POST', `ServiceRequest/${srId}/$book-pathway`, {
    resourceType: 'Parameters',
    parameter: [
      { name: 'pathway', valueCanonical: `https://careweave.example/fhir/PlanDefinition/booking-pathway-${pathway}` },
    ],
  });

const reschedule = (appointmentId: string, slotId: string, actor: Caller = ACTORS.patient1) =>
  client.as(actor, 'POST', `Appointment/${appointmentId}/$reschedule`, {
    resourceType: 'Parameters',
    parameter: [{ name: 'slot', valueReference: { reference: `Slot/${slotId}` } }],
  });

const read = async <T>(type: string, id: string): Promise<T> =>
  JSON.parse((await t.platform.resources.read(type, id)).json ?? '{}') as T;

const appointmentsOf = async (srId: string): Promise<Appointment[]> =>
  ((await t.fhir('GET', `Appointment?based-on=ServiceRequest/${srId}&_count=50`)).body.entry ?? []).map(
    (e: { resource: Appointment }) => e.resource,
  );

const refIds = (body: { parameter: { name: string; valueReference?: { reference: string } }[] }, name: string) =>
  body.parameter.filter((p) => p.name === name).map((p) => p.valueReference!.reference.split('/')[1]!);

/** Free slots of a service starting in [from, to). */
async function freeSlots(service: string, from: number, to: number): Promise<Slot[]> {
  const res = await t.fhir(
    'GET',
    `Slot?schedule=Schedule/sch-${service}&status=free&start=ge${new Date(from).toISOString()}&start=lt${new Date(to).toISOString()}&_sort=start&_count=200`,
  );
  return (res.body.entry ?? []).map((e: { resource: Slot }) => e.resource);
}

describe('$book-pathway', () => {
  it('books every appointment at once, in order and inside the ranges, visible in the patient’s record', async () => {
    const sr = await referral();
    const res = await bookPathway(sr, 'quick');
    expect(res.status, diagnostics(res)).toBe(201);
    const ids = refIds(res.body, 'appointment');
    expect(ids).toHaveLength(3);
    const [first, diag, follow] = await Promise.all(ids.map((id) => read<Appointment>('Appointment', id)));
    expect(first!.participant.map((p) => p.actor?.reference)).toContain(`HealthcareService/${PHYSIO}`);
    expect(diag!.participant.map((p) => p.actor?.reference)).toContain(`HealthcareService/${IMAGING_SERVICE}`);
    const gap = (a: Appointment, b: Appointment) => (Date.parse(b.start!) - Date.parse(a.start!)) / DAY;
    expect(gap(first!, diag!)).toBeGreaterThanOrEqual(1);
    expect(gap(first!, diag!)).toBeLessThan(6);
    expect(gap(diag!, follow!)).toBeGreaterThanOrEqual(2);
    expect(gap(diag!, follow!)).toBeLessThan(7);
    for (const a of [first!, diag!, follow!]) {
      expect(a.status).toBe('booked');
      expect((await read<Slot>('Slot', a.slot![0]!.reference!.split('/')[1]!)).status).toBe('busy');
    }
    const plan = await read<CarePlan>('CarePlan', refIds(res.body, 'carePlan')[0]!);
    expect(plan.activity!.map((a) => a.reference!.reference)).toEqual(ids.map((id) => `Appointment/${id}`));
    // The patient sees their own appointments and plan.
    const mine = await client.as(ACTORS.patient1, 'GET', `Appointment?patient=Patient/p1&_count=200`);
    const seen = (mine.body.entry ?? []).map((e: { resource: Appointment }) => e.resource.id);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect((await client.as(ACTORS.patient1, 'GET', `CarePlan/${plan.id}`)).status).toBe(200);
    // Once booked, booking it again is a conflict.
    expect((await bookPathway(sr, 'quick')).status).toBe(409);
  });

  it('books nothing when one appointment has no slot inside its range (all or nothing)', async () => {
    const sr = await referral();
    const before = (await freeSlots(PHYSIO, Date.now(), Date.now() + 60 * DAY)).length;
    const res = await bookPathway(sr, 'too-far');
    expect(res.status, diagnostics(res)).toBe(422);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].diagnostics).toMatch(
      /no free appointment for 'Follow-up appointment' between .* Nothing has been booked/,
    );
    expect(await appointmentsOf(sr)).toEqual([]);
    expect((await freeSlots(PHYSIO, Date.now(), Date.now() + 60 * DAY)).length).toBe(before);
  });

  it('refuses a patient (staff book pathways) and a referral the caller may not see (404)', async () => {
    const sr = await referral();
    expect((await bookPathway(sr, 'quick', ACTORS.patient1)).status).toBe(403);
    expect((await bookPathway(sr, 'quick', ACTORS.acute)).status).toBe(404);
    expect(await appointmentsOf(sr)).toEqual([]);
  });
});

describe('$reschedule', () => {
  it('moves one appointment of a pathway and the later ones with it, keeping their gaps', async () => {
    const sr = await referral();
    const booked = await bookPathway(sr, 'quick');
    const [firstId, diagId, followId] = refIds(booked.body, 'appointment');
    const diag = await read<Appointment>('Appointment', diagId!);
    const follow = await read<Appointment>('Appointment', followId!);
    const first = await read<Appointment>('Appointment', firstId!);
    // A diagnostics slot a day later, still inside its range after the first appointment.
    const later = (
      await freeSlots(IMAGING_SERVICE, Date.parse(diag.start!) + DAY, Date.parse(first.start!) + 6 * DAY)
    )[0];
    expect(later, 'a later imaging slot').toBeDefined();
    const res = await reschedule(diagId!, later!.id!);
    expect(res.status, diagnostics(res)).toBe(200);
    const [newDiagId] = refIds(res.body, 'appointment');
    const movedIds = refIds(res.body, 'moved');
    const newDiag = await read<Appointment>('Appointment', newDiagId!);
    expect(newDiag.start).toBe(later!.start);
    expect((await read<Appointment>('Appointment', diagId!)).status).toBe('cancelled');
    expect((await read<Slot>('Slot', diag.slot![0]!.reference!.split('/')[1]!)).status).toBe('free');
    const newFollow = movedIds.length ? await read<Appointment>('Appointment', movedIds[0]!) : follow;
    const gap = Date.parse(newFollow.start!) - Date.parse(newDiag.start!);
    expect(gap).toBeGreaterThanOrEqual(2 * DAY);
    expect(gap).toBeLessThan(7 * DAY);
    const plan = await read<CarePlan>('CarePlan', refIds(res.body, 'carePlan')[0]!);
    expect(plan.activity!.map((a) => a.reference!.reference)).toEqual([
      `Appointment/${firstId}`,
      `Appointment/${newDiagId}`,
      `Appointment/${newFollow.id}`,
    ]);
  });

  it('changes nothing when the later appointments cannot keep inside their ranges', async () => {
    const sr = await referral();
    const booked = await bookPathway(sr, 'quick');
    const [firstId, diagId, followId] = refIds(booked.body, 'appointment');
    const first = await read<Appointment>('Appointment', firstId!);
    // The last physio slots of the test directory: no diagnostics and follow-up can come after them.
    const last = (await freeSlots(PHYSIO, Date.now(), Date.now() + 60 * DAY)).at(-1)!;
    const res = await reschedule(firstId!, last.id!);
    expect(res.status, diagnostics(res)).toBe(422);
    expect(res.body.issue[0].diagnostics).toMatch(/Nothing has been changed/);
    for (const id of [firstId!, diagId!, followId!]) {
      expect((await read<Appointment>('Appointment', id)).status).toBe('booked');
    }
    expect((await read<Slot>('Slot', last.id!)).status).toBe('free');
    expect((await read<Appointment>('Appointment', firstId!)).start).toBe(first.start);
  });

  it('moves a single referral appointment: cancel and book in one transaction', async () => {
    const [slot, other] = await freeSlots('hs-ref-msk-cats', Date.now(), Date.now() + 60 * DAY);
    const booked = await client.as(ACTORS.patient1, 'POST', 'Appointment/$book', {
      resourceType: 'Parameters',
      parameter: [{ name: 'slot', valueReference: { reference: `Slot/${slot!.id}` } }],
    });
    expect(booked.status, diagnostics(booked)).toBe(201);
    const res = await reschedule(booked.body.id, other!.id!);
    expect(res.status, diagnostics(res)).toBe(200);
    expect((await read<Appointment>('Appointment', booked.body.id)).status).toBe('cancelled');
    expect((await read<Slot>('Slot', slot!.id!)).status).toBe('free');
    expect((await read<Slot>('Slot', other!.id!)).status).toBe('busy');
    // A slot of another service is refused, and nothing changes.
    const [physio] = await freeSlots(PHYSIO, Date.now(), Date.now() + 60 * DAY);
    const moved = refIds(res.body, 'appointment')[0]!;
    const wrong = await reschedule(moved, physio!.id!);
    expect(wrong.status).toBe(422);
    expect((await read<Appointment>('Appointment', moved)).status).toBe('booked');
  });

  it('answers 404 to a patient moving someone else’s appointment, and changes nothing (attack)', async () => {
    const sr = await referral();
    const booked = await bookPathway(sr, 'quick');
    const [firstId] = refIds(booked.body, 'appointment');
    const [free] = await freeSlots(PHYSIO, Date.now(), Date.now() + 60 * DAY);
    const res = await reschedule(firstId!, free!.id!, ACTORS.patient2);
    expect(res.status).toBe(404);
    const cancel = (actor: Caller) =>
      client.as(actor, 'POST', `Appointment/${firstId}/$cancel-referral-appointment`, { resourceType: 'Parameters' });
    expect((await cancel(ACTORS.patient2)).status).toBe(404);
    expect((await read<Appointment>('Appointment', firstId!)).status).toBe('booked');
    expect((await read<Slot>('Slot', free!.id!)).status).toBe('free');
    // The patient themselves may cancel it (booked by their GP), once.
    const mine = await cancel(ACTORS.patient1);
    expect(mine.status, diagnostics(mine)).toBe(200);
    expect(mine.body.status).toBe('cancelled');
    expect((await cancel(ACTORS.patient1)).status).toBe(409);
  });
});

it('the template names its imaging service by extension', () => {
  expect(KNEE_PATHWAY.action![1]!.extension![0]!.url).toBe(ACTION_SERVICE_EXTENSION);
});
