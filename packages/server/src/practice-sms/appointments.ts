/**
 * The FHIR side of a reminder: which booked Appointments are due one, what the text says about them,
 * and cancelling one by reply (the Appointment cancelled by the patient, its Slot freed), written as
 * the module's system actor in the unit of work that received the reply.
 */
import type { Appointment, Location, Slot } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { parse } from './record.ts';

const BOOKED_BY_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/slot-booked-by';
const ZONE = 'Europe/London';

export function patientOf(appointment: Appointment): string | undefined {
  const ref = appointment.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
  return ref?.slice('Patient/'.length);
}

/** The organisation whose record the appointment is (`meta.source`), i.e. the practice that booked it. */
export function organisationOf(appointment: Appointment): string | undefined {
  return /(?:^|\/)Organization\/([^/]+)$/.exec(appointment.meta?.source ?? '')?.[1];
}

/** Booked appointments starting between `from` and `to` (the reminder window), every page of them. */
export async function bookedBetween(system: ResourceService, from: Date, to: Date): Promise<Appointment[]> {
  const query: [string, string][] = [
    ['status', 'booked'],
    ['date', `ge${from.toISOString()}`],
    ['date', `le${to.toISOString()}`],
    ['_count', '1000'],
  ];
  const found: Appointment[] = [];
  let cursor: string | null = null;
  do {
    const bundle = await system.search('Appointment', cursor ? [...query, ['_cursor', cursor]] : query);
    found.push(...(bundle.entry ?? []).map((e) => e.resource as Appointment));
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    // A missed page would be patients not reminded: follow the cursor to the end.
    cursor = next ? new URL(next).searchParams.get('_cursor') : null;
  } while (cursor);
  return found;
}

/** Date, time (Europe/London) and place of an appointment, for a template. */
export async function appointmentFields(
  system: ResourceService,
  appointment: Appointment,
  practiceName: string,
): Promise<{ appointmentDate: string; appointmentTime: string; location: string }> {
  const start = DateTime.fromISO(appointment.start!).setZone(ZONE);
  const locationRef = appointment.participant?.find((p) => p.actor?.reference?.startsWith('Location/'))?.actor;
  let location = locationRef?.display ?? practiceName;
  if (!locationRef?.display && locationRef?.reference) {
    try {
      location =
        parse<Location>((await system.read('Location', locationRef.reference.split('/')[1]!)).json).name ?? location;
    } catch {
      // A location we cannot read: the practice's name will do.
    }
  }
  return {
    appointmentDate: start.toFormat('cccc d LLLL'),
    appointmentTime: start.toFormat('HH:mm'),
    location,
  };
}

export type CancelResult = { cancelled: Appointment } | { notBooked: Appointment };

/**
 * Cancels the appointment as the patient asked (status cancelled, reason patient) and frees the slot
 * it holds — only a slot whose booked-by names this appointment, or that names none, and is still
 * ahead — with If-Match on the versions read, so a concurrent change fails the whole unit.
 */
export async function cancelByPatient(system: ResourceService, appointmentId: string): Promise<CancelResult> {
  const stored = await system.read('Appointment', appointmentId);
  const appointment = parse<Appointment>(stored.json);
  if (appointment.status !== 'booked') {
    return { notBooked: appointment };
  }
  const cancelled: Appointment = {
    ...appointment,
    status: 'cancelled',
    cancelationReason: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason',
          code: 'pat',
          display: 'Patient',
        },
      ],
      text: 'patient',
    },
  };
  const updated = (await system.update('Appointment', appointmentId, cancelled, { ifMatch: stored.versionId }))
    .resource as Appointment;
  for (const reference of appointment.slot ?? []) {
    const slotId = reference.reference?.split('/')[1];
    if (!slotId) {
      continue;
    }
    const slotStored = await system.read('Slot', slotId);
    const slot = parse<Slot>(slotStored.json);
    const holder = slot.extension?.find((e) => e.url === BOOKED_BY_EXTENSION)?.valueReference?.reference;
    if (
      slot.status === 'busy' &&
      Date.parse(slot.start) > Date.now() &&
      (!holder || holder === `Appointment/${appointmentId}`)
    ) {
      const rest = (slot.extension ?? []).filter((e) => e.url !== BOOKED_BY_EXTENSION);
      const { extension: _held, ...plain } = slot;
      void _held;
      await system.update(
        'Slot',
        slotId,
        { ...plain, ...(rest.length ? { extension: rest } : {}), status: 'free' },
        { ifMatch: slotStored.versionId },
      );
    }
  }
  return { cancelled: updated };
}
