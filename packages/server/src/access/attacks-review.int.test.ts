/**
 * A second security review of the write checks and search restrictions (after issue 8's first
 * fixes), as an attacker with a valid account would try them over HTTP. Each test asserts the
 * secure behaviour of docs/ACCESS.md. Tests named "closed:" replay holes this review found (they
 * failed before the fix); "holds" ones replay important attacks that were already refused.
 * Scenario: testing/scenario.ts (p1 registered at org-gp, on a care team with the community
 * provider and the care home; p3 registered at a practice no test user belongs to).
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { P3_NHS, recordStrangerCare } from './testing/stranger.ts';
import { actorClient, diagnostics, type Method, type UserActor } from './testing/actor-client.ts';
import { createTestApp, type FhirResponse, type TestApp } from '../testing/app.ts';

import type { PatientActor } from './actor.ts';
import { ACTORS, loadScenario, officer, type Scenario } from './testing/scenario.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
const as = (actor: UserActor, method: Method, path: string, body?: unknown, headers?: Record<string, string>) =>
  client.as(actor, method, path, body, headers);
let scenario: Scenario;

const DAY = 86_400_000;

const gp = ACTORS.gp;
const nurse = ACTORS.nurse;
const careHome = ACTORS.careHome;
const patient1 = ACTORS.patient1;
const carer = ACTORS.carer;

const text = (response: FhirResponse): string => JSON.stringify(response.body);

/** A patient's access log as the system (a privacy officer) reads it. */
async function logOf(patientId: string): Promise<AuditEvent[]> {
  const log = await t.fhir('GET', `Patient/${patientId}/$access-log?_count=1000`);
  expect(log.status).toBe(200);
  return ((log.body as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
}

const byAgent = (events: AuditEvent[], who: string): AuditEvent[] =>
  events.filter((e) => e.agent?.some((a) => a.who?.reference === who));
const refusals = (events: AuditEvent[]): AuditEvent[] => events.filter((e) => e.outcome === '4');
const mentions = (event: AuditEvent, reference: string): boolean =>
  (event.entity ?? []).some((x) => x.what?.reference === reference);

/** What patient 1 sees of their own access log. */
async function ownLog(actor: PatientActor): Promise<AuditEvent[]> {
  const log = await as(actor, 'GET', `Patient/${actor.patientId}/$access-log?_count=1000`);
  expect(log.status, text(log)).toBe(200);
  return ((log.body as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
}

const CONSENT_BASE = {
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
};
const ROLE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] };
const instruction = (patient: string) => ({
  verification: [{ verified: true, verifiedWith: { reference: `Patient/${patient}` }, verificationDate: '2026-12-01' }],
});
const category = (code: string) => [
  { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/data-category', code }] },
];

beforeAll(async () => {
  t = await createTestApp();
  client = actorClient(t);
  scenario = await loadScenario(t.platform.db, t.fhirBase);
  await recordStrangerCare(t.platform.resources);
});

afterAll(async () => {
  await t?.close();
});

describe('A. the access log is an oracle about other patients', () => {
  it('closed: a patient learns whether an NHS number is registered, and the name, from their own access log', async () => {
    // The search itself returns nothing the patient may not see...
    const search = await as(patient1, 'GET', `Patient?_id=p1&identifier=${P3_NHS}`);
    expect(search.status).toBe(200);
    expect(text(search)).not.toMatch(/Three/);
    // ...but the audit row is recorded against p1 AND p3, and p1 reads it, with p3's display name.
    const leaked = (await ownLog(patient1)).filter((e) => mentions(e, 'Patient/p3'));
    expect(JSON.stringify(leaked)).not.toMatch(/Three/);
    expect(leaked).toEqual([]);
  });

  it("closed: a staff search across patients shows another patient's records in a patient's log", async () => {
    const search = await as(gp, 'GET', 'Condition?patient=p1,p2');
    expect(search.status).toBe(200);
    expect(text(search)).toMatch(/p2-gp-cond/); // the GP may see it
    const own = await ownLog(patient1);
    const leaked = own.filter((e) => mentions(e, 'Condition/p2-gp-cond') || mentions(e, 'Patient/p2'));
    expect(leaked).toEqual([]);
  });

  it('closed: a refused write reveals, in the writer’s own log, that a hidden reference target exists (and whose)', async () => {
    const reading = (encounter: string) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Weight' },
      subject: { reference: 'Patient/p1' },
      encounter: { reference: `Encounter/${encounter}` },
    });
    const hidden = await as(patient1, 'POST', 'Observation', reading('p3-mh-enc'));
    const missing = await as(patient1, 'POST', 'Observation', reading('no-such-encounter'));
    expect([hidden.status, missing.status]).toEqual([422, 422]); // the same answer...
    const own = refusals(await ownLog(patient1));
    // ...but the log tells them apart: the hidden one is named, with its patient.
    expect(own.filter((e) => mentions(e, 'Encounter/p3-mh-enc') || mentions(e, 'Patient/p3'))).toEqual([]);
  });
});

describe('B. refused attempts that leave no trace', () => {
  it('closed: PATCH of a hidden resource is not recorded as a refusal in the victim’s log', async () => {
    const before = byAgent(refusals(await logOf('p3')), `Practitioner/${gp.practitionerId}`).length;
    const patched = await as(gp, 'PATCH', 'Condition/p3-cond', [{ op: 'add', path: '/note', value: [{ text: 'x' }] }], {
      'content-type': 'application/json-patch+json',
    });
    expect(patched.status).toBe(404);
    const after = byAgent(refusals(await logOf('p3')), `Practitioner/${gp.practitionerId}`).length;
    expect(after).toBe(before + 1);
  });

  it('holds: PUT and DELETE of a hidden resource are recorded as refusals', async () => {
    const before = byAgent(refusals(await logOf('p3')), `Practitioner/${gp.practitionerId}`).length;
    expect((await as(gp, 'DELETE', 'Condition/p3-cond')).status).toBe(404);
    const after = byAgent(refusals(await logOf('p3')), `Practitioner/${gp.practitionerId}`).length;
    expect(after).toBe(before + 1);
  });

  it('closed: a portal operation probing a stranger ($book for p3) leaves nothing in the stranger’s log', async () => {
    const before = byAgent(await logOf('p3'), 'Patient/p1').length;
    const response = await as(patient1, 'POST', 'Appointment/$book', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'slot', valueReference: { reference: 'Slot/whatever' } },
        { name: 'patient', valueReference: { reference: 'Patient/p3' } },
      ],
    });
    expect(response.status).toBe(404);
    expect(byAgent(await logOf('p3'), 'Patient/p1').length).toBe(before + 1);
  });

  it('closed: a write refused inside a portal operation ($reject by another organisation) is not audited', async () => {
    const proposal = await as(patient1, 'POST', 'MedicationRequest', {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'proposal',
      subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { text: 'Amlodipine 5mg tablets' },
    });
    expect(proposal.status).toBe(201);
    // The community nurse can read it (medications are shared with org-comm) but it is the practice's.
    expect((await as(nurse, 'GET', `MedicationRequest/${proposal.body.id}`)).status).toBe(200);
    const before = byAgent(refusals(await logOf('p1')), `Practitioner/${nurse.practitionerId}`).length;
    const rejected = await as(nurse, 'POST', `MedicationRequest/${proposal.body.id}/$reject`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'reason', valueString: 'not today' }],
    });
    expect(rejected.status).toBe(403);
    expect(byAgent(refusals(await logOf('p1')), `Practitioner/${nurse.practitionerId}`).length).toBe(before + 1);
  });

  it('closed: conditional create (If-None-Exist) returns an existing record without an audit row', async () => {
    const reads = async () =>
      byAgent(await logOf('p1'), `Practitioner/${gp.practitionerId}`).filter((e) => mentions(e, 'Condition/p1-gp-cond'))
        .length;
    const before = await reads();
    const response = await as(
      gp,
      'POST',
      'Condition',
      { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, code: { text: 'anything' } },
      { 'if-none-exist': '_id=p1-gp-cond' },
    );
    expect(response.status).toBe(200);
    expect(response.body.code.text).toBe('Hypertension'); // the stored record, read
    expect(await reads()).toBe(before + 1);
  });

  it("closed: an If-None-Exist probe naming a stranger is not recorded in the stranger's log", async () => {
    const before = byAgent(await logOf('p3'), 'Patient/p1').length;
    const response = await as(
      patient1,
      'POST',
      'Observation',
      { resourceType: 'Observation', status: 'final', code: { text: 'Weight' }, subject: { reference: 'Patient/p1' } },
      { 'if-none-exist': 'subject=Patient/p3' },
    );
    expect(response.status).toBe(201);
    expect(byAgent(await logOf('p3'), 'Patient/p1').length).toBe(before + 1);
  });
});

