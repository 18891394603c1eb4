/**
 * Booking into a directory slot and cancelling (docs/REFERRALS.md, "Booking"): the one implementation
 * behind `Appointment/$book` and `$cancel` (the portal's GP slots and referral services alike) and the
 * directory's `book`/`cancel`. The Appointment is written as the caller — the access policy decides
 * who may book for whom — and the slot is taken or given back by the store-level slot holding rule
 * (./slot-holding.ts) in the same transaction.
 */
import type { Appointment, AppointmentParticipant, Schedule, Slot } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import { requireActor } from '../../access/guards.ts';
import { conflict, fail } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import type { UnitOfWork } from '../../modules/unit-of-work.ts';
import { idOf, SLOT_TAKEN } from './slot-holding.ts';

export interface BookingInput {
  slotId: string;
  patientId: string;
  /** The referral (`ServiceRequest/id`) the appointment is for. */
  basedOn?: string;
  comment?: string;
}

/** Joins a unit of work the caller already has open (the lifecycle books while it updates a referral). */
export interface InUnit {
  uow?: UnitOfWork;
}

export class BookingService {
  private readonly context: Pick<ModuleContext, 'unitOfWork'>;

  constructor(context: Pick<ModuleContext, 'unitOfWork'>) {
    this.context = context;
  }

  /**
   * Books a free slot: 404 when the patient or slot is not known to the caller, 409 when the slot is
   * not free (also when a concurrent booking took it first), 422 when it has passed.
   */
  async book(actor: Actor, input: BookingInput, options: InUnit = {}): Promise<Appointment> {
    requireActor(actor);
    return this.inUnit(actor, options, async (uow) => {
      const asCaller = uow.record;
      const system = uow.system();
      await asCaller.read('Patient', input.patientId);
      if (input.basedOn) {
        await asCaller.read('ServiceRequest', idOf(input.basedOn));
      }
      const slot = parse<Slot>((await system.read('Slot', input.slotId)).json);
      if (slot.status !== 'free') {
        return conflict(SLOT_TAKEN);
      }
      if (Date.parse(slot.end) < Date.now()) {
        return fail('business-rule', 'This appointment time has already passed. Choose another time.');
      }
      const schedule = parse<Schedule>((await system.read('Schedule', idOf(slot.schedule.reference))).json);
      const appointment = appointmentFor(slot, schedule, input);
      return (await asCaller.create('Appointment', appointment)).resource as Appointment;
    });
  }

  /** Cancels a booked appointment; the slot holding rule gives its slot back (if still in the future). */
  async cancel(actor: Actor, appointmentId: string, reason?: string, options: InUnit = {}): Promise<Appointment> {
    requireActor(actor);
    return this.inUnit(actor, options, async (uow) => {
      const stored = await uow.record.read('Appointment', appointmentId);
      const appointment = parse<Appointment>(stored.json);
      if (appointment.status === 'cancelled') {
        return conflict('This appointment has already been cancelled.');
      }
      if (!['booked', 'pending', 'proposed'].includes(appointment.status)) {
        return fail('business-rule', `An appointment that is '${appointment.status}' cannot be cancelled.`);
      }
      const cancelled: Appointment = {
        ...appointment,
        status: 'cancelled',
        cancelationReason: { text: reason ?? defaultReason(actor) },
      };
      const written = await uow.record.update('Appointment', appointmentId, cancelled, { ifMatch: stored.versionId });
      return written.resource as Appointment;
    });
  }

  private inUnit<T>(actor: Actor, options: InUnit, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return options.uow ? work(options.uow) : this.context.unitOfWork(actor, work);
  }
}

function appointmentFor(slot: Slot, schedule: Schedule, input: BookingInput): Appointment {
  return {
    resourceType: 'Appointment',
    ...(schedule.meta?.source ? { meta: { source: schedule.meta.source } } : {}),
    status: 'booked',
    serviceType: slot.serviceType ?? schedule.serviceType,
    ...(schedule.specialty ? { specialty: schedule.specialty } : {}),
    appointmentType: slot.appointmentType,
    description: schedule.serviceType?.[0]?.coding?.[0]?.display ?? schedule.comment ?? 'Appointment',
    start: slot.start,
    end: slot.end,
    minutesDuration: Math.round((Date.parse(slot.end) - Date.parse(slot.start)) / 60_000),
    slot: [{ reference: `Slot/${input.slotId}` }],
    created: new Date().toISOString(),
    ...(input.basedOn ? { basedOn: [{ reference: `ServiceRequest/${idOf(input.basedOn)}` }] } : {}),
    ...(input.comment ? { comment: input.comment } : {}),
    participant: [
      { actor: { reference: `Patient/${input.patientId}` }, required: 'required', status: 'accepted' },
      ...(schedule.actor ?? []).map((actor): AppointmentParticipant => ({
        actor,
        required: 'required',
        status: 'accepted',
      })),
    ],
  };
}

function defaultReason(actor: Actor): string {
  switch (actor.kind) {
    case 'patient':
      return 'Cancelled by the patient';
    case 'related-person':
      return 'Cancelled by the patient’s carer';
    default:
      return 'Cancelled';
  }
}

function parse<T>(json: string | null | undefined): T {
  return JSON.parse(json ?? '{}') as T;
}
