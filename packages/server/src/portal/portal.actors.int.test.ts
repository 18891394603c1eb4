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
import { demoPharmacies } from './pharmacies.ts';
import { NOMINATED_PHARMACY_URL } from './pharmacy.ts';

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
    slot('slot-d', 27),
    slot('slot-e', 28),
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
    tx.writeMany(
      [...practiceSlots(), repeat, ...demoPharmacies()].map((resource) => ({ resource, method: 'update' as const })),
    ),
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

  it('keeps the reason for the visit with the booking; another patient can neither see nor cancel it', async () => {
    const reason = 'Cough for three weeks, worse at night';
    const booked = await client.as(
      ACTORS.patient1,
      'POST',
      'Appointment/$book',
      parameters(slotParam('slot-d'), { name: 'reason', valueString: reason }),
    );
    expect(booked.status, diagnostics(booked)).toBe(201);
    expect(booked.body.reasonCode).toEqual([{ text: reason }]);
    const stored = await client.as(ACTORS.patient1, 'GET', `Appointment/${booked.body.id}`);
    expect(stored.body.reasonCode[0].text).toBe(reason);

    const path = `Appointment/${booked.body.id}`;
    expect((await client.as(ACTORS.patient2, 'GET', path)).status).toBe(404);
    expect((await client.as(ACTORS.patient2, 'POST', `${path}/$cancel`, parameters())).status).toBe(404);
    expect((await client.as(ACTORS.patient1, 'GET', path)).body.status).toBe('booked');
  });

  it('does not let a patient see or cancel an appointment the practice booked for another patient', async () => {
    const booked = await client.as(
      ACTORS.gp,
      'POST',
      'Appointment/$book',
      parameters(slotParam('slot-c'), patientParam('p1'), { name: 'reason', valueString: 'Private reason' }),
    );
    expect(booked.status, diagnostics(booked)).toBe(201);
    const path = `Appointment/${booked.body.id}`;
    expect((await client.as(ACTORS.patient2, 'GET', path)).status).toBe(404);
    expect((await client.as(ACTORS.patient2, 'POST', `${path}/$cancel`, parameters())).status).toBe(404);
    expect((await client.as(ACTORS.gp, 'GET', path)).body.status).toBe('booked');
  });

  it('refuses a reason too long to read, and books nothing', async () => {
    const refused = await client.as(
      ACTORS.patient1,
      'POST',
      'Appointment/$book',
      parameters(slotParam('slot-e'), { name: 'reason', valueString: 'x'.repeat(501) }),
    );
    expect(refused.status).toBe(400);
    expect(JSON.parse((await t.platform.resources.read('Slot', 'slot-e')).json ?? '{}').status).toBe('free');
  });

  it('does not let a carer book when the patient has not let them see appointments', async () => {
    const refused = await client.as(
      ACTORS.carer,
      'POST',
      'Appointment/$book',
      parameters(slotParam('slot-e'), { name: 'reason', valueString: 'Check-up' }),
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse((await t.platform.resources.read('Slot', 'slot-e')).json ?? '{}').status).toBe('free');
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

  it('lets the patient withdraw their own waiting request, once; not another patient, and not an approved one', async () => {
    // Earlier tests may have left a request waiting: settle it first, as the practice would.
    const waiting = await client.as(
      ACTORS.gp,
      'GET',
      'MedicationRequest?based-on=MedicationRequest/p1-repeat&intent=proposal&status=active',
    );
    for (const entry of waiting.body.entry ?? []) {
      await client.as(ACTORS.gp, 'POST', `MedicationRequest/${entry.resource.id}/$approve`, parameters());
    }
    const ordered = await client.as(ACTORS.patient1, 'POST', 'MedicationRequest/p1-repeat/$order-repeat', parameters());
    expect(ordered.status, diagnostics(ordered)).toBe(201);
    const path = `MedicationRequest/${ordered.body.id}/$withdraw-repeat`;

    expect((await client.as(ACTORS.patient2, 'POST', path, parameters())).status).toBe(404);
    const byStaff = await client.as(ACTORS.gp, 'POST', path, parameters());
    expect(byStaff.status).toBe(422);

    const withdrawn = await client.as(ACTORS.patient1, 'POST', path, parameters());
    expect(withdrawn.status, diagnostics(withdrawn)).toBe(200);
    expect(withdrawn.body).toMatchObject({
      status: 'cancelled',
      statusReason: { coding: [{ code: 'withdrawn' }] },
    });
    expect((await client.as(ACTORS.patient1, 'POST', path, parameters())).status).toBe(409);
    // The practice can no longer approve what the patient withdrew; the patient may order again.
    expect(
      (await client.as(ACTORS.gp, 'POST', `MedicationRequest/${ordered.body.id}/$approve`, parameters())).status,
    ).toBe(409);
    const again = await client.as(ACTORS.patient1, 'POST', 'MedicationRequest/p1-repeat/$order-repeat', parameters());
    expect(again.status, diagnostics(again)).toBe(201);
  });

  it("does not let another patient order someone else's repeat", async () => {
    const other = await client.as(ACTORS.patient2, 'POST', 'MedicationRequest/p1-repeat/$order-repeat', parameters());
    expect(other.status).toBe(404);
  });

  describe('the nominated pharmacy', () => {
    const nominate = (pharmacy: string) => parameters({ name: 'pharmacy', valueReference: { reference: pharmacy } });
    const stored = async () => JSON.parse((await t.platform.resources.read('Patient', 'p1')).json ?? '{}');
    const nominated = (patient: any) =>
      patient.extension?.find((e: any) => e.url === NOMINATED_PHARMACY_URL)?.valueReference?.reference;

    it('lets the patient nominate a pharmacy, and change it (one nomination at a time)', async () => {
      const first = await client.as(
        ACTORS.patient1,
        'POST',
        'Patient/p1/$nominate-pharmacy',
        nominate('Organization/org-pharm-fw101'),
      );
      expect(first.status, diagnostics(first)).toBe(200);
      expect(nominated(first.body)).toBe('Organization/org-pharm-fw101');
      // The patient reads it back on their own Patient, and reads the pharmacy from the directory.
      expect(nominated((await client.as(ACTORS.patient1, 'GET', 'Patient/p1')).body)).toBe(
        'Organization/org-pharm-fw101',
      );
      expect((await client.as(ACTORS.patient1, 'GET', 'Organization/org-pharm-fw101')).status).toBe(200);
      const second = await client.as(
        ACTORS.patient1,
        'POST',
        'Patient/p1/$nominate-pharmacy',
        nominate('Organization/org-pharm-fw104'),
      );
      expect(second.status, diagnostics(second)).toBe(200);
      const patient = await stored();
      expect(patient.extension.filter((e: any) => e.url === NOMINATED_PHARMACY_URL)).toHaveLength(1);
      expect(nominated(patient)).toBe('Organization/org-pharm-fw104');
      // Nothing else about the patient changed.
      expect(patient.name).toEqual([{ family: 'One' }]);
      expect(patient.generalPractitioner).toEqual([{ reference: 'Organization/org-gp' }]);
    });

    it('lets the carer nominate for the person they act for', async () => {
      const byCarer = await client.as(
        ACTORS.carer,
        'POST',
        'Patient/p1/$nominate-pharmacy',
        nominate('Organization/org-pharm-fw102'),
      );
      expect(byCarer.status, diagnostics(byCarer)).toBe(200);
      expect(nominated(await stored())).toBe('Organization/org-pharm-fw102');
    });

    it.each([
      ['another patient', ACTORS.patient2, 'Patient/p1', 404],
      ['a carer, for someone they do not act for', ACTORS.carer, 'Patient/p2', 404],
      ['staff with no relationship to the patient', ACTORS.acute, 'Patient/p1', 404],
    ] as const)('refuses %s (not found), and changes nothing', async (_who, actor, patient, status) => {
      const before = nominated(await stored());
      const attempt = await client.as(
        actor,
        'POST',
        `${patient}/$nominate-pharmacy`,
        nominate('Organization/org-pharm-fw106'),
      );
      expect(attempt.status, diagnostics(attempt)).toBe(status);
      expect(nominated(await stored())).toBe(before);
    });

    it('refuses an organisation that is not a pharmacy', async () => {
      const gp = await client.as(
        ACTORS.patient1,
        'POST',
        'Patient/p1/$nominate-pharmacy',
        nominate('Organization/org-gp'),
      );
      expect(gp.status).toBe(422);
      const unknown = await client.as(
        ACTORS.patient1,
        'POST',
        'Patient/p1/$nominate-pharmacy',
        nominate('Organization/nope'),
      );
      expect(unknown.status).toBe(404);
    });
  });
});
