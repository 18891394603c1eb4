/** A follow-up Task as a row of the thread page's checklist (pure). */
import type { Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ESCALATED_SYSTEM, FOLLOW_UP_SYSTEM } from './follow-up.ts';
import { followUpStep } from './thread.service.ts';

const NOW = new Date('2026-12-07T12:00:00Z');
const task = (over: Partial<Task>): Task & { id: string } => ({
  resourceType: 'Task',
  id: 't1',
  status: 'requested',
  intent: 'order',
  code: { coding: [{ system: FOLLOW_UP_SYSTEM, code: 'contact-48h' }], text: 'Contact the patient within 48 hours' },
  restriction: { period: { end: '2026-12-06T12:00:00Z' } },
  ...over,
});

describe('followUpStep', () => {
  it.each([
    ['open and past due', {}, { open: true, overdue: true, escalated: false }],
    ['open, not yet due', { restriction: { period: { end: '2026-12-08T12:00:00Z' } } }, { open: true, overdue: false }],
    [
      'escalated',
      { priority: 'urgent', businessStatus: { coding: [{ system: ESCALATED_SYSTEM, code: 'overdue-escalated' }] } },
      { overdue: true, escalated: true },
    ],
    [
      'done, though past due',
      { status: 'completed', executionPeriod: { end: '2026-12-07T09:00:00Z' }, note: [{ text: 'Done: phoned' }] },
      { open: false, overdue: false, completedAt: '2026-12-07T09:00:00Z', notes: ['Done: phoned'] },
    ],
    ['withdrawn (a cancelled discharge)', { status: 'cancelled' }, { open: false, overdue: false }],
    ['no due date', { restriction: undefined }, { open: true, overdue: false }],
  ] as [string, Partial<Task>, object][])('%s', (_, over, expected) => {
    const step = followUpStep(task(over), NOW);
    expect(step).toMatchObject({ id: 't1', code: 'contact-48h', description: 'Contact the patient within 48 hours' });
    expect(step).toMatchObject(expected);
  });
});
