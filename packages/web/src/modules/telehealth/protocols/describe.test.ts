import { describe, expect, it } from 'vitest';
import { describeCondition, describeExpecting, describeSchedule, describeTrend } from './describe.ts';

describe('protocols in words', () => {
  it.each([
    [{ times: ['10:00'], days: 'daily' as const }, 'Every day at 10:00 (UK time), until stopped'],
    [
      { times: ['08:00', '20:00'], days: 'daily' as const, durationDays: 7 },
      'Every day at 08:00 and 20:00 (UK time), for 7 days',
    ],
    [{ times: ['09:00'], days: ['mon', 'thu'] }, 'Every Monday, Thursday at 09:00 (UK time), until stopped'],
  ])('schedule %j', (schedule, text) => {
    expect(describeSchedule(schedule)).toBe(text);
  });

  it.each([
    [{ measure: 'spo2' as const, below: 88 }, 'Below 88%'],
    [{ measure: 'pulse' as const, atLeast: 130 }, '130 beats a minute or more'],
    [{ measure: 'answer' as const, equals: 1 }, 'Answer is yes'],
  ])('rule %j', (rule, text) => {
    expect(describeCondition(rule)).toBe(text);
  });

  it('trends and expectations', () => {
    expect(describeTrend({ measure: 'spo2', change: -4, withinDays: 3, level: 'amber', reason: 'x' })).toBe(
      'Oxygen saturation (SpO2): a fall of 4% or more within 3 days',
    );
    expect(describeExpecting(['spo2', 'pulse'])).toBe('oxygen saturation and pulse');
  });
});
