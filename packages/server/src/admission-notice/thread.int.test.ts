/**
 * The alert thread page's API (PGlite and PostgreSQL): the GP opens a visit's thread — the patient, the
 * admission and discharge alerts in time order, the follow-up checklist with due dates, who was told —
 * and completes a step; a person told whom the GP may not see is left out; a GP of another practice,
 * a patient and a bad token get 404, 403 and 401, and a coordinator who may see the stay but is not of
 * the practice cannot complete its checklist (H-182..H-184).
 */
import type { Communication, Encounter, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../access/actor.ts';
import { actorClient, type UserActor } from '../access/testing/actor-client.ts';
import { ACTORS } from '../access/testing/scenario.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { recordId } from './alert.ts';
import { ACT_CODE_SYSTEM, occasionOf } from './occasion.ts';
import { careTeam, create, organisation, permit, relatedPerson, staff } from './testing/people.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
let gp: StaffActor;
let coordinator: StaffActor;
let stranger: StaffActor;
let patient: Patient & { id: string };
let encounter: string;
let hidden: string;
const DAY = 86_400_000;

async function call(actor: UserActor | undefined, method: 'GET' | 'POST', url: string, body?: unknown) {
  const response = await t.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${actor ? await client.tokenFor(actor) : 'nonsense'}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
}

const threadOf = (actor: UserActor | undefined, id = encounter) =>
  call(actor, 'GET', `/api/admission-notice/threads/${id}`);

beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
  client = actorClient(t);
  const practice = await organisation(t, 'Beacon Surgery', 'gp-practice');
  const hospital = await organisation(t, 'Ormskirk Hospital', 'acute-trust');
  const community = await organisation(t, 'West Lancs Community', 'community');
  const elsewhere = await organisation(t, 'Faraway Surgery', 'gp-practice');
  await ensureDemoAgreement(t.platform);
  gp = await staff(t, { id: practice, type: 'gp-practice' }, { text: 'Okafor', doctor: true, rbac: 'R8000' });
  coordinator = await staff(t, { id: community, type: 'community' }, { text: 'Begum', rbac: 'R8003' });
  stranger = await staff(t, { id: elsewhere, type: 'gp-practice' }, { text: 'Stranger', doctor: true, rbac: 'R8000' });
  patient = await create<Patient>(t, {
    resourceType: 'Patient',
    name: [{ given: ['Grace'], family: 'Hopper' }],
    birthDate: '1948-05-07',
    gender: 'female',
    generalPractitioner: [{ reference: `Organization/${practice}` }],
  });
  await careTeam(t, patient.id, [
    {
      member: `Practitioner/${coordinator.practitionerId}`,
      role: 'care-coordinator',
      onBehalfOf: `Organization/${community}`,
    },
  ]);
  const carer = await relatedPerson(t, patient.id, 'Carer');
  await permit(t, patient.id, `RelatedPerson/${carer.relatedPersonId}`, ['demographics', 'encounters']);
  // A contact the community service recorded under a safeguarding label: the GP may not see them (no
  // agreement shares that category).
  hidden = (
    await create<RelatedPerson>(t, {
      resourceType: 'RelatedPerson',
      meta: { source: `Organization/${community}`, security: [{ system: ACT_CODE_SYSTEM, code: 'SDV' }] },
      active: true,
      patient: { reference: `Patient/${patient.id}` },
      name: [{ given: ['Secret'], family: 'Contact' }],
    })
  ).id;
  const admitted = new Date(Date.now() - 3 * DAY).toISOString();
  const discharged = new Date(Date.now() - 1 * DAY).toISOString();
  const first = await create<Encounter>(t, {
    resourceType: 'Encounter',
    status: 'in-progress',
    class: { system: ACT_CODE_SYSTEM, code: 'IMP' },
    subject: { reference: `Patient/${patient.id}` },
    serviceProvider: { reference: `Organization/${hospital}` },
    period: { start: admitted },
    location: [{ location: { display: 'Ward 4' }, status: 'active', period: { start: admitted } }],
  });
  encounter = first.id;
  const second = (
    await t.platform.resources.update('Encounter', first.id, {
      ...first,
      status: 'finished',
      period: { start: admitted, end: discharged },
    })
  ).resource as Encounter & { id: string };
  const alerts = t.app.modules.use('admission-notice');
  await alerts.alert(first, occasionOf(first, undefined, 1)!, { inboxOnly: true });
  await alerts.alert(second, occasionOf(second, first, 2)!, { inboxOnly: true });
  // Someone else was told too (as a later version of the record might say), whom the GP may not see.
  const threadId = recordId(`Encounter/${encounter}`, 'thread');
  const stored = JSON.parse((await t.platform.resources.read('Communication', threadId)).json!) as Communication;
  await t.platform.resources.update('Communication', threadId, {
    ...stored,
    recipient: [...(stored.recipient ?? []), { reference: `RelatedPerson/${hidden}` }],
  });
}, 120_000);