describe('C. history and vread judge old versions by the current labels', () => {
  beforeAll(async () => {
    const system = t.platform.resources;
    // Filed against the wrong patient (p3, a stranger to p1 and the GP), then corrected to p1.
    await system.update('Condition', 'misfiled', {
      resourceType: 'Condition',
      id: 'misfiled',
      subject: { reference: 'Patient/p3' },
      code: { text: 'HIV infection (p3)' },
    });
    await system.update('Condition', 'misfiled', {
      resourceType: 'Condition',
      id: 'misfiled',
      subject: { reference: 'Patient/p1' },
      code: { text: 'Hypertension review' },
    });
  });

  it('closed: patient 1 vreads the version that was about p3', async () => {
    expect((await as(patient1, 'GET', 'Condition/misfiled')).status).toBe(200);
    const v1 = await as(patient1, 'GET', 'Condition/misfiled/_history/1');
    expect(text(v1)).not.toMatch(/HIV infection \(p3\)/);
    expect(v1.status).toBe(404);
  });

  it('closed: instance and type history show it too', async () => {
    const instance = await as(gp, 'GET', 'Condition/misfiled/_history');
    expect(text(instance)).not.toMatch(/HIV infection \(p3\)/);
    const type = await as(patient1, 'GET', 'Condition/_history?_count=100');
    expect(text(type)).not.toMatch(/HIV infection \(p3\)/);
  });

  it('holds: vread and history of a hidden resource answer exactly as for a missing one', async () => {
    const hidden = await as(gp, 'GET', 'Condition/p3-cond/_history/1');
    const missing = await as(gp, 'GET', 'Condition/nope/_history/1');
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    expect(diagnostics(hidden).replace('p3-cond', 'X')).toBe(diagnostics(missing).replace('nope', 'X'));
    const h1 = await as(gp, 'GET', 'Condition/p3-cond/_history');
    const h2 = await as(gp, 'GET', 'Condition/nope/_history');
    expect([h1.status, h2.status]).toEqual([404, 404]);
    expect(diagnostics(h1).replace('p3-cond', 'X')).toBe(diagnostics(h2).replace('nope', 'X'));
  });
});

