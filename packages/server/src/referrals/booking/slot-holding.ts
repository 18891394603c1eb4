/**
 * Slot holding, a store-level rule (docs/REFERRALS.md, "Booking"; H-190, H-191): whoever writes an
 * Appointment, through whatever path (`POST`/`PUT Appointment`, a transaction Bundle, `$book`, an
 * import), an Appointment that holds its slots takes them in the write's own transaction, and one that
 * no longer does frees them. The Slot is directory data: it is written by the module's system actor,
 * never as the caller. A slot that is not free — busy for someone else, blocked, or taken a moment ago by
 * a concurrent booking — refuses the write with 409 and nothing is stored.
 */
import type { Appointment, Schedule, Slot } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/database.ts';
import { conflict, fail, OperationOutcomeError } from '../../fhir/outcome.ts';
import type { CallerAccess } from '../../fhir/store/hooks.ts';
import type { StoredResource } from '../../fhir/store/resource.repository.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import type { WriteEffect, WrittenResource } from '../../fhir/store/write-effects.ts';

/** Extension on a Slot naming the Appointment that holds it. */
const BOOKED_BY_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/slot-booked-by';

/**
 * Appointment statuses that hold their slots. `proposed` and `waitlist` do not (an offer, a wish);
 * `cancelled` and `entered-in-error` give them back. `noshow` keeps the slot: the time was lost, and a
 * slot in the past is never offered again anyway.
 */
const HOLDING_STATUSES: ReadonlySet<Appointment['status']> = new Set([
  'pending',
  'booked',
  'arrived',
  'checked-in',
  'fulfilled',
  'noshow',
]);

export const SLOT_TAKEN =
  'This appointment is no longer available: someone else has just booked it. Choose another time.';

/**
 * The two effects, in order: the first keeps the module's mirror of slots (free slots by schedule and
 * start, for waits; who holds a busy one) in step with every Slot write; the second takes and frees
 * slots for every Appointment write.
 */
export function slotEffects(systemAccess: () => CallerAccess): WriteEffect[] {
  return [
    { name: 'referrals: slot availability', types: ['Slot'], apply: (tx, _store, written) => mirrorSlots(tx, written) },
    {
      name: 'referrals: service schedules',
      types: ['Schedule'],
      apply: (tx, _store, written) => mirrorSchedules(tx, written),
    },
    {
      name: 'referrals: slot holding',
      types: ['Appointment'],
      apply: async (tx, store, written) => {
        const views: Views = { tx, store, system: store.forCaller(systemAccess()) };
        for (const appointment of written) {
          await holdSlots(views, appointment);
        }
      },
    },
  ];
}

/**
 * Replaces the mirror rows of the Slots just written (a deletion leaves none), in one statement: the
 * free ones upserted, the busy ones' holders upserted, every other row of these slots deleted (the
 * deletions and the upserts touch different rows, so their order within the statement does not matter).
 */
async function mirrorSlots(tx: Queryable, written: readonly WrittenResource[]): Promise<void> {
  const slots = written.flatMap((w) => (w.resource ? [w.resource as Slot] : []));
  const free = slots.filter((s) => s.status === 'free' && s.schedule?.reference);
  const held = slots.flatMap((s) => {
    const holder = holderOf(s);
    return s.status === 'busy' && holder ? [{ slot: s.id!, appointment: holder }] : [];
  });
  // Queued: it goes out with the transaction's next statement or its commit.
  await tx.queue(
    `with free as (select * from unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
                     as f(slot_id, schedule_id, start_at, end_at)),
          held as (select * from unnest($6::text[], $7::text[]) as h(slot_id, appointment_id)),
          not_free as (delete from referrals_free_slot
                        where slot_id = any($1::text[]) and slot_id not in (select slot_id from free)),
          not_held as (delete from referrals_slot_holder
                        where slot_id = any($1::text[]) and slot_id not in (select slot_id from held)),
          put_free as (insert into referrals_free_slot (slot_id, schedule_id, start_at, end_at)
                       select * from free
                       on conflict (slot_id) do update set schedule_id = excluded.schedule_id,
                         start_at = excluded.start_at, end_at = excluded.end_at),
          put_held as (insert into referrals_slot_holder (slot_id, appointment_id)
                       select * from held
                       on conflict (slot_id) do update set appointment_id = excluded.appointment_id)
     select 1`,
    [
      written.map((w) => w.id),
      free.map((s) => s.id!),
      free.map((s) => idOf(s.schedule.reference)),
      free.map((s) => s.start),
      free.map((s) => s.end),
      held.map((h) => h.slot),
      held.map((h) => h.appointment),
    ],
    { genericPlan: true },
  );
}

/** Replaces the mirror rows of the Schedules just written: an active one's HealthcareService actors. */
async function mirrorSchedules(tx: Queryable, written: readonly WrittenResource[]): Promise<void> {
  await tx.queue('delete from referrals_schedule_service where schedule_id = any($1::text[])', [
    written.map((w) => w.id),
  ]);
  const rows = written.flatMap((w) => {
    const schedule = w.resource as Schedule | undefined;
    if (!schedule || schedule.active === false) {
      return [];
    }
    const services = (schedule.actor ?? []).flatMap((a) =>
      a.reference?.startsWith('HealthcareService/') ? [idOf(a.reference)] : [],
    );
    return [...new Set(services)].map((service) => ({ schedule: w.id, service }));
  });
  if (rows.length) {
    await tx.queue(
      `insert into referrals_schedule_service (schedule_id, service_id)
       select * from unnest($1::text[], $2::text[])`,
      [rows.map((r) => r.schedule), rows.map((r) => r.service)],
    );
  }
}

