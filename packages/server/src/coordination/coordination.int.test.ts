/**
 * The hub end to end (PGlite and PostgreSQL): the GP refers to the single point of access; the
 * coordinator triages (accept → care team and plan; reject → the request revoked and the GP told);
 * the case list; goals and a task assigned to a social worker, who sees and completes it; an MDT
 * meeting with an outcome and the next review date; and the `Task/$triage` operation.
 */
import type { Appointment, CarePlan, CareTeam, Communication, ServiceRequest, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../access/testing/actor-client.ts';
import { ACTORS } from '../access/testing/scenario.ts';
import { CARE_TEAM_ROLE_SYSTEM, hasCode } from './fhir.ts';
import { COORDINATOR, hubTestApp, OTHER_PATIENT, PATIENT, tomorrow, type HubTestApp } from './testing/fixtures.ts';

let h: HubTestApp;
beforeAll(async () => {
  h = await hubTestApp();
}, 120_000);
afterAll(async () => h?.close());

const read = async <T>(type: string, id: string): Promise<T> =>
  JSON.parse((await h.t.platform.resources.read(type, id)).json ?? '{}') as T;

describe('referral → triage → care plan → MDT', () => {
  let referral: string;

  it('the GP refers: a ServiceRequest to the SPA and a requested Task on its worklist', async () => {
    const response = await h.api(ACTORS.gp, 'POST', '/api/coordination/referrals', {
      patientId: PATIENT,
      reason: 'Three falls this winter, lives alone, struggling with medicines',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'requested', patient: { id: PATIENT, name: 'Edna Hargreaves' } });
    referral = response.body.id;
    const sr = await read<ServiceRequest>('ServiceRequest', idOf(response.body.serviceRequest));
    expect(sr).toMatchObject({ status: 'active', performer: [{ reference: 'Organization/org-comm' }] });
    const worklist = await h.api(COORDINATOR, 'GET', '/api/coordination/referrals');
    expect(worklist.body.referrals.map((r: { id: string }) => r.id)).toContain(referral);
  });

  it('a referral without a reason is refused with an OperationOutcome naming the field', async () => {
    const response = await h.api(ACTORS.gp, 'POST', '/api/coordination/referrals', { patientId: PATIENT });
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].expression).toEqual(['reason']);
  });

  it('only the SPA triages: the GP who may see the Task is refused (403)', async () => {
    const response = await h.api(ACTORS.gp, 'POST', `/api/coordination/referrals/${referral}/triage`, {
      decision: 'accept',
      priority: 'urgent',
      coordinator: COORDINATOR.practitionerId,
    });
    expect(response.status).toBe(403);
  });

  it('the coordinator accepts: the Task is accepted, the care team names one coordinator, a plan exists', async () => {
    const response = await h.api(COORDINATOR, 'POST', `/api/coordination/referrals/${referral}/triage`, {
      decision: 'accept',
      priority: 'urgent',
      coordinator: COORDINATOR.practitionerId,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'accepted', priority: 'urgent' });
    const again = await h.api(COORDINATOR, 'POST', `/api/coordination/referrals/${referral}/triage`, {
      decision: 'reject',
      reason: 'changed my mind',
    });
    expect(again.status).toBe(409);
    const teams = await h.t.fhir('GET', `CareTeam?subject=Patient/${PATIENT}&status=active`);
    const team = teams.body.entry[0].resource as CareTeam;
    const coordinators = team.participant!.filter((p) => hasCode(p.role, CARE_TEAM_ROLE_SYSTEM, 'care-coordinator'));
    expect(coordinators.map((p) => p.member?.reference)).toEqual([`Practitioner/${COORDINATOR.practitionerId}`]);
    expect(team.participant!.some((p) => hasCode(p.role, CARE_TEAM_ROLE_SYSTEM, 'gp'))).toBe(true);
  });

  it('the case is on the coordinator’s case list with its next review date', async () => {
    const cases = await h.api(COORDINATOR, 'GET', '/api/coordination/cases');
    expect(cases.body.cases).toEqual([
      expect.objectContaining({ patient: expect.objectContaining({ id: PATIENT }), openTasks: 0, overdueTasks: 0 }),
    ]);
    expect(cases.body.cases[0].nextReview).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('shows the latest risk band when a RiskAssessment exists', async () => {
    await h.t.platform.resources.create('RiskAssessment', {
      resourceType: 'RiskAssessment',
      status: 'final',
      subject: { reference: `Patient/${PATIENT}` },
      occurrenceDateTime: new Date().toISOString(),
      method: { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/risk-model', code: 'ea12-v1' }] },
      prediction: [
        {
          probabilityDecimal: 0.41,
          qualitativeRisk: {
            coding: [{ system: 'https://careweave.example/fhir/CodeSystem/risk-band', code: 'very-high' }],
          },
        },
      ],
      meta: { source: 'Organization/org-comm' },
    });
    const cases = await h.api(COORDINATOR, 'GET', '/api/coordination/cases');
    expect(cases.body.cases[0].riskBand).toBe('very-high');
  });

  let task: string;
  it('the coordinator adds a goal and assigns a task to the social worker, who joins the team', async () => {
    const goal = await h.api(COORDINATOR, 'POST', `/api/coordination/cases/${PATIENT}/goals`, {
      description: 'Stay safely at home',
    });
    expect(goal.status).toBe(200);
    expect(goal.body.goals).toEqual([expect.objectContaining({ description: 'Stay safely at home' })]);
    const added = await h.api(COORDINATOR, 'POST', `/api/coordination/cases/${PATIENT}/tasks`, {
      description: 'Care Act assessment',
      role: 'social-worker',
      organization: 'org-sc',
      practitioner: ACTORS.socialWorker.practitionerId,
      due: tomorrow(),
      goal: goal.body.goals[0].id,
    });
    expect(added.status).toBe(200);
    expect(added.body.tasks).toEqual([
      expect.objectContaining({
        description: 'Care Act assessment',
        role: 'social-worker',
        status: 'requested',
        overdue: false,
      }),
    ]);
    task = added.body.tasks[0].id;
    expect(
      added.body.team.some(
        (m: { member: string }) => m.member === `Practitioner/${ACTORS.socialWorker.practitionerId}`,
      ),
    ).toBe(true);
    const referralTask = await read<Task>('Task', referral);
    expect(referralTask.status).toBe('in-progress');
  });

  it('a due date in the past is refused', async () => {
    const response = await h.api(COORDINATOR, 'POST', `/api/coordination/cases/${PATIENT}/tasks`, {
      description: 'Too late',
      role: 'gp',
      organization: 'org-gp',
      due: '2020-01-01',
    });
    expect(response.status).toBe(400);
  });

  it('the social worker sees the task on their list and the plan, and completes it', async () => {
    const mine = await h.api(ACTORS.socialWorker, 'GET', '/api/coordination/tasks');
    expect(mine.body.tasks).toEqual([
      expect.objectContaining({
        id: task,
        description: 'Care Act assessment',
        patient: expect.objectContaining({ id: PATIENT }),
      }),
    ]);
    const plan = await h.api(ACTORS.socialWorker, 'GET', `/api/coordination/cases/${PATIENT}`);
    expect(plan.status).toBe(200);
    expect(plan.body.canEdit).toBe(false);
    const done = await h.api(ACTORS.socialWorker, 'POST', `/api/coordination/tasks/${task}/complete`, {
      note: 'Assessment booked for Tuesday',
    });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    expect((await read<Task>('Task', task)).note?.[0]?.authorReference?.reference).toBe(
      `Practitioner/${ACTORS.socialWorker.practitionerId}`,
    );
    const twice = await h.api(ACTORS.socialWorker, 'POST', `/api/coordination/tasks/${task}/complete`, {});
    expect(twice.status).toBe(409);
  });

  it('an MDT meeting: listed for the partners it is shared with, outcome and next review recorded', async () => {
    const start = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const created = await h.api(COORDINATOR, 'POST', '/api/coordination/meetings', {
      title: 'Frailty MDT',
      start,
      patients: [PATIENT],
      organizations: ['org-gp'],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // Scheduled as an Appointment: the care team's members invited, the coordinator chairing, the plan discussed.
    const appointment = created.body.appointment;
    expect(appointment).toMatchObject({ status: 'booked', start: new Date(start).toISOString() });
    expect(Date.parse(appointment.end) - Date.parse(appointment.start)).toBe(60 * 60_000);
    expect(appointment.participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          reference: `Practitioner/${COORDINATOR.practitionerId}`,
          chair: true,
          status: 'accepted',
        }),
        expect.objectContaining({ reference: `Practitioner/${ACTORS.gp.practitionerId}`, status: 'needs-action' }),
        expect.objectContaining({ reference: `Practitioner/${ACTORS.socialWorker.practitionerId}` }),
      ]),
    );
    const plans = await h.t.fhir('GET', `CarePlan?subject=Patient/${PATIENT}&status=active`);
    expect(appointment.carePlans).toEqual([`CarePlan/${plans.body.entry[0].resource.id}`]);
    const stored = await read<Appointment>('Appointment', appointment.id);
    expect(stored.supportingInformation?.map((r) => r.reference)).toEqual([...appointment.carePlans, `List/${id}`]);
    // It names no patient and carries no free text (H-185): the title stays on the agenda.
    expect(JSON.stringify(stored)).not.toMatch(/Frailty MDT|Patient\//);
    const gpList = await h.api(ACTORS.gp, 'GET', '/api/coordination/meetings');
    expect(gpList.body.meetings.map((m: { id: string }) => m.id)).toContain(id);
    const swList = await h.api(ACTORS.socialWorker, 'GET', '/api/coordination/meetings');
    expect(swList.body.meetings).toEqual([]);
    const outcome = await h.api(COORDINATOR, 'POST', `/api/coordination/meetings/${id}/outcomes`, {
      patientId: PATIENT,
      outcome: 'Agreed: falls clinic referral and a carers assessment',
      nextReview: '2027-03-01',
    });
    expect(outcome.status).toBe(200);
    const recorded = await h.t.fhir('GET', `Communication?subject=Patient/${PATIENT}`);
    const mdtOutcome = (recorded.body.entry as { resource: Communication }[]).find((e) =>
      e.resource.about?.some((a) => a.reference === `List/${id}`),
    );
    expect(mdtOutcome?.resource.about?.map((a) => a.reference)).toEqual([
      `List/${id}`,
      `Appointment/${appointment.id}`,
    ]);
    expect(outcome.body.items).toEqual([
      expect.objectContaining({
        patient: expect.objectContaining({ id: PATIENT }),
        outcome: expect.objectContaining({ text: 'Agreed: falls clinic referral and a carers assessment' }),
        nextReview: '2027-03-01',
      }),
    ]);
    const plan = await h.api(COORDINATOR, 'GET', `/api/coordination/cases/${PATIENT}`);
    expect(plan.body.carePlan.nextReview).toBe('2027-03-01');
    const notOnList = await h.api(COORDINATOR, 'POST', `/api/coordination/meetings/${id}/outcomes`, {
      patientId: OTHER_PATIENT,
      outcome: 'Not discussed',
    });
    expect(notOnList.status).toBe(400);
  });
});

describe('declining a referral', () => {
  it('rejecting revokes the request and tells the referrer', async () => {
    const referred = await h.api(ACTORS.gp, 'POST', '/api/coordination/referrals', {
      patientId: OTHER_PATIENT,
      reason: 'Needs help with shopping and loneliness',
    });
    const rejected = await h.api(COORDINATOR, 'POST', `/api/coordination/referrals/${referred.body.id}/triage`, {
      decision: 'redirect',
      organization: 'org-sc',
      reason: 'Social care needs only: please refer to adult social care',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(rejected.body.outcome).toMatch(/^Redirected to .*: Social care needs only/);
    const sr = await read<ServiceRequest>('ServiceRequest', idOf(referred.body.serviceRequest));
    expect(sr.status).toBe('revoked');
    const inbox = await h.api(ACTORS.gp, 'GET', '/api/notifications?status=all');
    expect(inbox.body.items.some((i: { title: string }) => i.title.includes('not accepted'))).toBe(true);
    const pending = await h.api(COORDINATOR, 'GET', '/api/coordination/referrals');
    expect(pending.body.referrals.map((r: { id: string }) => r.id)).not.toContain(referred.body.id);
  });
});

describe('Task/$triage', () => {
  it('accepts a referral through the FHIR operation and returns the Task', async () => {
    const referred = await h.api(ACTORS.gp, 'POST', '/api/coordination/referrals', {
      patientId: OTHER_PATIENT,
      reason: 'Frequent A&E attendances, heart failure',
    });
    const response = await actorClient(h.t).as(COORDINATOR, 'POST', `Task/${referred.body.id}/$triage`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'decision', valueCode: 'accept' },
        { name: 'priority', valueCode: 'routine' },
        { name: 'coordinator', valueString: COORDINATOR.practitionerId },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ resourceType: 'Task', status: 'accepted' });
    const plans = await h.t.fhir('GET', `CarePlan?subject=Patient/${OTHER_PATIENT}&status=active`);
    expect((plans.body.entry[0].resource as CarePlan).careTeam).toHaveLength(1);
  });
});

function idOf(reference: string): string {
  return reference.slice(reference.indexOf('/') + 1);
}
