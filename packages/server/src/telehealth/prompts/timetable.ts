/**
 * When a protocol's prompts fall, in Europe/London wall-clock time: 08:00 is 08:00 in winter and in
 * summer, a day of 23 or 25 hours across the clock changes has its prompts once each, and a prompt
 * time that does not exist (01:30 on the last Sunday of March) moves to the first valid minute after.
 * Luxon does the zone arithmetic (IANA data from the runtime's ICU), as the notifications module does.
 */
import { DateTime } from 'luxon';
import type { Protocol } from '../protocols/model.ts';

export const ZONE = 'Europe/London';
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * The first prompt time strictly after `after`, on or after the enrolment started and before it ends
 * (undefined when the schedule has ended).
 */
export function nextPromptAt(
  schedule: Protocol['schedule'],
  after: Date,
  enrolled: { startedAt: Date; endsAt?: Date },
): Date | undefined {
  const from = DateTime.fromJSDate(after > enrolled.startedAt ? after : enrolled.startedAt, { zone: ZONE });
  const times = [...schedule.times].sort();
  for (let day = 0; day <= 8; day++) {
    const date = from.startOf('day').plus({ days: day });
    const weekday = WEEKDAYS[date.weekday - 1]!;
    if (schedule.days !== 'daily' && !schedule.days.includes(weekday)) {
      continue;
    }
    for (const time of times) {
      const [hour, minute] = time.split(':').map(Number);
      const at = date.set({ hour: hour!, minute: minute!, second: 0, millisecond: 0 });
      if (at.toMillis() > after.getTime() && at.toMillis() >= enrolled.startedAt.getTime()) {
        const instant = at.toJSDate();
        return enrolled.endsAt && instant >= enrolled.endsAt ? undefined : instant;
      }
    }
  }
  return undefined;
}

/** When an enrolment on a protocol with a duration ends (absent: until stopped). */
export function enrolmentEnds(schedule: Protocol['schedule'], startedAt: Date): Date | undefined {
  if (!schedule.durationDays) {
    return undefined;
  }
  return DateTime.fromJSDate(startedAt, { zone: ZONE }).startOf('day').plus({ days: schedule.durationDays }).toJSDate();
}

/**
 * Whether a prompt due at `due` may still be sent at `now`: after downtime, an 08:00 prompt is not
 * sent at 15:00 — it is skipped and the next one is due instead.
 */
export function stillTimely(due: Date, now: Date, catchUpMinutes: number): boolean {
  return now.getTime() - due.getTime() <= catchUpMinutes * 60_000;
}
