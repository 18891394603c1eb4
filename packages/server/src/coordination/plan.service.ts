/**
 * Cases and their multidisciplinary care plans: a coordinator's case list, a case's plan with goals
 * and tasks (assigned to roles across organisations, with due dates), and the assignee's own task
 * list and completion. All through the caller's view; one exception, documented in
 * docs/COORDINATION.md: an assignee in another organisation completes a task that is the
 * coordinating organisation's record (which the store lets only its own staff change), so once the
 * caller is shown to see the task and to be its owner, the hub records the completion as its system
 * actor, naming the person in the note.
 */
import type { CarePlan, CareTeam, Goal, Organization, Practitioner, RiskAssessment, Task } from '@medplum/fhirtypes';
import { z } from 'zod';
import type { Actor, StaffActor } from '../access/actor.ts';
import { requireStaff } from '../access/guards.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { conflict, fail, invalidInput, isOperationOutcomeError, notFound } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import {
  CARE_TEAM_ROLE_SYSTEM,
  CATEGORY,
  codeOf,
  concept,
  COORDINATION_SYSTEM,
  hasCode,
  idIn,
  isOverdue,
  londonToday,
  NEXT_REVIEW_EXTENSION,
  OPEN_TASK,
  PLAN_TASK,
  readAs,
  REFERRAL_TASK,
  RISK_BAND_SYSTEM,
  ROLES,
  roleConcept,
  searchAs,
  TEAM_CATEGORY,
  type CareTeamRole,
} from './fhir.ts';
import type { CoordinationSettings } from './settings.ts';
import { patientsById, patientSummary, taskView, type PatientSummary, type TaskView } from './views.ts';

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)');
const GOAL = z.object({ description: z.string().trim().min(3).max(500), due: DATE.optional() });
const TASK = z.object({
  description: z.string().trim().min(3).max(1000),
  role: z.enum(Object.keys(ROLES) as [CareTeamRole, ...CareTeamRole[]]),
  organization: z.string().min(1).max(64),
  practitioner: z.string().min(1).max(64).optional(),
  due: DATE,
  goal: z.string().min(1).max(64).optional(),
});
const COMPLETE = z.object({ note: z.string().trim().max(2000).optional() });

export function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw invalidInput(parsed.error);
  }
  return parsed.data;
}

export interface CaseRow {
  patient: PatientSummary;
  carePlan?: string;
  nextReview?: string;
  reviewOverdue: boolean;
  openTasks: number;
  overdueTasks: number;
  riskBand?: string;
}

export interface CaseView {
  patient: PatientSummary;
  carePlan: { id: string; title: string; nextReview?: string; status: string };
  team: { role?: string; member: string; name?: string; organization?: string; current: boolean }[];
  goals: { id: string; description: string; status: string; due?: string }[];
  tasks: TaskView[];
  riskBand?: string;
  canEdit: boolean;
}

export interface MyTask extends TaskView {
  patient?: PatientSummary;
  carePlan?: string;
}

const me = (staff: StaffActor) => `Practitioner/${staff.practitionerId}`;
const nextReviewOf = (plan: CarePlan) => plan.extension?.find((e) => e.url === NEXT_REVIEW_EXTENSION)?.valueDate;
const isOwnRecord = (resource: { meta?: { source?: string } }, staff: StaffActor) =>
  !!resource.meta?.source?.endsWith(`/Organization/${staff.organizationId}`) ||
  resource.meta?.source === `Organization/${staff.organizationId}`;

/** The patient's active care-coordination plan as `record` sees it (newest first). */
export async function currentPlan(record: ResourceService, patientId: string): Promise<CarePlan | undefined> {
  const [plan] = await searchAs<CarePlan>(record, 'CarePlan', [
    ['subject', `Patient/${patientId}`],
    ['category', `${COORDINATION_SYSTEM}|care-coordination`],
    ['status', 'active'],
    ['_sort', '-_lastUpdated'],
  ]);
  return plan;
}

