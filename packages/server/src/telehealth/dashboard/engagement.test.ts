import { describe, expect, it } from 'vitest';
import { engagementOf, promptTimes } from './engagement.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-12-06T12:00:00Z');
const daily = { times: ['09:00'], days: 'daily' as const };
const ago = (days: number, hour = 10): Date => new Date(NOW.getTime() - days * DAY + (hour - 12) * 3_600_000);

describe('promptTimes', () => {
  it('lists the timetable’s prompts in the window, in London time', () => {
    const times = promptTimes(daily, ago(3), NOW, { startedAt: ago(100) });
    expect(times.map((t) => t.toISOString())).toEqual([
      '2026-12-04T09:00:00.000Z',
      '2026-12-05T09:00:00.000Z',
      '2026-12-06T09:00:00.000Z',
    ]);
  });
});

describe('engagementOf', () => {
  it.each([
    ['every day answered', [...Array(30).keys()].map((d) => ago(d)), 30, 1, false],
    ['two texts in one round count once', [ago(0), ago(0, 11)], 30, 1 / 30, false],
    ['silent for 8 days', [ago(8), ago(9)], 30, 2 / 30, true],
    ['silent for 6 days', [ago(6)], 30, 1 / 30, false],
    ['never replied', [], 30, 0, true],
  ])('%s', (_name, replies, prompts, rate, droppedOff) => {
    const result = engagementOf({ schedule: daily, startedAt: ago(100), active: true, replies, now: NOW });
    expect(result.promptsSent).toBe(prompts);
    expect(result.responseRate).toBeCloseTo(rate);
    expect(result.droppedOff).toBe(droppedOff);
  });

  it('does not flag a drop-off in the first week, or for a paused enrolment', () => {
    expect(engagementOf({ schedule: daily, startedAt: ago(3), active: true, replies: [], now: NOW }).droppedOff).toBe(
      false,
    );
    expect(engagementOf({ schedule: daily, startedAt: ago(60), active: false, replies: [], now: NOW }).droppedOff).toBe(
      false,
    );
  });

  it('has no response rate when nothing was due', () => {
    const result = engagementOf({ schedule: daily, startedAt: NOW, active: true, replies: [], now: NOW });
    expect(result).toMatchObject({ promptsSent: 0, responseRate: null, lastReplyAt: null });
  });
});
