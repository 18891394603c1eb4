import type { Resource } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { buildInfrastructureModel, type PracticeInfo, type StaffMember } from '../seed/infrastructure.ts';
import { Rng } from '../seed/prng.ts';
import type { FhirResource } from '../seed/types.ts';

export interface SlotOptions {
  /** The seed the population was generated with (staff names and ids follow it). */
  seed: number;
  /** First day of the schedule (its UTC date is used); the same `from` and seed give the same slots. */
  from: Date;
  /** How many weeks of weekday surgeries to publish. Default 4. */
  weeks?: number;
}

/** Online-bookable surgeries per clinician and day, as Europe/London wall-clock times. */
const SESSION_TIMES: Record<'gp' | 'practice-nurse', string[]> = {
  gp: ['08:30', '08:45', '09:00', '09:15', '11:00', '11:15', '15:00', '15:15', '15:30', '16:00'],
  'practice-nurse': ['09:00', '09:20', '09:40', '10:00', '14:00', '14:20', '14:40'],
};
const MINUTES: Record<'gp' | 'practice-nurse', number> = { gp: 15, 'practice-nurse': 20 };
/** The GP's times kept for telephone appointments (first thing and late afternoon); the rest are face to face. */
const TELEPHONE_TIMES: Record<'gp' | 'practice-nurse', ReadonlySet<string>> = {
  gp: new Set(['08:30', '08:45', '15:30', '16:00']),
  'practice-nurse': new Set(),
};
/** Share of slots already taken by patients who phoned the surgery. */
const ALREADY_BOOKED = 0.25;

export const APPOINTMENT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0276';
export const SERVICE_TYPE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/gp-appointment-type';
/**
 * How an appointment is held, as the practice offers each slot: a second `serviceType` on the Slot
 * (copied onto the Appointment when it is booked), so a patient chooses phone or face to face by
 * choosing a slot, as in the practice's own appointment book.
 */
export const CHANNEL_SYSTEM = 'https://careweave.example/fhir/CodeSystem/appointment-channel';
export const CHANNELS = {
  telephone: { system: CHANNEL_SYSTEM, code: 'telephone', display: 'Telephone appointment' },
  'face-to-face': { system: CHANNEL_SYSTEM, code: 'face-to-face', display: 'Face-to-face appointment' },
} as const;

/**
 * Demo Schedules and Slots: for every GP practice, one Schedule for its first GP and one for its
 * first practice nurse (actors: the PractitionerRole and the practice's Location), with weekday
 * slots for `weeks` weeks from `from`. Deterministic: ids are `sched-{ods}-{role}` and
 * `slot-{ods}-{role}-{yyyymmdd}-{hhmm}`, and the slots already booked are drawn from the seed.
 *
 * @example
 * const resources = generateSlots({ seed: 1, from: new Date('2026-11-02') });
 */
export function generateSlots(options: SlotOptions): FhirResource[] {
  const model = buildInfrastructureModel(options.seed);
  const days = weekdays(options.from, options.weeks ?? 4);
  const out: FhirResource[] = [];
  for (const practice of model.practices) {
    const clinicians: [StaffMember | undefined, 'gp' | 'practice-nurse'][] = [
      [practice.gps[0], 'gp'],
      [practice.nurses[0], 'practice-nurse'],
    ];
    for (const [member, role] of clinicians) {
      if (member) {
        out.push(...scheduleFor(practice, member, role, days, options.seed));
      }
    }
  }
  return out;
}

function scheduleFor(
  practice: PracticeInfo,
  member: StaffMember,
  role: 'gp' | 'practice-nurse',
  days: string[],
  seed: number,
): FhirResource[] {
  const ods = practice.def.ods.toLowerCase();
  const scheduleId = `sched-${ods}-${role === 'gp' ? 'gp' : 'nurse'}`;
  const title = role === 'gp' ? 'GP appointment' : 'Practice nurse appointment';
  const serviceType = [
    { coding: [{ system: SERVICE_TYPE_SYSTEM, code: role === 'gp' ? 'gp' : 'nurse', display: title }] },
  ];
  const rng = new Rng(seed, hashString(scheduleId));
  const clinician = `${role === 'gp' ? 'Dr ' : ''}${member.given} ${member.family}`;
  const schedule: FhirResource = {
    resourceType: 'Schedule',
    id: scheduleId,
    meta: { source: `Organization/${practice.orgId}` },
    active: true,
    serviceType,
    actor: [
      { reference: `PractitionerRole/${member.roleId}`, display: clinician },
      { reference: `Location/${practice.locationId}`, display: `${practice.def.name} surgery` },
    ],
    planningHorizon: { start: days[0], end: days[days.length - 1] },
    comment: `${title}s with ${clinician} that patients can book online`,
  };
  const slots: FhirResource[] = [];
  for (const day of days) {
    for (const time of SESSION_TIMES[role]) {
      const start = londonTime(day, time);
      const end = new Date(start.getTime() + MINUTES[role] * 60_000);
      const channel = CHANNELS[TELEPHONE_TIMES[role].has(time) ? 'telephone' : 'face-to-face'];
      slots.push({
        resourceType: 'Slot',
        id: `slot-${ods}-${role === 'gp' ? 'gp' : 'nurse'}-${day.replaceAll('-', '')}-${time.replace(':', '')}`,
        meta: { source: `Organization/${practice.orgId}` },
        serviceType: [...serviceType, { coding: [channel] }],
        appointmentType: {
          coding: [{ system: APPOINTMENT_TYPE_SYSTEM, code: 'ROUTINE', display: 'Routine appointment' }],
        },
        schedule: { reference: `Schedule/${scheduleId}` },
        status: rng.chance(ALREADY_BOOKED) ? 'busy' : 'free',
        start: start.toISOString(),
        end: end.toISOString(),
      });
    }
  }
  return [schedule, ...slots];
}

/**
 * Writes the demo slots unless they are there already (so bookings made since are kept).
 * Call after the demo population is loaded. Returns how many resources were written.
 */
export async function seedDemoSlots(service: ResourceService, options: SlotOptions): Promise<number> {
  const resources = generateSlots(options) as unknown as Resource[];
  const first = resources.find((r) => r.resourceType === 'Schedule');
  if (!first) {
    return 0;
  }
  const existing = await service.search('Schedule', [
    ['_id', first.id!],
    ['_summary', 'count'],
  ]);
  if ((existing.total ?? 0) > 0) {
    return 0;
  }
  for (let i = 0; i < resources.length; i += 1000) {
    const items = resources.slice(i, i + 1000).map((resource) => ({ resource, method: 'update' as const }));
    await service.transaction((tx) => tx.writeMany(items));
  }
  return resources.length;
}

/** The weekdays (Mon–Fri) in `weeks` weeks from `from`'s UTC date, as yyyy-mm-dd. */
function weekdays(from: Date, weeks: number): string[] {
  const days: string[] = [];
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let i = 0; i < weeks * 7; i++) {
    const day = new Date(start + i * 86_400_000);
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) {
      days.push(day.toISOString().slice(0, 10));
    }
  }
  return days;
}

/** The instant at which the clocks in England show `time` on `day` (GMT or BST). */
export function londonTime(day: string, time: string): Date {
  const guess = new Date(`${day}T${time}:00Z`);
  const shown = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(guess);
  const [h, m] = shown.split(':').map(Number) as [number, number];
  const [wantH, wantM] = time.split(':').map(Number) as [number, number];
  return new Date(guess.getTime() - ((h - wantH) * 60 + (m - wantM)) * 60_000);
}

function hashString(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  }
  return hash >>> 0;
}
