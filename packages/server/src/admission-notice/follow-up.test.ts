import type { Encounter, Task } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { escalated, followUpTasks, isOverdue, withdrawn, withdrawnByCancellation } from './follow-up.ts';

const encounter: Encounter & { id: string } = {
  resourceType: 'Encounter',
  id: 'e1',
  status: 'finished',
  class: { code: 'IMP' },
  subject: { reference: 'Patient/p1' },
  meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }] },
};

describe('the discharge follow-up checklist', () => {
  const tasks = followUpTasks(encounter, 'Organization/gp1', '2025-03-05T12:00:00Z', new Date('2025-03-05T12:00:05Z'));

  test.each([
    ['contact-48h', '2025-03-07T12:00:00.000Z'],
    ['medicines-reconciliation', '2025-03-12T12:00:00.000Z'],
    ['care-plan-review', '2025-03-19T12:00:00.000Z'],
  ])('%s is due %s, for the patient, owned by the practice', (code, due) => {
    const task = tasks.find((t) => t.code?.coding?.[0]?.code === code)!;
    expect(task).toMatchObject({
      status: 'requested',
      intent: 'order',
      priority: 'routine',
      for: { reference: 'Patient/p1' },
      owner: { reference: 'Organization/gp1' },
      focus: { reference: 'Encounter/e1' },
      basedOn: [{ reference: 'Encounter/e1' }],
      restriction: { period: { end: due } },
      identifier: [{ value: `Encounter/e1/${code}` }],
    });
    // As sensitive as the stay it follows.
    expect(task.meta?.security).toEqual(encounter.meta?.security);
  });

  const task = tasks[0]!;
  test.each<[string, Task, string, boolean]>([
    ['open and past due', task, '2025-03-08T00:00:00Z', true],
    ['not yet due', task, '2025-03-07T11:59:00Z', false],
    ['done', { ...task, status: 'completed' }, '2025-04-01T00:00:00Z', false],
    ['cancelled', { ...task, status: 'cancelled' }, '2025-04-01T00:00:00Z', false],
    ['already escalated', escalated(task, new Date('2025-03-08T00:00:00Z')), '2025-04-01T00:00:00Z', false],
  ])('%s → overdue %s', (_, candidate, now, overdue) => {
    expect(isOverdue(candidate, new Date(now))).toBe(overdue);
  });

  test('escalation makes it urgent and says why', () => {
    const raised = escalated(task, new Date('2025-03-08T09:30:00Z'));
    expect(raised.priority).toBe('urgent');
    expect(raised.businessStatus?.coding?.[0]?.code).toBe('overdue-escalated');
    expect(raised.businessStatus?.text).toBe('Overdue since 2025-03-07T12:00; escalated 2025-03-08T09:30');
  });

  test('a cancelled discharge (A13) withdraws the open steps, says why, and leaves done ones alone', () => {
    const now = new Date('2025-03-06T09:00:00Z');
    const open = withdrawn(tasks[0]!, now)!;
    expect(open).toMatchObject({
      status: 'cancelled',
      statusReason: { text: expect.stringMatching(/discharge was cancelled/) },
    });
    expect(withdrawnByCancellation(open)).toBe(true);
    expect(withdrawn({ ...tasks[1]!, status: 'completed' }, now)).toBeUndefined();
    expect(withdrawnByCancellation({ ...tasks[1]!, status: 'cancelled' })).toBe(false);
  });
});
