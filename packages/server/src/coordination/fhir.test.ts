/** When a care-plan task is overdue: its due date before today in Europe/London (H-171). */
import type { Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { isOverdue, londonToday } from './fhir.ts';

const task = (status: Task['status'], due?: string): Task => ({
  resourceType: 'Task',
  status,
  intent: 'plan',
  ...(due ? { restriction: { period: { end: due } } } : {}),
});

describe('londonToday', () => {
  it.each([
    ['2026-07-01T23:30:00Z', '2026-07-02'], // BST: already tomorrow in London
    ['2026-12-01T23:30:00Z', '2026-12-01'], // GMT
    ['2026-03-29T00:30:00Z', '2026-03-29'], // the spring clock change
  ])('%s is %s in London', (instant, date) => {
    expect(londonToday(new Date(instant))).toBe(date);
  });
});

describe('isOverdue', () => {
  it.each([
    ['requested', '2026-12-05', true],
    ['in-progress', '2026-12-05T17:00:00Z', true],
    ['requested', '2026-12-06', false], // due today is not yet overdue
    ['requested', '2026-12-07', false],
    ['completed', '2026-01-01', false],
    ['cancelled', '2026-01-01', false],
    ['requested', undefined, false],
  ] as const)('%s due %s → %s', (status, due, overdue) => {
    expect(isOverdue(task(status, due), '2026-12-06')).toBe(overdue);
  });
});