describe("D. directory entries (Slots) changed through a patient's appointment", () => {
  const future = new Date(Date.now() + 7 * DAY);
  beforeAll(async () => {
    const system = t.platform.resources;
    await system.update('Schedule', 'sched-gp', {
      resourceType: 'Schedule',
      id: 'sched-gp',
      meta: { source: 'Organization/org-gp' },
      active: true,
      actor: [{ reference: 'Practitioner/pr-gp' }],
    });
    // Someone else's booked slot.
    await system.update('Slot', 'slot-taken', {
      resourceType: 'Slot',
      id: 'slot-taken',
      meta: { source: 'Organization/org-gp' },
      schedule: { reference: 'Schedule/sched-gp' },
      status: 'busy',
      start: future.toISOString(),
      end: new Date(future.getTime() + 15 * 60_000).toISOString(),
    });
  });

  it("closed: a patient frees another patient's booked slot by cancelling an appointment they made up", async () => {
    const made = await as(patient1, 'POST', 'Appointment', {
      resourceType: 'Appointment',
      status: 'booked',
      start: future.toISOString(),
      end: new Date(future.getTime() + 15 * 60_000).toISOString(),
      slot: [{ reference: 'Slot/slot-taken' }],
      participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
    });
    // Either the made-up appointment is refused, or cancelling it must not touch the slot.
    if (made.status === 201) {
      await as(patient1, 'POST', `Appointment/${made.body.id}/$cancel`, { resourceType: 'Parameters', parameter: [] });
    }
    const slot = await t.fhir('GET', 'Slot/slot-taken');
    expect(slot.body.status).toBe('busy');
  });
});