/** The latest risk band (RiskAssessment, issue 12's shared convention), if one exists the caller may see. */
async function riskBand(record: ResourceService, patientId: string): Promise<string | undefined> {
  const [latest] = await searchAs<RiskAssessment>(record, 'RiskAssessment', [
    ['subject', `Patient/${patientId}`],
    ['status', 'final'],
    ['_sort', '-date'],
    ['_count', '1'],
  ]);
  return latest ? codeOf(latest.prediction?.[0]?.qualitativeRisk, RISK_BAND_SYSTEM) : undefined;
}

export class PlanService {
  private readonly context: ModuleContext<CoordinationSettings>;

  constructor(context: ModuleContext<CoordinationSettings>) {
    this.context = context;
  }

  /** The caller's open cases: patients whose care-coordination team names them as coordinator now. */
  async caseList(actor: Actor | undefined): Promise<CaseRow[]> {
    const staff = requireStaff(actor, { doing: 'see a case list' });
    const record = this.context.recordAs(staff);
    const teams = await searchAs<CareTeam>(record, 'CareTeam', [
      ['participant', me(staff)],
      ['category', `${TEAM_CATEGORY.coding![0]!.system}|care-coordination`],
      ['status', 'active'],
      ['_count', '500'],
    ]);
    const mine = teams.filter((team) =>
      team.participant?.some(
        (p) =>
          p.member?.reference === me(staff) &&
          hasCode(p.role, CARE_TEAM_ROLE_SYSTEM, 'care-coordinator') &&
          (!p.period?.end || p.period.end > new Date().toISOString()),
      ),
    );
    const ids = [...new Set(mine.map((team) => idIn(team.subject?.reference, 'Patient')).filter(Boolean))] as string[];
    const patients = await patientsById(record, ids);
    const today = londonToday();
    const rows: CaseRow[] = [];
    for (const id of ids) {
      const patient = patients.get(id);
      if (!patient) {
        continue;
      }
      const plan = await currentPlan(record, id);
      const tasks = plan ? await this.planTasks(record, plan.id!) : [];
      const open = tasks.filter((task) => OPEN_TASK.includes(task.status));
      const review = plan ? nextReviewOf(plan) : undefined;
      const band = await riskBand(record, id);
      rows.push({
        patient,
        ...(plan ? { carePlan: plan.id! } : {}),
        ...(review ? { nextReview: review } : {}),
        reviewOverdue: !!review && review < today,
        openTasks: open.length,
        overdueTasks: open.filter((task) => isOverdue(task, today)).length,
        ...(band ? { riskBand: band } : {}),
      });
    }
    // Overdue work first, then the soonest review (H-171, H-176).
    return rows.sort(
      (a, b) =>
        b.overdueTasks - a.overdueTasks ||
        (a.nextReview ?? '9999').localeCompare(b.nextReview ?? '9999') ||
        a.patient.name.localeCompare(b.patient.name),
    );
  }

