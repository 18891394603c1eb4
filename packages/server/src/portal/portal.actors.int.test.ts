/**
 * The portal operations as real people call them (not as the system client): a patient books and
 * orders for themselves only, the practice's GP approves, nobody signed in is refused, and a patient
 * cannot approve their own request or reach another patient's record through an operation.
 */
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient, diagnostics } from '../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
const HOUR = 3_600_000;

const parameters = (...parameter: object[]) => ({ resourceType: 'Parameters', parameter });
const slotParam = (id: string) => ({ name: 'slot', valueReference: { reference: `Slot/${id}` } });
const patientParam = (id: string) => ({ name: 'patient', valueReference: { reference: `Patient/${id}` } });

function practiceSlots(): Resource[] {
  const source = { source: 'Organization/org-gp' };
  const slot = (id: string, hoursAhead: number): Resource => ({
    resourceType: 'Slot',
    id,
    meta: source,
    schedule: { reference: 'Schedule/sched-gp' },
    status: 'free',
    start: new Date(Date.now() + hoursAhead * HOUR).toISOString(),
    end: new Date(Date.now() + hoursAhead * HOUR + 10 * 60_000).toISOString(),
  });
  return [
    {
      resourceType: 'Schedule',
      id: 'sched-gp',
      meta: source,
      actor: [{ reference: 'Organization/org-gp' }],
      serviceType: [{ coding: [{ code: 'gp', display: 'GP appointment' }] }],
    },
    slot('slot-a', 24),
    slot('slot-b', 25),
    slot('slot-c', 26),
  ];
}

const repeat: Resource = {
  resourceType: 'MedicationRequest',
  id: 'p1-repeat',
  meta: { source: 'Organization/org-gp' },
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  medicationCodeableConcept: { text: 'Amlodipine 5mg tablets' },
  courseOfTherapyType: {
    coding: [
      { system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'continuous' },
    ],
  },
};

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  await t.platform.resources.transaction((tx) =>
    tx.writeMany([...practiceSlots(), repeat].map((resource) => ({ resource, method: 'update' as const }))),
  );
  client = actorClient(t);
});
afterAll(async () => t.close());

describe('portal operations as the people who use them', () => {
  it('refuses anyone not signed in', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/fhir/R4/Appointment/$book',
      headers: { 'content-type': 'application/fhir+json', authorization: '' },
      payload: parameters(slotParam('slot-a')),
    });
    expect(response.statusCode).toBe(401);
  });

  it('lets a patient book a free slot for themselves, and the slot becomes busy', async () => {
    const booked = await client.as(ACTORS.patient1, 'POST', 'Appointment/$book', parameters(slotParam('slot-a')));
    expect(booked.status, diagnostics(booked)).toBe(201);
    expect(booked.body.participant[0].actor.reference).toBe('Patient/p1');
    const slot = await t.platform.resources.read('Slot', 'slot-a');
    expect(JSON.parse(slot.json ?? '{}').status).toBe('busy');
    // The slot was marked busy by the portal's own system actor: the patient may not change a
    // directory Slot themselves.
    const direct = await client.as(ACTORS.patient1, 'PUT', 'Slot/slot-c', {
      ...JSON.parse((await t.platform.resources.read('Slot', 'slot-c')).json ?? '{}'),
      status: 'busy',
    });
    expect(direct.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse((await t.platform.resources.read('Slot', 'slot-c')).json ?? '{}').status).toBe('free');
  });

  it("does not let a patient book for someone else (the other patient's record answers as absent)", async () => {
    const other = await client.as(
      ACTORS.patient1,
      'POST',
      'Appointment/$book',
      parameters(slotParam('slot-b'), patientParam('p2')),
    );
    expect(other.status).toBe(404);
    const slot = await t.platform.resources.read('Slot', 'slot-b');
    expect(JSON.parse(slot.json ?? '{}').status).toBe('free');
  });

  it('lets a patient order a repeat; they cannot approve it; the practice GP can', async () => {
    const ordered = await client.as(ACTORS.patient1, 'POST', 'MedicationRequest/p1-repeat/$order-repeat', parameters());
    expect(ordered.status, diagnostics(ordered)).toBe(201);
    expect(ordered.body.requester.reference).toBe('Patient/p1');

    const selfApproved = await client.as(
      ACTORS.patient1,
      'POST',
      `MedicationRequest/${ordered.body.id}/$approve`,
      parameters(),
    );
    expect(selfApproved.status).toBe(403);
    expect(diagnostics(selfApproved)).toMatch(/Only staff/);

    const approved = await client.as(ACTORS.gp, 'POST', `MedicationRequest/${ordered.body.id}/$approve`, parameters());
    expect(approved.status, diagnostics(approved)).toBe(201);
    expect(approved.body.requester.reference).toBe(`Practitioner/${ACTORS.gp.practitionerId}`);
  });

  it("does not let staff with no relationship to the patient act on the patient's request", async () => {
    const ordered = await client.as(ACTORS.patient1, 'POST', 'MedicationRequest/p1-repeat/$order-repeat', parameters());
    expect(ordered.status, diagnostics(ordered)).toBe(201);
    const stranger = await client.as(
      ACTORS.acute,
      'POST',
      `MedicationRequest/${ordered.body.id}/$reject`,
      parameters({ name: 'reason', valueString: 'No' }),
    );
    expect(stranger.status).toBe(404);
  });

  it("does not let another patient order someone else's repeat", async () => {
    const other = await client.as(ACTORS.patient2, 'POST', 'MedicationRequest/p1-repeat/$order-repeat', parameters());
    expect(other.status).toBe(404);
  });
});