describe('E. conditional interactions, Bundles and includes (holds)', () => {
  it('conditional update and delete whose criteria match only a hidden resource answer as for none', async () => {
    // (Note: a conditional PUT with no match creates for a restricted caller, unlike PUT to an id.)
    const body = { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, code: { text: 'x' } };
    const hidden = await as(gp, 'PUT', 'Condition?_id=p3-cond', { ...body, id: 'p3-cond' });
    const missing = await as(gp, 'PUT', 'Condition?_id=nope', { ...body, id: 'nope' });
    // No visible match: both become a plain create of the GP's own record (a fresh id), never p3-cond.
    expect(hidden.status).toBe(missing.status);
    expect(hidden.body.id).not.toBe('p3-cond');
    expect((await t.fhir('GET', 'Condition/p3-cond')).body.code.text).toBe('Eczema');
    expect((await as(gp, 'DELETE', 'Condition?_id=p3-cond')).status).toBe(204);
    expect((await t.fhir('GET', 'Condition/p3-cond')).status).toBe(200);
  });

  it('If-None-Exist cannot count hidden matches', async () => {
    const body = { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, code: { text: 'probe' } };
    const response = await as(gp, 'POST', 'Condition', body, { 'if-none-exist': 'subject=Patient/p3' });
    expect(response.status).toBe(201); // p3's conditions exist but are not matched
  });

  it('a conditional reference in a transaction cannot tell a hidden NHS number from an unknown one', async () => {
    const bundle = (nhs: string) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          request: { method: 'POST', url: 'Observation' },
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'BP' },
            subject: { reference: `Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${nhs}` },
          },
        },
      ],
    });
    const hidden = await as(gp, 'POST', '', bundle(P3_NHS));
    const unknown = await as(gp, 'POST', '', bundle('9990000999'));
    expect(hidden.status).toBe(unknown.status);
    expect(diagnostics(hidden).replace(P3_NHS, 'X')).toBe(diagnostics(unknown).replace('9990000999', 'X'));
  });

  it('_include and _revinclude:iterate do not reach through a hidden encounter', async () => {
    const response = await as(
      carer,
      'GET',
      'MedicationRequest?_include=MedicationRequest:encounter&_revinclude:iterate=Observation:encounter',
    );
    expect(response.status).toBe(200);
    const found = ((response.body as Bundle).entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    expect(found.filter((ref) => /^(Encounter|Observation)\//.test(ref))).toEqual([]);
  });

  it('a batch GET of a hidden resource answers as for a missing one', async () => {
    const response = await as(gp, 'POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: 'Condition/p3-cond' } },
        { request: { method: 'GET', url: 'Condition/nope' } },
        { request: { method: 'GET', url: 'Condition?_id=p3-cond&_total=accurate' } },
      ],
    });
    const entries = (response.body as Bundle).entry ?? [];
    expect(entries[0]!.response!.status).toBe(entries[1]!.response!.status);
    expect((entries[2]!.resource as Bundle).total).toBe(0);
  });

  it('a stranger’s $everything is 404 like an unknown patient, and a carer cannot PUT-create', async () => {
    expect((await as(nurse, 'GET', 'Patient/p3/$everything')).status).toBe(404);
    expect((await as(nurse, 'GET', 'Patient/nobody/$everything')).status).toBe(404);
    const put = await as(carer, 'PUT', 'Observation/new-by-carer', {
      resourceType: 'Observation',
      id: 'new-by-carer',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'Patient/p1' },
    });
    expect(put.status).toBe(404);
  });
});

describe('F. directory ownership', () => {
  it('closed: a directory administrator adds a second organisation type to their own organisation', async () => {
    const own = (await t.fhir('GET', 'Organization/org-ch')).body;
    const system = own.type[0].coding[0].system;
    const response = await as(careHome, 'PUT', 'Organization/org-ch', {
      ...own,
      type: [
        {
          coding: [
            { system, code: 'care-home' },
            { system, code: 'acute-trust' },
          ],
        },
      ],
    });
    // The impact first: the care home is now found (and labelled, by labels.ts's alphabetical pick) as an acute trust.
    const found = await t.fhir('GET', 'Organization?type=acute-trust&_id=org-ch');
    expect((found.body as Bundle).entry ?? []).toEqual([]);
    expect(response.status).toBe(403);
  });

  it('holds: an administrator cannot take over another organisation’s Location or move one of theirs away', async () => {
    const created = await as(careHome, 'POST', 'Location', {
      resourceType: 'Location',
      name: 'Lounge',
      managingOrganization: { reference: 'Organization/org-ch' },
    });
    expect(created.status).toBe(201);
    const moved = await as(careHome, 'PUT', `Location/${created.body.id}`, {
      ...created.body,
      managingOrganization: { reference: 'Organization/org-gp' },
    });
    expect(moved.status).toBe(403);
  });
});

