/**
 * Escalation of overdue care-plan tasks (H-171): a schedule (Europe/London) finds open tasks whose
 * due date has passed and tells the case's current care coordinator and the task's owner, once per
 * task — the claim in `coordination_escalation` and the notification are one transaction, so two
 * instances or a re-run never tell anyone twice, and a failed run tells nobody and is retried.
 */
import type { CarePlan, CareTeam, PractitionerRole, Task } from '@medplum/fhirtypes';
import type { ModuleContext } from '../modules/contract.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import {
  CARE_TEAM_ROLE_SYSTEM,
  COORDINATION_SYSTEM,
  hasCode,
  idIn,
  isOverdue,
  londonToday,
  OPEN_TASK,
  PLAN_TASK,
  readAs,
  searchAs,
} from './fhir.ts';

export const ESCALATION_JOB = 'coordination-escalate-overdue';

/** The current care coordinator of the task's plan (Practitioner reference), else who assigned it. */
async function coordinatorOf(system: ResourceService, task: Task): Promise<string | undefined> {
  const planId = idIn(task.basedOn?.[0]?.reference, 'CarePlan');
  const plan = planId ? await readAs<CarePlan>(system, 'CarePlan', planId).catch(() => undefined) : undefined;
  const teamId = idIn(plan?.resource.careTeam?.[0]?.reference, 'CareTeam');
  const team = teamId ? await readAs<CareTeam>(system, 'CareTeam', teamId).catch(() => undefined) : undefined;
  const now = new Date().toISOString();
  const current = team?.resource.participant?.find(
    (p) =>
      hasCode(p.role, CARE_TEAM_ROLE_SYSTEM, 'care-coordinator') &&
      p.member?.reference?.startsWith('Practitioner/') &&
      (!p.period?.end || p.period.end > now),
  );
  return current?.member?.reference ?? task.requester?.reference;
}

/** The person who owns the task: a named practitioner, or the practitioner of a role profile. */
async function ownerPerson(system: ResourceService, task: Task): Promise<string | undefined> {
  const owner = task.owner?.reference;
  if (owner?.startsWith('Practitioner/')) {
    return owner;
  }
  const roleId = idIn(owner, 'PractitionerRole');
  if (roleId) {
    const role = await readAs<PractitionerRole>(system, 'PractitionerRole', roleId).catch(() => undefined);
    return role?.resource.practitioner?.reference;
  }
  // Owned by an organisation: nobody there by name; the coordinator is told and follows it up.
  return undefined;
}

/** Escalates every overdue task not escalated before; returns how many were escalated. */
export async function escalateOverdue(context: ModuleContext, now = new Date()): Promise<number> {
  const today = londonToday(now);
  const tasks = await searchAs<Task>(context.system, 'Task', [
    ['code', `${COORDINATION_SYSTEM}|${PLAN_TASK}`],
    ['status', OPEN_TASK.join(',')],
    ['_count', '1000'],
  ]);
  let escalated = 0;
  for (const task of tasks.filter((t) => isOverdue(t, today))) {
    const patient = task.for?.reference ?? '';
    const due = task.restriction!.period!.end!.slice(0, 10);
    const recipients = [
      ...new Set(
        [await coordinatorOf(context.system, task), await ownerPerson(context.system, task)].filter(
          (r): r is string => !!r,
        ),
      ),
    ];
    const claimed = await context.db.transaction(async (tx) => {
      const rows = await tx.query<{ task_id: string }>(
        `insert into coordination_escalation (task_id, patient_id, due, recipients) values ($1, $2, $3, $4)
         on conflict (task_id) do nothing returning task_id`,
        [task.id!, idIn(patient, 'Patient') ?? '', due, JSON.stringify(recipients)],
      );
      if (rows.length === 0) {
        return false;
      }
      for (const recipient of recipients) {
        await context.use('notifications').notify(
          {
            kind: 'coordination-task-overdue',
            category: 'reminder',
            // Routine: texts wait out the person's quiet hours (the inbox item is there at once).
            priority: 'routine',
            recipient,
            subject: patient,
            about: `Task/${task.id!}`,
            title: 'A care plan task is overdue',
            text: `${task.description ?? 'A care plan task'} was due on ${due} and is not done.`,
            smsText: 'CareWeave: a care plan task is overdue. Sign in to see it.',
            idempotencyKey: `coordination:overdue:Task/${task.id!}:${recipient}`,
          },
          { tx },
        );
      }
      return true;
    });
    escalated += claimed ? 1 : 0;
  }
  if (escalated) {
    context.log.info({ escalated }, 'Overdue care plan tasks escalated');
  }
  return escalated;
}
