import { describe, expect, it } from 'vitest';
import { planPathway, type Candidate } from './planner.ts';
import type { PathwayStep } from './template.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const slot = (id: string, day: number, hour = 9): Candidate => ({
  id,
  start: new Date(T0 + day * DAY + (hour - 9) * 3_600_000).toISOString(),
  end: new Date(T0 + day * DAY + (hour - 9) * 3_600_000 + 1_800_000).toISOString(),
});
const STEPS: PathwayStep[] = [
  { id: 'first', title: 'First appointment', serviceId: 'a' },
  { id: 'tests', title: 'Tests', serviceId: 'b', after: { stepId: 'first', minDays: 7, maxDays: 14 } },
  { id: 'follow', title: 'Follow-up', serviceId: 'a', after: { stepId: 'tests', minDays: 14, maxDays: 21 } },
];
const chosenIds = (result: ReturnType<typeof planPathway>) =>
  'chosen' in result ? STEPS.map((s) => result.chosen.get(s.id)?.id) : result.unplaced.step.id;

describe('planPathway', () => {
  it('takes the soonest slot of each step inside its range', () => {
    const result = planPathway({
      steps: STEPS,
      earliest: new Date(T0),
      candidates: new Map([
        ['first', [slot('a1', 1), slot('a2', 2)]],
        ['tests', [slot('b0', 5), slot('b1', 8), slot('b2', 9)]],
        ['follow', [slot('a3', 20), slot('a4', 23)]],
      ]),
    });
    expect(chosenIds(result)).toEqual(['a1', 'b1', 'a4']);
  });

  it('tries a later first appointment when the soonest leaves a later step nothing', () => {
    const result = planPathway({
      steps: STEPS,
      earliest: new Date(T0),
      candidates: new Map([
        ['first', [slot('a1', 1), slot('a2', 10)]],
        ['tests', [slot('b1', 18)]],
        ['follow', [slot('a3', 34)]],
      ]),
    });
    expect(chosenIds(result)).toEqual(['a2', 'b1', 'a3']);
  });

  it('names the step that cannot be placed, with its window', () => {
    const result = planPathway({
      steps: STEPS,
      earliest: new Date(T0),
      candidates: new Map([
        ['first', [slot('a1', 1)]],
        ['tests', [slot('b1', 8)]],
        ['follow', [slot('a3', 50)]],
      ]),
    });
    expect('unplaced' in result && result.unplaced).toMatchObject({
      step: { id: 'follow' },
      from: new Date(T0 + 22 * DAY).toISOString(),
      to: new Date(T0 + 30 * DAY).toISOString(),
    });
  });

  it('keeps a moved pathway’s gaps as near as it can (targets), and refuses a fixed step out of range', () => {
    const moved = planPathway({
      steps: STEPS,
      earliest: new Date(T0),
      fixed: new Map([['first', slot('a9', 3)]]),
      targets: new Map([
        ['tests', T0 + 11 * DAY],
        ['follow', T0 + 26 * DAY],
      ]),
      candidates: new Map([
        ['tests', [slot('b1', 10), slot('b2', 11, 10), slot('b3', 12)]],
        ['follow', [slot('a3', 25), slot('a4', 26, 11), slot('a5', 27)]],
      ]),
    });
    expect(chosenIds(moved)).toEqual(['a9', 'b2', 'a4']);
    const outOfRange = planPathway({
      steps: STEPS,
      earliest: new Date(T0),
      fixed: new Map([
        ['first', slot('a1', 1)],
        ['tests', slot('b1', 30)],
      ]),
      candidates: new Map([['follow', [slot('a3', 50)]]]),
    });
    expect(chosenIds(outOfRange)).toBe('tests');
  });
});