describe('G. consents that grant the recorder access', () => {
  it('closed: a nurse records a permit naming a CareTeam she is on (a permission for her own organisation)', async () => {
    // Give the scenario an agreement for sexual health from the trust to the community provider,
    // so only the patient's consent stands between the nurse and the result.
    const icb = officer('org-icb');
    const agreement = await scenario.access.agreements.create(icb, {
      title: 'Sexual health to community (current)',
      lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(h)',
      purposes: ['direct-care'],
      validFrom: new Date(Date.now() - 10 * DAY).toISOString().slice(0, 10),
      recipientRoles: [],
      providers: ['org-acute'],
      recipients: ['org-comm'],
      categories: ['sexual-health'],
    });
    for (const party of agreement.parties) {
      await scenario.access.agreements.sign(officer(party.organizationId), agreement.id);
    }
    expect((await as(nurse, 'GET', 'Observation/p1-acute-sex')).status).toBe(404);
    const consent = await as(nurse, 'POST', 'Consent', {
      ...CONSENT_BASE,
      patient: { reference: 'Patient/p1' },
      provision: {
        type: 'permit',
        actor: [{ role: ROLE, reference: { reference: 'CareTeam/p1-ct' } }],
        code: category('sexual-health'),
      },
      ...instruction('p1'),
    });
    // The impact first: the nurse now reads the patient's sexual-health result.
    expect((await as(nurse, 'GET', 'Observation/p1-acute-sex')).status).toBe(404);
    expect(consent.status).toBe(403);
  });

  it('holds: a care home cannot record a permit for itself, even nested under a deny', async () => {
    const consent = await as(careHome, 'POST', 'Consent', {
      ...CONSENT_BASE,
      patient: { reference: 'Patient/p1' },
      provision: {
        type: 'deny',
        actor: [{ role: ROLE, reference: { reference: 'Organization/org-icb' } }],
        provision: [
          {
            type: 'permit',
            actor: [{ role: ROLE, reference: { reference: `${t.fhirBase}/Organization/org-ch` } }],
          },
        ],
      },
      ...instruction('p1'),
    });
    expect(consent.status).toBe(403);
  });

  it("SPEC GAP: a nurse switches off the patient's deny aimed at her own organisation", async () => {
    const stored = (await t.fhir('GET', 'Consent/p1-c-comm-deny')).body;
    expect((await as(nurse, 'GET', 'Observation/p1-acute-lab')).status).toBe(404);
    const lifted = await as(nurse, 'PUT', 'Consent/p1-c-comm-deny', {
      ...stored,
      meta: undefined,
      status: 'inactive',
      ...instruction('p1'),
    });
    // The impact first: the nurse now reads the laboratory result the patient withheld from her organisation.
    expect((await as(nurse, 'GET', 'Observation/p1-acute-lab')).status).toBe(404);
    expect(lifted.status).toBe(403);
  });
});

describe('H. break-glass turned into a standing relationship', () => {
  it('a care team naming the trust cannot be written under break-glass alone, so access ends with the session', async () => {
    const acute = ACTORS.acute;
    // p3's record from their previous practice (org-gp shares problems with the trust).
    await t.platform.resources.update('Condition', 'p3-old-gp-cond', {
      resourceType: 'Condition',
      id: 'p3-old-gp-cond',
      meta: { source: 'Organization/org-gp' },
      subject: { reference: 'Patient/p3' },
      code: { text: 'Asthma (from previous practice)' },
    });
    expect((await as(acute, 'GET', 'Condition/p3-old-gp-cond')).status).toBe(404);
    await scenario.access.breakGlass.start(acute, 'p3', 'Unconscious in ED, no records available');
    const team = await as(acute, 'POST', 'CareTeam', {
      resourceType: 'CareTeam',
      status: 'active',
      subject: { reference: 'Patient/p3' },
      participant: [{ member: { reference: 'Organization/org-acute' } }],
    });
    // Break-glass never becomes a standing relationship for the trust.
    expect(team.status).toBe(403);
    // The session ends (4 hours later).
    await t.platform.db.query(
      `update break_glass set started_at = now() - interval '5 hours', expires_at = now() - interval '1 hour' where patient_id = 'p3'`,
    );
    const open = await t.platform.db.query<{ n: string }>(
      `select count(*) as n from break_glass where patient_id = 'p3' and expires_at > now()`,
    );
    expect(Number(open[0]!.n)).toBe(0);
    // Emergency access should end with it; the self-written care team keeps it open for good.
    expect((await as(acute, 'GET', 'Condition/p3-old-gp-cond')).status).toBe(404);
  });
});

