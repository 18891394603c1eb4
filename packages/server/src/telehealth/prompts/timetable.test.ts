import { describe, expect, it } from 'vitest';
import { enrolmentEnds, nextPromptAt, stillTimely } from './timetable.ts';

const daily = (times: string[]) => ({ times, days: 'daily' as const });
const start = { startedAt: new Date('2026-01-01T00:00:00Z') };

describe('prompt times in Europe/London', () => {
  it.each([
    // GMT in winter, BST in summer: 08:00 local is 08:00Z, then 07:00Z.
    ['2026-12-06T07:00:00Z', ['08:00'], '2026-12-06T08:00:00.000Z'],
    ['2026-07-06T06:00:00Z', ['08:00'], '2026-07-06T07:00:00.000Z'],
    ['2026-12-06T08:00:00Z', ['08:00'], '2026-12-07T08:00:00.000Z'],
    ['2026-12-06T08:00:00Z', ['08:00', '20:00'], '2026-12-06T20:00:00.000Z'],
    // The spring change (29 March 2026, 01:00 GMT → 02:00 BST): 09:00 that day is 08:00Z.
    ['2026-03-28T10:00:00Z', ['09:00'], '2026-03-29T08:00:00.000Z'],
    // A time that does not exist that day (01:30) moves forward to 02:30 BST, once.
    ['2026-03-28T10:00:00Z', ['01:30'], '2026-03-29T01:30:00.000Z'],
    // The autumn change (25 October 2026, 02:00 BST → 01:00 GMT): 09:00 that day is 09:00Z.
    ['2026-10-24T10:00:00Z', ['09:00'], '2026-10-25T09:00:00.000Z'],
  ])('after %s, with prompts at %j, the next is at %s', (after, times, next) => {
    expect(nextPromptAt(daily(times), new Date(after), start)?.toISOString()).toBe(next);
  });

  it('sends a repeated local time only once on the day the clocks go back', () => {
    const schedule = daily(['01:30']);
    const first = nextPromptAt(schedule, new Date('2026-10-24T12:00:00Z'), start)!;
    const second = nextPromptAt(schedule, first, start)!;
    expect(first.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(second.toISOString()).toBe('2026-10-26T01:30:00.000Z');
  });

  it('keeps to the days of the week', () => {
    const weekly = { times: ['10:00'], days: ['mon' as const] };
    // Sunday 6 December 2026 → Monday 7 December.
    expect(nextPromptAt(weekly, new Date('2026-12-06T12:00:00Z'), start)?.toISOString()).toBe(
      '2026-12-07T10:00:00.000Z',
    );
  });

  it('starts no earlier than the enrolment, and ends with it', () => {
    const enrolled = { startedAt: new Date('2026-12-06T12:00:00Z') };
    expect(nextPromptAt(daily(['08:00']), new Date('2026-12-01T00:00:00Z'), enrolled)?.toISOString()).toBe(
      '2026-12-07T08:00:00.000Z',
    );
    const endsAt = enrolmentEnds({ ...daily(['08:00']), durationDays: 7 }, enrolled.startedAt)!;
    expect(endsAt.toISOString()).toBe('2026-12-13T00:00:00.000Z');
    expect(nextPromptAt(daily(['08:00']), new Date('2026-12-12T09:00:00Z'), { ...enrolled, endsAt })).toBeUndefined();
  });

  it('skips a prompt that is too late to send after downtime', () => {
    const due = new Date('2026-12-06T08:00:00Z');
    expect(stillTimely(due, new Date('2026-12-06T08:59:00Z'), 60)).toBe(true);
    expect(stillTimely(due, new Date('2026-12-06T15:00:00Z'), 60)).toBe(false);
  });
});