afterAll(async () => t?.close());

describe('the alert thread page', () => {
  it('the GP sees the patient, the alerts in time order, the checklist and who was told', async () => {
    const response = await threadOf(gp);
    expect(response.status).toBe(200);
    const thread = response.body;
    expect(thread.patient).toMatchObject({ id: patient.id, name: 'Grace Hopper', practice: 'Beacon Surgery' });
    expect(thread.encounter).toMatchObject({ status: 'finished', class: 'IMP', hospital: 'Ormskirk Hospital' });
    expect(thread.alerts.map((a: { event: string }) => a.event)).toEqual(['admission', 'discharge']);
    expect(thread.alerts[0].text).toMatch(/^Grace Hopper was admitted to Ormskirk Hospital, Ward 4/);
    expect(thread.followUp.map((s: { code: string }) => s.code)).toEqual([
      'contact-48h',
      'medicines-reconciliation',
      'care-plan-review',
    ]);
    expect(thread.followUp[0]).toMatchObject({ status: 'requested', open: true, overdue: false });
    expect(Date.parse(thread.followUp[0].due) - Date.parse(thread.encounter.end)).toBe(48 * 3_600_000);
    const told = thread.told.map((p: { reference: string }) => p.reference);
    expect(told).toContain(`Practitioner/${gp.practitionerId}`);
    expect(told).toContain(`Practitioner/${coordinator.practitionerId}`);
    // Hidden is absent: the contact the GP may not see is not named, nor counted.
    expect(told).not.toContain(`RelatedPerson/${hidden}`);
    expect(JSON.stringify(thread)).not.toMatch(/Secret/);
  });

  it('a follow-up step opens the same thread (the escalation’s notification is about the Task)', async () => {
    const step = recordId(`Encounter/${encounter}`, 'care-plan-review');
    const response = await call(gp, 'GET', `/api/admission-notice/follow-up/${step}`);
    expect(response.status).toBe(200);
    expect(response.body.encounter.id).toBe(encounter);
    expect((await call(stranger, 'GET', `/api/admission-notice/follow-up/${step}`)).status).toBe(404);
  });

  it('the GP completes the 48-hour contact with a note; a second completion is 409', async () => {
    const step = (await threadOf(gp)).body.followUp[0];
    const done = await call(gp, 'POST', `/api/admission-notice/follow-up/${step.id}/complete`, {
      note: 'Spoke to Grace by phone; managing well',
    });
    expect(done.status).toBe(200);
    expect(done.body.followUp[0]).toMatchObject({ status: 'completed', open: false });
    expect(done.body.followUp[0].notes).toEqual(['Done: Spoke to Grace by phone; managing well']);
    const again = await call(gp, 'POST', `/api/admission-notice/follow-up/${step.id}/complete`, {});
    expect(again.status).toBe(409);
    expect(again.body.resourceType).toBe('OperationOutcome');
  });

  it('the coordinator may see the thread but not complete the practice’s checklist', async () => {
    const thread = await threadOf(coordinator);
    expect(thread.status).toBe(200);
    const open = thread.body.followUp.find((s: { open: boolean }) => s.open);
    const response = await call(coordinator, 'POST', `/api/admission-notice/follow-up/${open.id}/complete`, {});
    expect([403, 404]).toContain(response.status);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect((await threadOf(gp)).body.followUp.find((s: { id: string }) => s.id === open.id).status).toBe('requested');
  });

  it('hidden is absent: a GP of another practice gets 404 naming no one; unknown visits 404 too', async () => {
    const response = await threadOf(stranger);
    expect(response.status).toBe(404);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(response.body)).not.toMatch(/Hopper|Grace/);
    const unknown = await threadOf(stranger, 'no-such-visit');
    expect(unknown.status).toBe(404);
    const step = recordId(`Encounter/${encounter}`, 'medicines-reconciliation');
    expect((await call(stranger, 'POST', `/api/admission-notice/follow-up/${step}/complete`, {})).status).toBe(404);
  });

  it('patients are refused (403) and a bad token is 401; a bad id is 400', async () => {
    expect((await threadOf(ACTORS.patient1)).status).toBe(403);
    expect((await threadOf(undefined)).status).toBe(401);
    expect((await threadOf(gp, 'a%20b')).status).toBe(400);
  });
});
