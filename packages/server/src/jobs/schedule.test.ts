import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { checkSchedule, nextRuns, type JobSchedule } from './schedule.ts';

/**
 * What pg-boss's schedule pass sends (node_modules/pg-boss/dist/timekeeper.js, `readOccurrences`):
 * a pass at `at` steps back with cron-parser's `prev()` and sends the occurrence it finds if it lies
 * in the last 60 seconds, filed under its minute so later passes do not send it again. Only passes
 * within a minute after an occurrence can send anything, so this runs passes just after every
 * occurrence that `next()` or `prev()` can produce in the range, and returns what they sent.
 */
function sentBetween(schedule: JobSchedule, from: string, to: string): string[] {
  const tz = schedule.tz ?? 'Europe/London';
  const parse = (at: number) =>
    CronExpressionParser.parse(schedule.cron, { tz, strict: false, currentDate: new Date(at) });
  const candidates = new Set<number>();
  const forward = parse(Date.parse(from));
  for (let next = forward.next().getTime(); next <= Date.parse(to); next = forward.next().getTime()) {
    candidates.add(next);
  }
  const backward = parse(Date.parse(to) + 1);
  for (let previous = backward.prev().getTime(); previous >= Date.parse(from); previous = backward.prev().getTime()) {
    candidates.add(previous);
  }
  const sent = new Set<string>();
  for (const occurrence of candidates) {
    for (const at of [occurrence + 1000, occurrence + 30_000, occurrence + 59_000]) {
      const previous = parse(at + 1)
        .prev()
        .getTime();
      if (previous > at - 60_000 && previous >= Date.parse(from) && previous <= Date.parse(to)) {
        sent.add(new Date(previous).toISOString());
      }
    }
  }
  return [...sent].sort();
}

describe('schedules in Europe/London across the clock changes', () => {
  // Clocks go forward at 01:00 UTC on 29 March 2026 and 28 March 2027; back at 01:00 UTC on
  // 25 October 2026 and 31 October 2027.
  it.each([
    // 09:00 London is 09:00 UTC in winter, 08:00 UTC in summer.
    [
      '0 9 * * *',
      '2026-03-28T00:00Z',
      '2026-03-30T23:59Z',
      ['2026-03-28T09:00', '2026-03-29T08:00', '2026-03-30T08:00'],
    ],
    [
      '0 9 * * *',
      '2026-10-24T00:00Z',
      '2026-10-26T23:59Z',
      ['2026-10-24T08:00', '2026-10-25T09:00', '2026-10-26T09:00'],
    ],
    [
      '0 9 * * *',
      '2027-03-27T00:00Z',
      '2027-03-29T23:59Z',
      ['2027-03-27T09:00', '2027-03-28T08:00', '2027-03-29T08:00'],
    ],
    [
      '0 9 * * *',
      '2027-10-30T00:00Z',
      '2027-11-01T23:59Z',
      ['2027-10-30T08:00', '2027-10-31T09:00', '2027-11-01T09:00'],
    ],
    // 02:30 on the March day is BST (01:30 UTC): the day before it was GMT.
    ['30 2 * * *', '2026-03-28T00:00Z', '2026-03-29T23:59Z', ['2026-03-28T02:30', '2026-03-29T01:30']],
    // 00:30 London, just before the repeated hour in October: once.
    ['30 0 * * *', '2026-10-24T12:00Z', '2026-10-25T23:59Z', ['2026-10-24T23:30']],
    ['30 0 * * *', '2027-10-30T12:00Z', '2027-10-31T23:59Z', ['2027-10-30T23:30']],
    // Weekday mornings: 07:00 on Monday 30 March 2026 is BST.
    ['0 7 * * 1-5', '2026-03-27T00:00Z', '2026-03-30T23:59Z', ['2026-03-27T07:00', '2026-03-30T06:00']],
  ])('%s from %s: sent once a day at the local time', (cron, from, to, expected) => {
    const utc = expected.map((t) => `${t}:00.000Z`);
    expect(sentBetween({ cron }, from, to)).toEqual(utc);
    // The preview (next()) agrees with what the passes send.
    expect(nextRuns({ cron }, new Date(from), utc.length).map((d) => d.toISOString())).toEqual(utc);
  });

  it('runs an every-ten-minutes job every ten minutes of real time through the repeated hour', () => {
    const sent = sentBetween({ cron: '*/10 * * * *' }, '2026-10-25T00:00Z', '2026-10-25T02:00Z');
    expect(sent).toHaveLength(13); // 00:00 … 02:00 UTC, none doubled and none skipped
  });

  it('would skip 01:30 on the March day, which is why that hour is refused', () => {
    // pg-boss's prev() from 02:30 BST steps back to the day before: the job would not run on 29 March.
    expect(sentBetween({ cron: '30 1 * * *' }, '2026-03-28T12:00Z', '2026-03-29T12:00Z')).toEqual([]);
    expect(() => checkSchedule('reminders', { cron: '30 1 * * *' })).toThrow(/clocks change/);
    expect(() => checkSchedule('reminders', { cron: '0 0-3 * * *' })).toThrow(/clocks change/);
    expect(checkSchedule('sweep', { cron: '0 * * * *' })).toEqual({ cron: '0 * * * *', tz: 'Europe/London' });
  });
});