  /** A case: the patient's plan with its team, goals and tasks (404 when the caller may not see it). */
  async casePlan(actor: Actor | undefined, patientId: string): Promise<CaseView> {
    const staff = requireStaff(actor, { doing: 'see a care plan' });
    const record = this.context.recordAs(staff);
    const { resource: patient } = await readAs(record, 'Patient', patientId);
    const plan = await currentPlan(record, patientId);
    if (!plan) {
      return notFound(`There is no care coordination plan for Patient/${patientId} that you may see`);
    }
    const teamId = idIn(plan.careTeam?.[0]?.reference, 'CareTeam');
    const team = teamId ? await readAs<CareTeam>(record, 'CareTeam', teamId).catch(() => undefined) : undefined;
    const goalIds = (plan.goal ?? []).map((g) => idIn(g.reference, 'Goal')).filter(Boolean) as string[];
    const goals = goalIds.length
      ? await searchAs<Goal>(record, 'Goal', [
          ['_id', goalIds.join(',')],
          ['_count', '100'],
        ])
      : [];
    const today = londonToday();
    const now = new Date().toISOString();
    const review = nextReviewOf(plan);
    const band = await riskBand(record, patientId);
    return {
      patient: patientSummary(patient as Parameters<typeof patientSummary>[0]),
      carePlan: {
        id: plan.id!,
        title: plan.title ?? 'Care coordination plan',
        status: plan.status,
        ...(review ? { nextReview: review } : {}),
      },
      team: (team?.resource.participant ?? []).map((p) => ({
        ...(codeOf(p.role, CARE_TEAM_ROLE_SYSTEM) ? { role: codeOf(p.role, CARE_TEAM_ROLE_SYSTEM)! } : {}),
        member: p.member?.reference ?? '',
        ...(p.member?.display ? { name: p.member.display } : {}),
        ...(p.onBehalfOf?.reference ? { organization: p.onBehalfOf.reference } : {}),
        current: !p.period?.end || p.period.end > now,
      })),
      goals: goals.map((g) => ({
        id: g.id!,
        description: g.description.text ?? '',
        status: g.lifecycleStatus,
        ...(g.target?.[0]?.dueDate ? { due: g.target[0].dueDate } : {}),
      })),
      tasks: (await this.planTasks(record, plan.id!))
        .map((task) => taskView(task, today))
        .sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.due ?? '').localeCompare(b.due ?? '')),
      ...(band ? { riskBand: band } : {}),
      canEdit: isOwnRecord(plan, staff),
    };
  }

  /** Adds a goal to the plan (the plan's own organisation's staff; others are refused by the store). */
  async addGoal(actor: Actor | undefined, patientId: string, body: unknown): Promise<CaseView> {
    const staff = requireStaff(actor, { doing: 'change a care plan' });
    const input = parse(GOAL, body);
    await this.context.unitOfWork(staff, async (uow) => {
      const plan = await this.planFor(uow.record, patientId);
      const goal = await uow.record.create('Goal', {
        resourceType: 'Goal',
        lifecycleStatus: 'active',
        category: [CATEGORY],
        description: { text: input.description },
        subject: { reference: `Patient/${patientId}` },
        startDate: londonToday(),
        ...(input.due ? { target: [{ dueDate: input.due }] } : {}),
        expressedBy: { reference: me(staff) },
        addresses: [],
      } satisfies Goal);
      await uow.record.update('CarePlan', plan.id!, {
        ...plan,
        goal: [...(plan.goal ?? []), { reference: `Goal/${goal.resource.id!}` }],
      });
    });
    return this.casePlan(staff, patientId);
  }

  /**
   * Assigns a task to a role in an organisation (or a named practitioner there), due on a date; the
   * assignee joins the care team (their legitimate relationship) and is told.
   */
  async addTask(actor: Actor | undefined, patientId: string, body: unknown): Promise<CaseView> {
    const staff = requireStaff(actor, { doing: 'change a care plan' });
    const input = parse(TASK, body);
    if (input.due < londonToday()) {
      fail('invalid', 'The due date must be today or later', ['due']);
    }
    await this.context.unitOfWork(staff, async (uow) => {
      const plan = await this.planFor(uow.record, patientId);
      await uow.lock(`coordination:case:${patientId}`);
      const organization = await this.directoryName<Organization>(
        uow.record,
        'Organization',
        input.organization,
        'organization',
      );
      const person = input.practitioner
        ? await this.directoryName<Practitioner>(uow.record, 'Practitioner', input.practitioner, 'practitioner')
        : undefined;
      const owner = input.practitioner
        ? { reference: `Practitioner/${input.practitioner}`, display: `${person} (${organization})` }
        : { reference: `Organization/${input.organization}`, display: `${ROLES[input.role]}, ${organization}` };
      await this.joinTeam(uow.record, plan, input.role, owner, `Organization/${input.organization}`);
      if (input.goal && !(plan.goal ?? []).some((g) => g.reference === `Goal/${input.goal}`)) {
        fail('invalid', 'That goal is not part of this plan', ['goal']);
      }
      const task = await uow.record.create('Task', {
        resourceType: 'Task',
        status: 'requested',
        intent: 'plan',
        priority: 'routine',
        code: concept(COORDINATION_SYSTEM, PLAN_TASK, 'Care plan task'),
        basedOn: [{ reference: `CarePlan/${plan.id!}` }],
        for: { reference: `Patient/${patientId}` },
        description: input.description,
        performerType: [roleConcept(input.role)],
        owner,
        requester: { reference: me(staff) },
        authoredOn: new Date().toISOString(),
        restriction: { period: { end: input.due } },
        ...(input.goal ? { reasonReference: { reference: `Goal/${input.goal}` } } : {}),
      } satisfies Task);
      const fresh = await readAs<CarePlan>(uow.record, 'CarePlan', plan.id!);
      await uow.record.update('CarePlan', plan.id!, {
        ...fresh.resource,
        activity: [...(fresh.resource.activity ?? []), { reference: { reference: `Task/${task.resource.id!}` } }],
      });
      await this.startReferral(uow.record, plan);
      if (owner.reference.startsWith('Practitioner/') && owner.reference !== me(staff)) {
        await this.context.use('notifications').notify(
          {
            kind: 'coordination-task',
            category: 'reminder',
            priority: 'routine',
            recipient: owner.reference,
            subject: `Patient/${patientId}`,
            about: `Task/${task.resource.id!}`,
            title: 'A care plan task has been assigned to you',
            text: `${input.description} (due ${input.due})`,
            smsText: 'CareWeave: a care plan task has been assigned to you. Sign in to see it.',
            idempotencyKey: `coordination:assigned:Task/${task.resource.id!}`,
          },
          { tx: uow.tx },
        );
      }
    });
    return this.casePlan(staff, patientId);
  }

  /** The caller's own open care-plan tasks (theirs by name, or their organisation's), due first. */
  async myTasks(actor: Actor | undefined): Promise<MyTask[]> {
    const staff = requireStaff(actor, { doing: 'see care plan tasks' });
    const record = this.context.recordAs(staff);
    const tasks = await searchAs<Task>(record, 'Task', [
      ['code', `${COORDINATION_SYSTEM}|${PLAN_TASK}`],
      ['owner', [me(staff), `Organization/${staff.organizationId}`].join(',')],
      ['status', OPEN_TASK.join(',')],
      ['_count', '500'],
    ]);
    const patients = await patientsById(
      record,
      tasks.map((t) => idIn(t.for?.reference, 'Patient') ?? ''),
    );
    const today = londonToday();
    return tasks
      .map((task) => {
        const patient = patients.get(idIn(task.for?.reference, 'Patient') ?? '');
        const plan = idIn(task.basedOn?.[0]?.reference, 'CarePlan');
        return { ...taskView(task, today), ...(patient ? { patient } : {}), ...(plan ? { carePlan: plan } : {}) };
      })
      .sort((a, b) => (a.due ?? '').localeCompare(b.due ?? ''));
  }

  /**
   * Completes a care-plan task: its owner (by name or organisation) or the coordinating organisation.
   * Hidden or not a plan task: 404; seen but not theirs: 403; already closed: 409.
   */
  async completeTask(actor: Actor | undefined, id: string, body: unknown): Promise<TaskView> {
    const staff = requireStaff(actor, { doing: 'complete care plan tasks' });
    const input = parse(COMPLETE, body);
    return this.context.unitOfWork(staff, async (uow) => {
      const { resource: task, versionId } = await readAs<Task>(uow.record, 'Task', id);
      if (!hasCode(task.code, COORDINATION_SYSTEM, PLAN_TASK)) {
        return notFound(`Task/${id} is not known`);
      }
      const owners = [me(staff), `Organization/${staff.organizationId}`];
      if (staff.practitionerRoleId) {
        owners.push(`PractitionerRole/${staff.practitionerRoleId}`);
      }
      const own = isOwnRecord(task, staff);
      if (!owners.includes(task.owner?.reference ?? '') && !own) {
        fail('forbidden', 'Only whoever the task is assigned to, or the coordinating team, may complete it');
      }
      await uow.lock(`coordination:task:${id}`);
      if (!OPEN_TASK.includes(task.status)) {
        conflict(`This task is already ${task.status}`);
      }
      const now = new Date().toISOString();
      const next: Task = {
        ...task,
        status: 'completed',
        executionPeriod: { ...task.executionPeriod, end: now },
        note: [
          ...(task.note ?? []),
          {
            text: `Completed${input.note ? `: ${input.note}` : ''}`,
            time: now,
            authorReference: { reference: me(staff) },
          },
        ],
      };
      const store = own ? uow.record : uow.system();
      const written = await store.update('Task', id, next, { ifMatch: versionId });
      return taskView(written.resource as Task, londonToday());
    });
  }

  private async planFor(record: ResourceService, patientId: string): Promise<CarePlan> {
    await readAs(record, 'Patient', patientId);
    const plan = await currentPlan(record, patientId);
    return plan ?? notFound(`There is no care coordination plan for Patient/${patientId} that you may see`);
  }

  private planTasks(record: ResourceService, planId: string): Promise<Task[]> {
    return searchAs<Task>(record, 'Task', [
      ['based-on', `CarePlan/${planId}`],
      ['code', `${COORDINATION_SYSTEM}|${PLAN_TASK}`],
      ['_count', '500'],
    ]);
  }

  private async directoryName<T extends Organization | Practitioner>(
    record: ResourceService,
    type: string,
    id: string,
    field: string,
  ): Promise<string> {
    try {
      const { resource } = await readAs<T>(record, type, id);
      if (resource.resourceType === 'Organization') {
        return resource.name ?? id;
      }
      const name = resource.name?.[0];
      return name ? [name.given?.join(' '), name.family].filter(Boolean).join(' ') : id;
    } catch (error) {
      if (isOperationOutcomeError(error)) {
        fail('invalid', `There is no ${field} '${id}' in the directory`, [field]);
      }
      throw error;
    }
  }

  /** Adds the assignee to the plan's care team in that role, unless already a current member. */
  private async joinTeam(
    record: ResourceService,
    plan: CarePlan,
    role: CareTeamRole,
    member: { reference: string; display?: string },
    organization: string,
  ): Promise<void> {
    const teamId = idIn(plan.careTeam?.[0]?.reference, 'CareTeam');
    if (!teamId) {
      return;
    }
    const { resource: team, versionId } = await readAs<CareTeam>(record, 'CareTeam', teamId);
    const now = new Date().toISOString();
    const already = team.participant?.some(
      (p) => p.member?.reference === member.reference && (!p.period?.end || p.period.end > now),
    );
    if (!already) {
      await record.update(
        'CareTeam',
        teamId,
        {
          ...team,
          participant: [
            ...(team.participant ?? []),
            {
              role: [roleConcept(role)],
              member,
              // FHIR ctm-1: onBehalfOf only for a Practitioner member.
              ...(member.reference.startsWith('Practitioner/') ? { onBehalfOf: { reference: organization } } : {}),
              period: { start: now },
            },
          ],
        },
        { ifMatch: versionId },
      );
    }
  }

  /** The first task on the plan puts the accepted referral in progress (the FHIR workflow). */
  private async startReferral(record: ResourceService, plan: CarePlan): Promise<void> {
    const request = plan.basedOn?.[0]?.reference;
    if (!request) {
      return;
    }
    const [referral] = await searchAs<Task>(record, 'Task', [
      ['focus', request],
      ['code', `${COORDINATION_SYSTEM}|${REFERRAL_TASK}`],
      ['status', 'accepted'],
    ]);
    if (referral) {
      await record.update('Task', referral.id!, {
        ...referral,
        status: 'in-progress',
        businessStatus: { text: 'Care plan in progress' },
      });
    }
  }
}