/**
 * `store` (unrestricted) reads the slot: an internal look that discloses nothing to anyone, so it is not
 * audited; `system` (the module's system actor) writes it, audited as the module; `tx` takes the slot's
 * lock.
 */
interface Views {
  tx: Queryable;
  store: ResourceService;
  system: ResourceService;
}

async function holdSlots(views: Views, written: WrittenResource): Promise<void> {
  const appointment = written.resource as Appointment | undefined;
  const wanted = new Set(
    appointment && HOLDING_STATUSES.has(appointment.status)
      ? (appointment.slot ?? []).flatMap((s) => (s.reference?.startsWith('Slot/') ? [idOf(s.reference)] : []))
      : [],
  );
  // An Appointment's first version holds nothing yet (the mirror is keyed by the Appointment's id, and
  // every earlier write of that id, even one deleted since, would have made this version 2 or later).
  const rows = isFirstVersion(written)
    ? []
    : await views.tx.query<{ slot_id: string }>('select slot_id from referrals_slot_holder where appointment_id = $1', [
        written.id,
      ]);
  const held = new Set(rows.map((r) => r.slot_id));
  // In id order, so two writes touching the same slots cannot deadlock.
  for (const slotId of [...wanted].filter((s) => !held.has(s)).sort()) {
    await takeSlot(views, slotId, written.id);
  }
  for (const slotId of [...held].filter((s) => !wanted.has(s)).sort()) {
    await freeSlot(views, slotId, written.id);
  }
}

/**
 * The slot's current version, read under its lock (the store's lock on `Slot/{id}`, a PostgreSQL
 * advisory lock shared by every process), which this transaction then holds until it ends: of two
 * concurrent bookings of one slot the second waits here, then reads the first one's busy version.
 * Two statements, because a statement reads the snapshot taken when it started, before any wait; the
 * lock is queued, so both go to PostgreSQL in one write and it runs them in order.
 */
async function lockedSlot({ tx, store }: Views, slotId: string): Promise<StoredResource | undefined> {
  await tx.queue('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`Slot/${slotId}`], { genericPlan: true });
  try {
    return await store.read('Slot', slotId);
  } catch (error) {
    if (error instanceof OperationOutcomeError && (error.status === 404 || error.status === 410)) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Writes a new version of a slot this transaction holds the lock of, as the module's system actor.
 * `stored` is its current version, read under that lock, so the store need not lock and read it again.
 */
async function writeSlot({ system }: Views, stored: StoredResource, slot: Slot): Promise<void> {
  await system.writeMany([{ resource: slot, method: 'update' }], new Map([[`Slot/${stored.id}`, stored]]));
}

async function takeSlot(views: Views, slotId: string, appointmentId: string): Promise<void> {
  const stored = await lockedSlot(views, slotId);
  if (!stored) {
    return fail('business-rule', `The appointment names Slot/${slotId}, which is not known`);
  }
  const slot = JSON.parse(stored.json ?? '{}') as Slot;
  if (slot.status !== 'free') {
    return conflict(SLOT_TAKEN);
  }
  await writeSlot(views, stored, {
    ...slot,
    status: 'busy',
    extension: [...otherExtensions(slot), bookedBy(appointmentId)],
  });
}

/** Gives a slot back, when it is still in the future (a past slot is history, and stays as it was). */
async function freeSlot(views: Views, slotId: string, appointmentId: string): Promise<void> {
  const stored = await lockedSlot(views, slotId);
  const slot = stored && (JSON.parse(stored.json ?? '{}') as Slot);
  if (
    !stored ||
    !slot ||
    slot.status !== 'busy' ||
    holderOf(slot) !== appointmentId ||
    Date.parse(slot.start) <= Date.now()
  ) {
    return;
  }
  const rest = otherExtensions(slot);
  const { extension: _held, ...plain } = slot;
  void _held;
  await writeSlot(views, stored, { ...plain, ...(rest.length ? { extension: rest } : {}), status: 'free' });
}

/** True for the first version of a resource (its `meta.versionId` as the store stamped it). */
function isFirstVersion(written: WrittenResource): boolean {
  return written.resource?.meta?.versionId === '1';
}

function bookedBy(appointmentId: string): NonNullable<Slot['extension']>[number] {
  return { url: BOOKED_BY_EXTENSION, valueReference: { reference: `Appointment/${appointmentId}` } };
}

function otherExtensions(slot: Slot): NonNullable<Slot['extension']> {
  return (slot.extension ?? []).filter((e) => e.url !== BOOKED_BY_EXTENSION);
}

/** The id of the Appointment holding a slot (its booked-by extension), if any. */
function holderOf(slot: Slot): string | undefined {
  const reference = slot.extension?.find((e) => e.url === BOOKED_BY_EXTENSION)?.valueReference?.reference;
  return reference?.startsWith('Appointment/') ? idOf(reference) : undefined;
}

export function idOf(reference: string | undefined): string {
  return reference?.split('/').pop() ?? '';
}
