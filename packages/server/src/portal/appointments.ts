import type { Appointment, AppointmentParticipant, Reference, Schedule, Slot } from '@medplum/fhirtypes';
import { badRequest, conflict, fail, OperationOutcomeError } from '../fhir/outcome.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { invalidParameter } from '../fhir/operations/parameters.ts';
import { inTransaction, parse, type PortalCaller } from './transaction.ts';
import { requireActor } from '../access/guards.ts';

/**
 * `Appointment/$book`: books a free Slot for a patient. In one transaction it takes the Slot's
 * lock by updating it with `If-Match` on the version it read, so of two concurrent bookings of one
 * slot exactly one succeeds; the other gets 409. The Appointment is written as the caller (the
 * access policy checks they may book for this patient); the Slot, which is directory data the
 * caller may not change, is written by the system within the same transaction.
 */
export async function bookAppointment(
  caller: PortalCaller,
  input: { slotId: string; patientId?: string; comment?: string },
): Promise<Appointment> {
  const { slotId, comment } = input;
  const patientId =
    input.patientId ?? caller.patientId ?? invalidParameter('patient', "Parameter 'patient' is required");
  requireActor(caller.actor);
  return inTransaction(caller, async ({ system, asCaller }) => {
    await asCaller.read('Patient', patientId);
    const stored = await system.read('Slot', slotId);
    const slot = parse<Slot>(stored.json);
    if (slot.status !== 'free') {
      return conflict('This appointment is no longer available: someone else has just booked it. Choose another time.');
    }
    if (new Date(slot.end).getTime() < Date.now()) {
      return fail('business-rule', 'This appointment time has already passed. Choose another time.');
    }
    await takeSlot(system, { ...slot, status: 'busy' }, stored.versionId);
    const schedule = parse<Schedule>((await system.read('Schedule', idFrom(slot.schedule))).json);
    const appointment: Appointment = {
      resourceType: 'Appointment',
      meta: schedule.meta?.source ? { source: schedule.meta.source } : undefined,
      status: 'booked',
      serviceType: slot.serviceType,
      appointmentType: slot.appointmentType,
      description: schedule.serviceType?.[0]?.coding?.[0]?.display ?? 'Appointment',
      start: slot.start,
      end: slot.end,
      minutesDuration: Math.round((Date.parse(slot.end) - Date.parse(slot.start)) / 60_000),
      slot: [{ reference: `Slot/${slotId}` }],
      created: new Date().toISOString(),
      comment,
      participant: [
        { actor: { reference: `Patient/${patientId}` }, required: 'required', status: 'accepted' },
        ...(schedule.actor ?? []).map((actor): AppointmentParticipant => ({
          actor,
          required: 'required',
          status: 'accepted',
        })),
      ],
    };
    const booked = (await asCaller.create('Appointment', appointment)).resource as Appointment;
    // The slot remembers which appointment holds it: only cancelling that one frees it.
    const held: Slot = { ...slot, status: 'busy', extension: [...withoutBooking(slot), bookedBy(booked.id!)] };
    await system.update('Slot', slotId, held, { ifMatch: stored.versionId + 1 });
    return booked;
  });
}

/** Extension on a Slot naming the Appointment that `$book` made for it. */
export const BOOKED_BY_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/slot-booked-by';

function bookedBy(appointmentId: string): NonNullable<Slot['extension']>[number] {
  return { url: BOOKED_BY_EXTENSION, valueReference: { reference: `Appointment/${appointmentId}` } };
}

function withoutBooking(slot: Slot): NonNullable<Slot['extension']> {
  return (slot.extension ?? []).filter((e) => e.url !== BOOKED_BY_EXTENSION);
}

/**
 * `Appointment/{id}/$cancel`: cancels a booked appointment and frees its slot (when the slot is
 * still in the future), in one transaction. Cancelling twice is refused with a plain message.
 */
export async function cancelAppointment(
  caller: PortalCaller,
  id: string,
  { reason }: { reason?: string },
): Promise<Appointment> {
  requireActor(caller.actor);
  return inTransaction(caller, async ({ system, asCaller }) => {
    const stored = await asCaller.read('Appointment', id);
    const appointment = parse<Appointment>(stored.json);
    if (appointment.status === 'cancelled') {
      return conflict('This appointment has already been cancelled.');
    }
    if (appointment.status !== 'booked' && appointment.status !== 'pending' && appointment.status !== 'proposed') {
      return fail('business-rule', `An appointment that is '${appointment.status}' cannot be cancelled.`);
    }
    const cancelled: Appointment = {
      ...appointment,
      status: 'cancelled',
      cancelationReason: { text: reason ?? 'Cancelled by the patient' },
    };
    const updated = (await asCaller.update('Appointment', id, cancelled, { ifMatch: stored.versionId })).resource;
    for (const slotReference of appointment.slot ?? []) {
      const slotStored = await system.read('Slot', idFrom(slotReference));
      const slot = parse<Slot>(slotStored.json);
      // Only the slot this appointment booked: any Appointment a patient writes may name a slot,
      // and cancelling one must never free a slot someone else holds.
      const holder = slot.extension?.find((e) => e.url === BOOKED_BY_EXTENSION)?.valueReference?.reference;
      if (slot.status === 'busy' && Date.parse(slot.start) > Date.now() && holder === `Appointment/${id}`) {
        const rest = withoutBooking(slot);
        const { extension: _booking, ...plain } = slot;
        void _booking;
        await takeSlot(
          system,
          { ...plain, ...(rest.length ? { extension: rest } : {}), status: 'free' },
          slotStored.versionId,
        );
      }
    }
    return updated as Appointment;
  });
}

async function takeSlot(system: ResourceService, slot: Slot, version: number): Promise<void> {
  try {
    await system.update('Slot', slot.id!, slot, { ifMatch: version });
  } catch (error) {
    if (error instanceof OperationOutcomeError && error.status === 412) {
      conflict('This appointment is no longer available: someone else has just booked it. Choose another time.');
    }
    throw error;
  }
}

function idFrom(reference: Reference | undefined): string {
  const id = reference?.reference?.split('/').pop();
  return id ?? badRequest('A reference has no id');
}
