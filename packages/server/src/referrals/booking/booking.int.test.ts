/**
 * Booking into directory slots (docs/REFERRALS.md, "Booking"; H-190, H-191, H-194): a plain
 * `POST Appointment` naming a slot takes it in the same transaction, a second is 409, cancelling gives
 * it back; and the attacks — a patient cannot book for another patient, nor free or take someone else's
 * slot by writing an Appointment that names it.
 */
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient, diagnostics } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { seedTestDirectory } from '../testing/directory-fixtures.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  await seedTestDirectory(t.platform.resources);
  client = actorClient(t);
});
afterAll(async () => t?.close());

const slotStatus = async (id: string) =>
  (JSON.parse((await t.platform.resources.read('Slot', id)).json ?? '{}') as Slot).status;

/** Free slots of a service, soonest first, as the system sees them. */
async function freeSlots(service: string, count = 10): Promise<Slot[]> {
  const res = await t.fhir('GET', `Slot?schedule=Schedule/sch-${service}&status=free&_sort=start&_count=${count}`);
  return (res.body.entry ?? []).map((e: { resource: Slot }) => e.resource);
}

function appointmentFor(patient: string, slot: Slot, status: Appointment['status'] = 'booked'): Appointment {
  return {
    resourceType: 'Appointment',
    status,
    start: slot.start,
    end: slot.end,
    slot: [{ reference: `Slot/${slot.id}` }],
    participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }],
  };
}

describe('slot holding on plain FHIR writes', () => {
  it('takes the slot on POST Appointment, refuses a second with 409, and frees it on cancellation', async () => {
    const [slot] = await freeSlots('hs-ref-physio-skelmersdale');
    const first = await t.fhir('POST', 'Appointment', appointmentFor('p1', slot!));
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(await slotStatus(slot!.id!)).toBe('busy');

    const second = await t.fhir('POST', 'Appointment', appointmentFor('p2', slot!));
    expect(second.status).toBe(409);
    expect(second.body.resourceType).toBe('OperationOutcome');
    expect(second.body.issue[0].code).toBe('conflict');

    const cancelled = await t.fhir('PUT', `Appointment/${first.body.id}`, { ...first.body, status: 'cancelled' });
    expect(cancelled.status).toBe(200);
    expect(await slotStatus(slot!.id!)).toBe('free');
    expect((await t.fhir('POST', 'Appointment', appointmentFor('p2', slot!))).status).toBe(201);
  });

  it('takes slots in transaction Bundles too, all or nothing', async () => {
    const [a, b] = await freeSlots('hs-ref-physio-burscough');
    await t.fhir('POST', 'Appointment', appointmentFor('p1', b!));
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [a!, b!].map((slot) => ({
        resource: appointmentFor('p2', slot),
        request: { method: 'POST', url: 'Appointment' },
      })),
    };
    const res = await t.fhir('POST', '', bundle);
    expect(res.status).toBe(409);
    // The first entry's slot was taken inside the transaction, and given back with its rollback.
    expect(await slotStatus(a!.id!)).toBe('free');
  });

  it('does not take a slot for an appointment that is only proposed, and takes it when it is booked', async () => {
    const [slot] = await freeSlots('hs-ref-derm-southport');
    const proposed = await t.fhir('POST', 'Appointment', appointmentFor('p1', slot!, 'proposed'));
    expect(proposed.status).toBe(201);
    expect(await slotStatus(slot!.id!)).toBe('free');
    const booked = await t.fhir('PUT', `Appointment/${proposed.body.id}`, { ...proposed.body, status: 'booked' });
    expect(booked.status).toBe(200);
    expect(await slotStatus(slot!.id!)).toBe('busy');
  });
});

describe('the directory book and cancel (the one implementation behind $book)', () => {
  it('books with basedOn through $book and cancels through $cancel', async () => {
    const [slot] = await freeSlots('hs-ref-msk-cats');
    const booked = await client.as(ACTORS.gp, 'POST', 'Appointment/$book', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'slot', valueReference: { reference: `Slot/${slot!.id}` } },
        { name: 'patient', valueReference: { reference: 'Patient/p1' } },
        { name: 'basedOn', valueReference: { reference: 'ServiceRequest/p1-sr' } },
      ],
    });
    expect(booked.status, diagnostics(booked)).toBe(201);
    expect(booked.body.basedOn[0].reference).toBe('ServiceRequest/p1-sr');
    expect(booked.body.participant.map((p: { actor: { reference: string } }) => p.actor.reference)).toContain(
      'HealthcareService/hs-ref-msk-cats',
    );
    expect(await slotStatus(slot!.id!)).toBe('busy');
    const directory = t.app.modules.use('referrals').directory;
    const cancelled = await directory.cancel(ACTORS.gp, booked.body.id, 'Patient is better');
    expect(cancelled.status).toBe('cancelled');
    expect(await slotStatus(slot!.id!)).toBe('free');
    await expect(directory.cancel(ACTORS.gp, booked.body.id)).rejects.toMatchObject({ status: 409 });
  });
});

describe('attacks', () => {
  it('does not let a patient book for another patient (their record answers as absent)', async () => {
    const [slot] = await freeSlots('hs-ref-physio-skelmersdale');
    const viaBook = await client.as(ACTORS.patient1, 'POST', 'Appointment/$book', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'slot', valueReference: { reference: `Slot/${slot!.id}` } },
        { name: 'patient', valueReference: { reference: 'Patient/p2' } },
      ],
    });
    expect(viaBook.status).toBe(404);
    const viaPost = await client.as(ACTORS.patient1, 'POST', 'Appointment', appointmentFor('p2', slot!));
    expect(viaPost.status).toBeGreaterThanOrEqual(400);
    expect(await slotStatus(slot!.id!)).toBe('free');
  });

  it("does not let a patient free or take someone else's slot by writing an Appointment naming it", async () => {
    const [slot] = await freeSlots('hs-ref-physio-skelmersdale');
    const theirs = await client.as(ACTORS.patient2, 'POST', 'Appointment', appointmentFor('p2', slot!));
    expect(theirs.status, diagnostics(theirs)).toBe(201);
    // A booked appointment of my own naming their slot: 409, nothing written.
    const grab = await client.as(ACTORS.patient1, 'POST', 'Appointment', appointmentFor('p1', slot!));
    expect(grab.status).toBe(409);
    // A cancelled one naming it holds nothing, so it frees nothing.
    const decoy = await client.as(ACTORS.patient1, 'POST', 'Appointment', appointmentFor('p1', slot!, 'cancelled'));
    expect(decoy.status, diagnostics(decoy)).toBe(201);
    expect(await slotStatus(slot!.id!)).toBe('busy');
    // Their appointment is hidden from me: cancelling it answers as absent.
    expect(
      (
        await client.as(ACTORS.patient1, 'POST', `Appointment/${theirs.body.id}/$cancel`, {
          resourceType: 'Parameters',
        })
      ).status,
    ).toBe(404);
    expect(await slotStatus(slot!.id!)).toBe('busy');
  });
});
