/**
 * Escalation of an overdue care-plan task (PGlite and PostgreSQL): the case's coordinator and the
 * task's owner are told once, however often the schedule runs; a task not yet due, a completed one
 * and one due today are not escalated (H-171).
 */
import type { Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../access/testing/scenario.ts';
import { londonToday } from './fhir.ts';
import { COORDINATOR, hubTestApp, PATIENT, tomorrow, type HubTestApp } from './testing/fixtures.ts';

let h: HubTestApp;
const tasks: Record<string, string> = {};
beforeAll(async () => {
  h = await hubTestApp();
  const referral = (
    await h.api(ACTORS.gp, 'POST', '/api/coordination/referrals', {
      patientId: PATIENT,
      reason: 'Frailty, three admissions this year',
    })
  ).body.id;
  await h.api(COORDINATOR, 'POST', `/api/coordination/referrals/${referral}/triage`, {
    decision: 'accept',
    priority: 'routine',
    coordinator: COORDINATOR.practitionerId,
  });
  for (const name of ['overdue', 'today', 'future', 'done']) {
    const plan = await h.api(COORDINATOR, 'POST', `/api/coordination/cases/${PATIENT}/tasks`, {
      description: `Task ${name}`,
      role: 'social-worker',
      organization: 'org-sc',
      practitioner: ACTORS.socialWorker.practitionerId,
      due: tomorrow(),
    });
    tasks[name] = plan.body.tasks.find((t: { description: string }) => t.description === `Task ${name}`).id;
  }
  // Due dates in the past are refused by the API; here time has passed.
  const due = (id: string, date: string) => setDue(id, date);
  await due(tasks.overdue!, '2026-01-05');
  await due(tasks.done!, '2026-01-05');
  await due(tasks.today!, londonToday());
  await h.api(ACTORS.socialWorker, 'POST', `/api/coordination/tasks/${tasks.done!}/complete`, {});
}, 120_000);
afterAll(async () => h?.close());

async function setDue(id: string, date: string): Promise<void> {
  const task = JSON.parse((await h.t.platform.resources.read('Task', id)).json ?? '{}') as Task;
  await h.t.platform.resources.update('Task', id, { ...task, restriction: { period: { end: date } } });
}

const overdueItems = async (actor: typeof COORDINATOR) =>
  (await h.api(actor, 'GET', '/api/notifications?status=all')).body.items.filter(
    (i: { kind: string }) => i.kind === 'coordination-task-overdue',
  );

describe('escalating overdue tasks', () => {
  it('tells the coordinator and the owner once, about the overdue task only', async () => {
    const hub = h.t.app.modules.use('coordination');
    expect(await hub.escalate()).toBe(1);
    expect(await hub.escalate()).toBe(0);
    const toCoordinator = await overdueItems(COORDINATOR);
    const toOwner = await overdueItems(ACTORS.socialWorker);
    expect(toCoordinator).toHaveLength(1);
    expect(toOwner).toHaveLength(1);
    expect(toCoordinator[0].about.reference).toBe(`Task/${tasks.overdue!}`);
    expect(toCoordinator[0].text).toContain('Task overdue was due on 2026-01-05');
  });

  it('shows the overdue task first on the case, and counts it on the case list', async () => {
    const plan = await h.api(COORDINATOR, 'GET', `/api/coordination/cases/${PATIENT}`);
    expect(plan.body.tasks[0]).toMatchObject({ id: tasks.overdue, overdue: true });
    const cases = await h.api(COORDINATOR, 'GET', '/api/coordination/cases');
    expect(cases.body.cases[0]).toMatchObject({ overdueTasks: 1, openTasks: 3 });
  });

  it('runs as a schedule every 15 minutes', async () => {
    const rows = await h.t.platform.db.query<{ count: number }>(
      `select count(*)::int as count from coordination_escalation where task_id = $1`,
      [tasks.overdue!],
    );
    expect(rows[0]!.count).toBe(1);
  });
});
