/**
 * Clock times people choose (quiet hours, digest time) are wall-clock times in Europe/London: 22:00
 * is 22:00 in winter (GMT) and in summer (BST). Luxon does the zone arithmetic, including the days
 * the clocks change (a time that does not exist that day moves forward; one that happens twice is
 * the first).
 */
import { DateTime } from 'luxon';

export const ZONE = 'Europe/London';
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isClockTime(value: unknown): value is string {
  return typeof value === 'string' && HH_MM.test(value);
}

function minutes(clock: string): number {
  const [, h, m] = HH_MM.exec(clock)!;
  return Number(h) * 60 + Number(m);
}

function local(now: Date): DateTime {
  return DateTime.fromJSDate(now, { zone: ZONE });
}

/** True when `now` falls in quiet hours `start`–`end` (London time; may run past midnight). */
export function inQuietHours(now: Date, quiet: { start: string; end: string } | null): boolean {
  if (!quiet || quiet.start === quiet.end) {
    return false;
  }
  const t = local(now);
  const at = t.hour * 60 + t.minute;
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  return start < end ? at >= start && at < end : at >= start || at < end;
}

/** The next instant after `now` at which the London clock reads `clock`. */
export function nextLondonTime(now: Date, clock: string): Date {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  const t = local(now);
  let candidate = t.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (candidate <= t) {
    candidate = t.plus({ days: 1 }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  }
  return candidate.toJSDate();
}

/** The London calendar day of `now` (`2026-03-29`). */
export function londonDay(now: Date): string {
  return local(now).toISODate()!;
}

/** True once the London clock has reached `clock` today. */
export function reachedToday(now: Date, clock: string): boolean {
  const t = local(now);
  return t.hour * 60 + t.minute >= minutes(clock);
}
