import type { Appointment, CodeableConcept, Schedule, Slot } from '@medplum/fhirtypes';
import { formatTime } from '../../lib/dates.ts';
import { conceptText, refId } from '../../lib/fhir-display.ts';

import { CHANNEL_SYSTEM, channelOf, channelText, type Channel } from '../../lib/appointment-channel.ts';

/** What kind of appointment (GP or practice nurse): packages/server/src/portal/slots.ts. */
export const SERVICE_TYPE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/gp-appointment-type';

const codings = (concepts: CodeableConcept[] | undefined) => (concepts ?? []).flatMap((c) => c.coding ?? []);

/** The kind of appointment, without the channel: "GP appointment", "Practice nurse appointment". */
export function kindText(serviceType: CodeableConcept[] | undefined): string {
  const kind = (serviceType ?? []).find((c) => !c.coding?.some((coding) => coding.system === CHANNEL_SYSTEM));
  return kind ? conceptText(kind) : 'Appointment';
}

/** The practice's kind code ("gp", "nurse"), for filtering. */
export function kindCode(serviceType: CodeableConcept[] | undefined): string | undefined {
  return codings(serviceType).find((c) => c.system === SERVICE_TYPE_SYSTEM)?.code;
}

export type Show = 'upcoming' | 'past' | 'cancelled';
export const SHOWS: readonly Show[] = ['upcoming', 'past', 'cancelled'];

export function parseShow(value: string | null): Show {
  return SHOWS.includes(value as Show) ? (value as Show) : 'upcoming';
}

/** An appointment or visit, as the list shows it. */
export interface Visit {
  key: string;
  what: string;
  start?: string | undefined;
  where: string;
  status: string;
  channel?: Channel | undefined;
  reason?: string | undefined;
  appointment?: Appointment | undefined;
}

const WAITING = new Set(['booked', 'pending', 'arrived', 'checked-in']);

/**
 * Upcoming (booked, still to come: soonest first), past (held or missed, and visits: newest first) and
 * cancelled (newest first). An entry in error is in none of them.
 */
export function groupVisits(visits: readonly Visit[], now: number): Record<Show, Visit[]> {
  const at = (v: Visit) => (v.start ? Date.parse(v.start) : NaN);
  const dated = visits.filter((v) => !Number.isNaN(at(v)) && v.status !== 'entered-in-error');
  const upcoming = dated.filter((v) => v.appointment && WAITING.has(v.status) && at(v) >= now);
  const cancelled = dated.filter((v) => v.status === 'cancelled');
  const past = dated.filter((v) => !upcoming.includes(v) && !cancelled.includes(v) && at(v) < now);
  return {
    upcoming: upcoming.sort((a, b) => at(a) - at(b)),
    past: past.sort((a, b) => at(b) - at(a)),
    cancelled: cancelled.sort((a, b) => at(b) - at(a)),
  };
}

/** The status words a past entry needs ("Did not attend"); none for one that happened. */
export function pastStatusText(status: string): string | undefined {
  return status === 'noshow' ? 'Did not attend' : undefined;
}

/** The clinicians an appointment is with, as "with Dr A, B" (empty when none is named). */
export function withWhom(appointment: Appointment): string {
  const people = (appointment.participant ?? [])
    .map((p) => p.actor)
    .filter((a) => /^(Practitioner|PractitionerRole)\//.test(a?.reference ?? '') && a?.display)
    .map((a) => a!.display!);
  return people.length ? ` with ${people.join(', ')}` : '';
}

/** What the patient narrows the free times by; '' is any. */
export interface SlotFilter {
  kind: string;
  channel: '' | Channel;
  time: '' | 'morning' | 'afternoon';
}

export const ANY: SlotFilter = { kind: '', channel: '', time: '' };

/** A free slot with what the patient needs to choose it. */
export interface SlotChoice {
  slot: Slot;
  kind: string;
  kindCode?: string | undefined;
  channel?: Channel | undefined;
  who?: string | undefined;
}

export function slotChoice(slot: Slot, schedules: ReadonlyMap<string, Schedule>): SlotChoice {
  const schedule = schedules.get(refId(slot.schedule, 'Schedule') ?? '');
  const serviceType = slot.serviceType?.length ? slot.serviceType : schedule?.serviceType;
  return {
    slot,
    kind: kindText(serviceType),
    kindCode: kindCode(serviceType),
    channel: channelOf(serviceType),
    who: schedule?.actor?.find((a) => a.reference?.startsWith('PractitionerRole/'))?.display,
  };
}

/** "08:30, by phone, with Dr Ann Lee": the time and what the patient chooses by. */
export function describeChoice(choice: SlotChoice): string {
  const how = channelText(choice.channel).toLowerCase();
  return [formatTime(choice.slot.start), choice.kind, how, choice.who ? `with ${choice.who}` : '']
    .filter(Boolean)
    .join(', ');
}

/** The choices that match the filter (morning is before noon in England). */
export function filterChoices(choices: readonly SlotChoice[], filter: SlotFilter): SlotChoice[] {
  return choices.filter(
    (c) =>
      (!filter.kind || c.kindCode === filter.kind) &&
      (!filter.channel || c.channel === filter.channel) &&
      (!filter.time || formatTime(c.slot.start) < '12:00' === (filter.time === 'morning')),
  );
}
