/**
 * "Add to case list" from the risk list reaches the coordinator (PGlite and PostgreSQL): the GP's add is
 * a referral to the single point of access with the risk score as its reason (once, urgent when very
 * high); the SPA's community nurse adding the same patient takes the waiting referral onto her
 * caseload; her adding someone not yet referred puts them on her caseload at once; nobody becomes a
 * second coordinator; a referral still waiting can be withdrawn; hidden is absent (H-178..H-181).
 */
import type { CareTeam, Patient, RiskAssessment, ServiceRequest, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../access/testing/scenario.ts';
import { riskReason } from './caseload.service.ts';
import { COORDINATOR, hubTestApp, OTHER_PATIENT, PATIENT, type HubTestApp } from './testing/fixtures.ts';

const CASES = '/api/population-health/case-list';
const THIRD = 'coord-p3';
let h: HubTestApp;

const score = (patient: string, band: string, probability: number): RiskAssessment => ({
  resourceType: 'RiskAssessment',
  status: 'final',
  subject: { reference: `Patient/${patient}` },
  occurrenceDateTime: '2026-12-05T02:30:00Z',
  method: { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/risk-model', code: 'ea12-v1' }] },
  prediction: [
    {
      probabilityDecimal: probability,
      qualitativeRisk: {
        coding: [{ system: 'https://careweave.example/fhir/CodeSystem/risk-band', code: band }],
      },
    },
  ],
});

beforeAll(async () => {
  h = await hubTestApp();
  await h.t.platform.resources.update('Patient', THIRD, {
    resourceType: 'Patient',
    id: THIRD,
    name: [{ use: 'official', given: ['Walter'], family: 'Pimblett' }],
    birthDate: '1931-07-01',
    generalPractitioner: [{ reference: 'Organization/org-gp' }],
    managingOrganization: { reference: 'Organization/org-gp' },
  } satisfies Patient);
  // The community service's open district-nursing episode: the nurse's relationship with the second patient.
  await h.t.platform.resources.create('EpisodeOfCare', {
    resourceType: 'EpisodeOfCare',
    status: 'active',
    patient: { reference: `Patient/${OTHER_PATIENT}` },
    managingOrganization: { reference: 'Organization/org-comm' },
  });
  for (const [patient, band, p] of [
    [PATIENT, 'very-high', 0.4213],
    [OTHER_PATIENT, 'high', 0.18],
    [THIRD, 'moderate', 0.07],
  ] as const) {
    await h.t.platform.resources.create('RiskAssessment', {
      ...score(patient, band, p),
      meta: { source: 'Organization/org-gp' },
    });
  }
}, 120_000);
afterAll(async () => h?.close());

const requestsFor = async (patient: string): Promise<ServiceRequest[]> =>
  ((await h.t.fhir('GET', `ServiceRequest?subject=Patient/${patient}`)).body.entry ?? []).map(
    (e: { resource: ServiceRequest }) => e.resource,
  );

describe('the reason a referral from the risk list gives', () => {
  it.each([
    [
      score('x', 'very-high', 0.8481),
      'Risk of emergency admission very high (84.8% in 12 months; model ea12-v1; scored 2026-12-05). Added from the risk list.',
    ],
    [undefined, 'Risk of emergency admission: no score recorded. Added from the risk list.'],
  ])('%#', (assessment, expected) => {
    expect(riskReason(assessment)).toBe(expected);
  });
});

describe('add to case list from the risk list', () => {
  it('the GP’s add is a referral to the SPA, with the risk score as the reason, once', async () => {
    const added = await h.api(ACTORS.gp, 'POST', CASES, { patientId: PATIENT });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ outcome: 'referred', already: false });
    expect(added.body.entries).toEqual([
      expect.objectContaining({ patient: `Patient/${PATIENT}`, name: 'Edna Hargreaves', status: 'referred' }),
    ]);
    const [request] = await requestsFor(PATIENT);
    expect(request).toMatchObject({
      status: 'active',
      priority: 'urgent',
      requester: { reference: `Practitioner/${ACTORS.gp.practitionerId}` },
      performer: [{ reference: 'Organization/org-comm' }],
    });
    expect(request!.reasonCode![0]!.text).toMatch(/^Risk of emergency admission very high \(42\.1% in 12 months/);
    const worklist = await h.api(COORDINATOR, 'GET', '/api/coordination/referrals');
    expect(worklist.body.referrals).toEqual([
      expect.objectContaining({ patient: expect.objectContaining({ id: PATIENT }), priority: 'urgent' }),
    ]);
    // Again: nothing new (H-179).
    const again = await h.api(ACTORS.gp, 'POST', CASES, { patientId: PATIENT });
    expect(again.body).toMatchObject({ outcome: 'referred', already: true });
    expect(await requestsFor(PATIENT)).toHaveLength(1);
  });

  it('the SPA’s community nurse adding the same patient takes the waiting referral onto her caseload', async () => {
    const added = await h.api(COORDINATOR, 'POST', CASES, { patientId: PATIENT });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ outcome: 'caseload', already: false });
    expect(added.body.entries).toEqual([
      expect.objectContaining({ patient: `Patient/${PATIENT}`, status: 'caseload', riskBand: 'very-high' }),
    ]);
    expect(await requestsFor(PATIENT)).toHaveLength(1);
    const cases = await h.api(COORDINATOR, 'GET', '/api/coordination/cases');
    expect(cases.body.cases.map((c: { patient: { id: string } }) => c.patient.id)).toEqual([PATIENT]);
    const worklist = await h.api(COORDINATOR, 'GET', '/api/coordination/referrals');
    expect(worklist.body.referrals).toEqual([]);
    // The GP's case list says a coordinator has it now.
    const gp = await h.api(ACTORS.gp, 'GET', CASES);
    expect(gp.body.entries).toEqual([expect.objectContaining({ patient: `Patient/${PATIENT}`, status: 'allocated' })]);
  });

  it('the nurse adding someone not yet referred puts them on her caseload at once (one accepted referral)', async () => {
    const added = await h.api(COORDINATOR, 'POST', CASES, { patientId: OTHER_PATIENT });
    expect(added.status).toBe(200);
    expect(added.body.outcome).toBe('caseload');
    const [request] = await requestsFor(OTHER_PATIENT);
    expect(request!.requester?.reference).toBe(`Practitioner/${COORDINATOR.practitionerId}`);
    const tasks = (await h.t.fhir('GET', `Task?focus=ServiceRequest/${request!.id!}`)).body.entry.map(
      (e: { resource: Task }) => e.resource,
    );
    expect(tasks).toEqual([
      expect.objectContaining({
        status: 'accepted',
        priority: 'routine',
        owner: expect.objectContaining({ reference: `Practitioner/${COORDINATOR.practitionerId}` }),
      }),
    ]);
    const cases = await h.api(COORDINATOR, 'GET', '/api/coordination/cases');
    expect(cases.body.cases).toHaveLength(2);
    // She is on the care team once, as its coordinator (not also as the referrer).
    const team = (await h.t.fhir('GET', `CareTeam?subject=Patient/${OTHER_PATIENT}&status=active`)).body.entry[0]
      .resource as CareTeam;
    expect(
      team.participant!.filter((p) => p.member?.reference === `Practitioner/${COORDINATOR.practitionerId}`),
    ).toEqual([
      expect.objectContaining({
        role: [expect.objectContaining({ coding: [expect.objectContaining({ code: 'care-coordinator' })] })],
      }),
    ]);
  });

  it('nobody becomes a second coordinator (409, naming who has the case)', async () => {
    // The GP may see the patient, did not refer them, and the nurse has the case.
    const response = await h.api(ACTORS.gp, 'POST', CASES, { patientId: OTHER_PATIENT });
    expect(response.status).toBe(409);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].diagnostics).toMatch(/already has a care coordinator/);
    expect(await requestsFor(OTHER_PATIENT)).toHaveLength(1);
    // The GP who referred the first patient is told it is already done, not refused.
    const referred = await h.api(ACTORS.gp, 'POST', CASES, { patientId: PATIENT });
    expect(referred.body).toMatchObject({ outcome: 'referred', already: true });
    const again = await h.api(COORDINATOR, 'POST', CASES, { patientId: PATIENT });
    expect(again.body).toMatchObject({ outcome: 'caseload', already: true });
  });

  it('a referral still waiting is withdrawn by its referrer; one on a caseload is not removed here', async () => {
    expect((await h.api(ACTORS.gp, 'POST', CASES, { patientId: THIRD })).body.outcome).toBe('referred');
    const removed = await h.api(ACTORS.gp, 'DELETE', `${CASES}/${THIRD}`);
    expect(removed.status).toBe(200);
    expect(removed.body.entries.map((e: { patient: string }) => e.patient)).not.toContain(`Patient/${THIRD}`);
    const [request] = await requestsFor(THIRD);
    expect(request!.status).toBe('revoked');
    const worklist = await h.api(COORDINATOR, 'GET', '/api/coordination/referrals');
    expect(worklist.body.referrals).toEqual([]);
    expect((await h.api(COORDINATOR, 'DELETE', `${CASES}/${PATIENT}`)).status).toBe(409);
    expect((await h.api(ACTORS.gp, 'DELETE', `${CASES}/${THIRD}`)).status).toBe(404);
  });

  it('hidden is absent: staff who may not see the patient get 404 and nothing is written; patients 403', async () => {
    const before = (await requestsFor(THIRD)).length;
    const response = await h.api(ACTORS.careHome, 'POST', CASES, { patientId: THIRD });
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toMatch(/Pimblett|Walter/);
    expect(await requestsFor(THIRD)).toHaveLength(before);
    expect((await h.api(ACTORS.careHome, 'GET', CASES)).body.entries).toEqual([]);
    expect((await h.api(ACTORS.patient1, 'POST', CASES, { patientId: THIRD })).status).toBe(403);
    const anonymous = await h.t.app.inject({
      method: 'GET',
      url: CASES,
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
