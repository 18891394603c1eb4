/**
 * Demo data for the hub, made through the hub's own services as the demo people (so the access
 * policy, audit and notifications apply as they would for them): the demo practice's GP refers the
 * practice's oldest multimorbid patients to the single point of access; the demo coordinator accepts
 * four (her case list), with goals and tasks for the matron, the social worker and the GP — the GP's
 * one overdue — and leaves two waiting for triage; an MDT meeting in two days lists her cases, scheduled
 * as an Appointment with the care teams' members (a meeting seeded before that is scheduled on start).
 * Idempotent: once the coordinator is on a care team, nothing more is written.
 */
import type { Patient, Task } from '@medplum/fhirtypes';
import type { OrganisationType, StaffActor } from '../access/actor.ts';
import type { ModuleContext } from '../modules/contract.ts';
import { buildInfrastructureModel } from '../seed/infrastructure.ts';
import { searchAs } from './fhir.ts';
import type { MdtService } from './mdt.service.ts';
import type { PlanService } from './plan.service.ts';
import type { ReferralService } from './referral.service.ts';
import type { CoordinationSettings } from './settings.ts';

export const DEMO_COORDINATOR = 'prac-demo-coordinator';
export const DEMO_MATRON = 'prac-demo-matron';
const DAY = 86_400_000;

const REASONS = [
  'Three falls in six months, lives alone, daughter worried about coping at home',
  'Two emergency admissions with heart failure this year; struggling with medicines',
  'COPD and diabetes, frequent A&E attendances, carer stress',
  'Frailty and memory problems, missed appointments, needs joined-up support',
  'Recently bereaved, not eating well, several long-term conditions',
  'Housebound with leg ulcers and poorly controlled diabetes',
];

const staff = (
  practitionerId: string,
  organizationId: string,
  type: OrganisationType,
  roleCode: string,
): StaffActor => ({
  kind: 'staff',
  userId: `demo-seed-${practitionerId}`,
  practitionerId,
  organizationId,
  organizationType: type,
  roleCode,
  scopes: ['user/*.cruds'],
});

const date = (offsetDays: number): string => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

interface Services {
  referrals: ReferralService;
  plans: PlanService;
  meetings: MdtService;
}

/** Patients of the practice, oldest first, with the most recorded conditions first among them. */
async function multimorbid(context: ModuleContext, practice: string, wanted: number): Promise<string[]> {
  const oldest = await searchAs<Patient>(context.system, 'Patient', [
    ['general-practitioner', `Organization/${practice}`],
    ['_sort', 'birthdate'],
    ['_count', '30'],
  ]);
  const counted: { id: string; conditions: number }[] = [];
  for (const patient of oldest.filter((p) => !p.deceasedBoolean && !p.deceasedDateTime)) {
    const bundle = await context.system.search('Condition', [
      ['subject', `Patient/${patient.id!}`],
      ['_summary', 'count'],
    ]);
    counted.push({ id: patient.id!, conditions: bundle.total ?? 0 });
  }
  return counted
    .sort((a, b) => b.conditions - a.conditions)
    .slice(0, wanted)
    .map((c) => c.id);
}

export async function seedCoordinationDemo(
  context: ModuleContext<CoordinationSettings>,
  services: Services,
  seed = 1,
): Promise<string | undefined> {
  const exists = (type: string, id: string) =>
    context.system.read(type, id).then(
      () => true,
      () => false,
    );
  const spa = context.settings.SPA_ORGANIZATION;
  if (!(await exists('Practitioner', DEMO_COORDINATOR)) || !(await exists('Organization', spa))) {
    return undefined;
  }
  // Meetings called before meetings were Appointments are scheduled now (the demo data's upgrade).
  const upgraded = await services.meetings.scheduleUnscheduled();
  const already = await context.system.search('CareTeam', [
    ['participant', `Practitioner/${DEMO_COORDINATOR}`],
    ['_summary', 'count'],
  ]);
  if ((already.total ?? 0) > 0) {
    return upgraded ? `${upgraded} MDT meeting(s) scheduled as Appointments` : undefined;
  }
  const model = buildInfrastructureModel(seed);
  const practice = model.practices[0]!;
  const council = model.orgIds.get('council');
  const socialWorker = model.staff.find((s) => s.orgKey === 'council' && s.role === 'social-worker');
  const gp = staff(practice.gps[0]!.id, practice.orgId, 'gp-practice', 'R8000');
  const coordinator = staff(DEMO_COORDINATOR, spa, 'community', 'R8003');
  const patients = await multimorbid(context, practice.orgId, 6);
  if (patients.length < 6) {
    return undefined;
  }
  const cases = patients.slice(0, 4);
  for (const [index, patientId] of patients.entries()) {
    const referral = await services.referrals.refer(gp, {
      patientId,
      reason: REASONS[index % REASONS.length],
      priority: index === 4 ? 'urgent' : 'routine',
    });
    if (!cases.includes(patientId)) {
      continue; // left on the worklist for triage
    }
    await services.referrals.triage(coordinator, referral.id, {
      decision: 'accept',
      priority: index === 0 ? 'urgent' : 'routine',
      coordinator: DEMO_COORDINATOR,
    });
    const plan = await services.plans.addGoal(coordinator, patientId, {
      description: index % 2 ? 'Fewer emergency admissions this year' : 'Stay safely at home',
      due: date(90),
    });
    const goal = plan.goals[0]?.id;
    if (index < 2) {
      await services.plans.addTask(coordinator, patientId, {
        description: 'Home visit: falls and frailty assessment',
        role: 'community-matron',
        organization: spa,
        practitioner: DEMO_MATRON,
        due: date(5),
        ...(goal ? { goal } : {}),
      });
    }
    if (council && socialWorker) {
      await services.plans.addTask(coordinator, patientId, {
        description: 'Care Act needs assessment',
        role: 'social-worker',
        organization: council,
        practitioner: socialWorker.id,
        due: date(10 + index),
      });
    }
    const withGp = await services.plans.addTask(coordinator, patientId, {
      description: 'Structured medication review',
      role: 'gp',
      organization: practice.orgId,
      due: date(3),
    });
    if (index === 0) {
      // Time has passed in the demo: the GP's review is overdue (the escalation job tells them).
      const overdue = withGp.tasks.find((t) => t.role === 'gp');
      if (overdue) {
        const stored = await context.system.read('Task', overdue.id);
        const task = JSON.parse(stored.json ?? '{}') as Task;
        await context.system.update('Task', overdue.id, { ...task, restriction: { period: { end: date(-4) } } });
      }
    }
  }
  const start = new Date(Date.now() + 2 * DAY);
  start.setUTCHours(10, 0, 0, 0);
  await services.meetings.create(coordinator, {
    title: 'West Lancashire frailty MDT',
    start: start.toISOString(),
    patients: cases,
    organizations: [practice.orgId, ...(council ? [council] : [])],
  });
  return `${cases.length} cases for the demo coordinator, ${patients.length - cases.length} referrals to triage, an MDT meeting`;
}