describe('I. need to know and the patient’s choices (issue 14)', () => {
  it('holds: a crafted reference `Organization/…|R8000` does not pass for a permit naming a role', async () => {
    // The nurse's organisation is denied results by the patient (p1-c-comm-deny). A permit whose
    // actor reference is typed as the role-qualified name, with no extension, must name nobody.
    expect((await as(nurse, 'GET', 'Observation/p1-acute-lab')).status).toBe(404);
    const consent = await as(nurse, 'POST', 'Consent', {
      ...CONSENT_BASE,
      patient: { reference: 'Patient/p1' },
      provision: {
        type: 'permit',
        actor: [{ role: ROLE, reference: { reference: `Organization/org-comm|${nurse.roleCode}` } }],
        code: category('results'),
      },
      ...instruction('p1'),
    });
    expect([201, 400, 403, 422]).toContain(consent.status);
    expect((await as(nurse, 'GET', 'Observation/p1-acute-lab')).status).toBe(404);
    const rules = await t.platform.db.query<{ actors: string[] }>(
      `select actors from access_consent_rule where patient_id = 'p1' and 'Organization/org-comm|R8001' = any(actors)`,
    );
    expect(rules).toEqual([]);
  });

  it('holds: a receptionist cannot use a declared relationship or break-glass to read clinical detail', async () => {
    const receptionist = { ...gp, userId: 'user-gp-desk', practitionerId: 'pr-gp-desk', roleCode: 'R8010' };
    await scenario.access.declared.declare(receptionist, 'p1', 'Booking a follow-up appointment today');
    await scenario.access.breakGlass.start(receptionist, 'p1', 'Patient collapsed at the front desk');
    expect((await as(receptionist, 'GET', 'Condition/p1-gp-cond')).status).toBe(404);
    const search = await as(receptionist, 'GET', 'Condition?patient=Patient/p1&_total=accurate');
    expect((search.body as Bundle).total).toBe(0);
    expect((await as(receptionist, 'GET', 'Patient/p1')).status).toBe(200);
  });

  it('holds: declared relationships are capped per user, so the population cannot be swept', async () => {
    const sweeper = { ...ACTORS.acute, userId: 'user-acute-sweep', practitionerId: 'pr-acute-sweep' };
    const { MAX_ACTIVE_DECLARATIONS } = await import('./declared.ts');
    await t.platform.db.query(
      `insert into declared_relationship (id, user_id, practitioner_id, organization_id, role_code, patient_id, reason, expires_at)
       select 'sweep-' || g, 'user-acute-sweep', 'pr-acute-sweep', 'org-acute', 'R8000', 'p2', 'Reviewing the ward list today', now() + interval '1 hour'
         from generate_series(1, ${MAX_ACTIVE_DECLARATIONS}) g`,
    );
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/access/declared-relationships',
      headers: { authorization: `Bearer ${await client.tokenFor(sweeper)}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ patientId: 'p1', reason: 'Reviewing the ward list today' }),
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toMatch(/privacy officer/);
  });
});

describe('J. data about several patients (issue 9)', () => {
  it('closed: a cohort Group is readable as its first member’s record by anyone who can see that member', async () => {
    await t.platform.resources.update('Group', 'g-frailty', {
      resourceType: 'Group',
      id: 'g-frailty',
      meta: { source: 'Organization/org-gp' },
      type: 'person',
      actual: true,
      name: 'Frailty register: severe',
      member: [{ entity: { reference: 'Patient/p1' } }, { entity: { reference: 'Patient/p2' } }],
    });
    // The care home and the community nurse see p1; the patient and their carer see p1's record.
    for (const actor of [careHome, nurse, patient1, carer]) {
      expect((await as(actor, 'GET', 'Group/g-frailty')).status, actor.userId).toBe(404);
      const search = await as(actor, 'GET', 'Group?member=Patient/p1&_total=accurate');
      expect((search.body as Bundle).total, actor.userId).toBe(0);
      const revinclude = await as(actor, 'GET', 'Patient?_id=p1&_revinclude=Group:member');
      const types = ((revinclude.body as Bundle).entry ?? []).map((e) => e.resource?.resourceType);
      expect(types, actor.userId).not.toContain('Group');
    }
    // The practice that keeps it does, and each member's access log shows that it was read.
    expect((await as(gp, 'GET', 'Group/g-frailty')).status).toBe(200);
    for (const member of ['p1', 'p2']) {
      const reads = byAgent(await logOf(member), `Practitioner/${gp.practitionerId}`).filter((e) =>
        mentions(e, 'Group/g-frailty'),
      );
      expect(reads.length, member).toBeGreaterThan(0);
    }
  });
});
