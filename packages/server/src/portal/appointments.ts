import type { Appointment } from '@medplum/fhirtypes';
import type { ModuleServices } from '../modules/contract.ts';
import { invalidParameter } from '../fhir/operations/parameters.ts';
import type { PortalCaller } from './transaction.ts';

/**
 * Booking and cancelling are the referrals module's one implementation (its directory's `book` and
 * `cancel`, docs/REFERRALS.md "Booking"): the Appointment is written as the caller, and the store-level
 * slot holding rule takes the Slot in the same transaction (409 when it is taken) and gives it back on
 * cancellation. The portal's operations only fill in who the appointment is for.
 */
export type Booking = Pick<ModuleServices['referrals']['directory'], 'book' | 'cancel'>;

/** The longest reason for a visit the practice is asked to read (about what the NHS App allows). */
export const MAX_REASON_LENGTH = 500;

/**
 * `Appointment/$book`: books a free Slot for a patient (by default the signed-in patient). The reason
 * for the visit, when given, is the Appointment's `reasonCode.text`, written in the booking's own
 * transaction (a booking never exists without the reason the patient gave).
 */
export async function bookAppointment(
  caller: PortalCaller,
  booking: Booking,
  input: { slotId: string; patientId?: string; basedOn?: string; comment?: string; reason?: string },
): Promise<Appointment> {
  const patientId =
    input.patientId ?? caller.patientId ?? invalidParameter('patient', "Parameter 'patient' is required");
  if (input.reason && input.reason.length > MAX_REASON_LENGTH) {
    invalidParameter('reason', `The reason for the appointment must be ${MAX_REASON_LENGTH} characters or fewer`);
  }
  const request = {
    slotId: input.slotId,
    patientId,
    ...(input.basedOn ? { basedOn: input.basedOn } : {}),
    ...(input.comment ? { comment: input.comment } : {}),
  };
  const reason = input.reason;
  if (!reason) {
    return booking.book(caller.actor, request);
  }
  return caller.unitOfWork(async (uow) => {
    const booked = await booking.book(caller.actor, request, { uow });
    const withReason: Appointment = { ...booked, reasonCode: [{ text: reason }] };
    return (await uow.record.update('Appointment', booked.id!, withReason)).resource as Appointment;
  });
}

/** `Appointment/{id}/$cancel`: cancels a booked appointment and frees its slot (when still in the future). */
export async function cancelAppointment(
  caller: PortalCaller,
  booking: Booking,
  id: string,
  { reason }: { reason?: string },
): Promise<Appointment> {
  return booking.cancel(caller.actor, id, reason);
}
