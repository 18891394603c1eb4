/**
 * The security review's holes (issue 8), replayed over HTTP as an attacker with a valid account
 * would, each with variants through other resource types and fields. Runs on PGlite and PostgreSQL.
 * The scenario (testing/scenario.ts): p1 registered at org-gp, on a care team with the community
 * provider and the care home; p3 registered at a practice no test user belongs to, so p3 is a
 * stranger to every actor.
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { P3_NHS, recordStrangerCare } from './testing/stranger.ts';
import { actorClient, diagnostics, type Method, type UserActor } from './testing/actor-client.ts';
import { createTestApp, type FhirResponse, type TestApp } from '../testing/app.ts';

import { ACTORS, loadScenario } from './testing/scenario.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
const as = (actor: UserActor, method: Method, path: string, body?: unknown, headers?: Record<string, string>) =>
  client.as(actor, method, path, body, headers);

type Who = UserActor;

const gp = ACTORS.gp;
const careHome = ACTORS.careHome;
const patient1 = ACTORS.patient1;
const carer = ACTORS.carer;
const nurse = ACTORS.nurse;

const text = (response: FhirResponse): string => JSON.stringify(response.body);

/** The refusals (AuditEvent outcome 4) in a patient's access log, as their privacy officer would read it. */
async function refusalsIn(patientId: string): Promise<AuditEvent[]> {
  const log = await t.fhir('GET', `Patient/${patientId}/$access-log?_count=1000`);
  expect(log.status).toBe(200);
  return ((log.body as Bundle).entry ?? []).map((e) => e.resource as AuditEvent).filter((e) => e.outcome === '4');
}

async function searchesIn(patientId: string): Promise<AuditEvent[]> {
  const log = await t.fhir('GET', `Patient/${patientId}/$access-log?_count=1000`);
  return ((log.body as Bundle).entry ?? [])
    .map((e) => e.resource as AuditEvent)
    .filter((e) => e.subtype?.some((c) => c.code === 'search-type'));
}

const byAgent = (events: AuditEvent[], practitionerOrPatient: string): AuditEvent[] =>
  events.filter((e) => e.agent?.some((a) => a.who?.reference === practitionerOrPatient));

beforeAll(async () => {
  t = await createTestApp();
  client = actorClient(t);
  await loadScenario(t.platform.db, t.fhirBase);
  // p3's mental-health care and NHS number: what an attacker would like to learn.
  await recordStrangerCare(t.platform.resources, ['p2']);
});

afterAll(async () => {
  await t?.close();
});

describe('1. a write never grants a relationship', () => {
  it.each([
    [
      'ServiceRequest naming an own patient as performer',
      {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        subject: { reference: 'Patient/p3' },
        performer: [{ reference: 'Patient/p1' }, { reference: 'Organization/org-gp' }],
      },
    ],
    [
      'CareTeam adding the practice',
      {
        resourceType: 'CareTeam',
        status: 'active',
        subject: { reference: 'Patient/p3' },
        participant: [{ member: { reference: 'Organization/org-gp' } }],
      },
    ],
    [
      'open Encounter at the practice',
      {
        resourceType: 'Encounter',
        status: 'in-progress',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: { reference: 'Patient/p3' },
        serviceProvider: { reference: 'Organization/org-gp' },
      },
    ],
    [
      'EpisodeOfCare at the practice',
      {
        resourceType: 'EpisodeOfCare',
        status: 'active',
        patient: { reference: 'Patient/p3' },
        managingOrganization: { reference: 'Organization/org-gp' },
      },
    ],
  ])('%s: refused, the record stays hidden, and the victim sees the refusal', async (_name, resource) => {
    const before = (await refusalsIn('p3')).length;
    const created = await as(gp, 'POST', resource.resourceType, resource);
    expect(created.status).toBe(403);
    expect((await as(gp, 'GET', 'Condition/p3-cond')).status).toBe(404);
    expect((await as(gp, 'GET', 'Patient/p3/$everything')).status).toBe(404);
    const refusals = byAgent(await refusalsIn('p3'), `Practitioner/${gp.practitionerId}`);
    expect(refusals.length).toBeGreaterThan(before);
  });

  it('a transaction Bundle cannot slip the victim in beside an own patient', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          request: { method: 'POST', url: 'Observation' },
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'BP' },
            subject: { reference: 'Patient/p1' },
          },
        },
        {
          request: { method: 'POST', url: 'ServiceRequest' },
          resource: {
            resourceType: 'ServiceRequest',
            status: 'active',
            intent: 'order',
            subject: { reference: 'Patient/p3' },
            performer: [{ reference: 'Organization/org-gp' }],
          },
        },
      ],
    };
    const response = await as(gp, 'POST', '', bundle);
    expect(response.status).toBe(403);
    expect((await as(gp, 'GET', 'Condition/p3-cond')).status).toBe(404);
  });
});

describe("2 and 7. a Consent is the patient's", () => {
  const consent = (patient: string, provision: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    patient: { reference: `Patient/${patient}` },
    provision,
    ...extra,
  });
  const instruction = (patient: string) => ({
    verification: [
      { verified: true, verifiedWith: { reference: `Patient/${patient}` }, verificationDate: '2026-12-01' },
    ],
  });
  const ROLE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] };
  const actor = (org: string) => [{ role: ROLE, reference: { reference: `Organization/${org}` } }];
  const permitFor = (org: string) => ({ type: 'permit', actor: actor(org) });

  it('a care home cannot write a stranger’s Consent', async () => {
    const response = await as(careHome, 'POST', 'Consent', consent('p3', permitFor('org-ch'), instruction('p3')));
    expect(response.status).toBe(403);
  });

  it('staff cannot grant themselves a permit, even with a relationship and an instruction', async () => {
    const response = await as(careHome, 'POST', 'Consent', consent('p1', permitFor('org-ch'), instruction('p1')));
    expect(response.status).toBe(403);
    expect(diagnostics(response)).toMatch(/own organisation/);
  });

  it("staff record a consent only on the patient's documented instruction, and the patient sees it", async () => {
    const uninstructed = await as(gp, 'POST', 'Consent', consent('p1', { type: 'deny', actor: actor('org-acute') }));
    expect(uninstructed.status).toBe(403);
    const recorded = await as(
      gp,
      'POST',
      'Consent',
      consent('p1', { type: 'deny', actor: actor('org-acute') }, instruction('p1')),
    );
    expect(recorded.status).toBe(201);
    // The practice does not own it: no source organisation.
    expect(recorded.body.meta.source).toBeUndefined();
    const log = await as(patient1, 'GET', 'Patient/p1/$access-log?_count=1000');
    const writes = ((log.body as Bundle).entry ?? []).filter((e) =>
      (e.resource as AuditEvent).entity?.some((x) => x.what?.reference === `Consent/${recorded.body.id}`),
    );
    expect(writes.length).toBeGreaterThan(0);
  });

  it("the practice cannot switch off or delete the patient's own Consent", async () => {
    const patch = [{ op: 'replace', path: '/status', value: 'inactive' }];
    const patched = await as(gp, 'PATCH', 'Consent/p1-c-mh', patch, { 'content-type': 'application/json-patch+json' });
    expect(patched.status).toBe(403);
    expect((await as(gp, 'DELETE', 'Consent/p1-c-mh')).status).toBe(403);
    const stored = await t.fhir('GET', 'Consent/p1-c-mh');
    expect(stored.body.status).toBe('active');
  });

  it('the patient switches their own Consent off', async () => {
    const own = (await t.fhir('GET', 'Consent/p1-c-inactive')).body;
    const response = await as(patient1, 'PUT', 'Consent/p1-c-inactive', { ...own, status: 'inactive' });
    expect(response.status).toBe(200);
  });
});

describe('3. _has and chains see only what the caller may see', () => {
  const total = async (actor: Who, query: string): Promise<number> => {
    const response = await as(actor, 'GET', query);
    expect(response.status, text(response)).toBe(200);
    return (response.body as Bundle).total ?? (response.body as Bundle).entry?.length ?? 0;
  };

  it.each<[string, Who, string]>([
    [
      'patient: whom a trust treats',
      patient1,
      'Organization?_id=org-mh&_has:Encounter:service-provider:subject=Patient/p3&_total=accurate',
    ],
    [
      'patient: where a stranger is registered',
      patient1,
      `Organization?_has:Patient:organization:identifier=${P3_NHS}&_total=accurate`,
    ],
    [
      'carer: problems outside the consent',
      carer,
      'Patient?_id=p1&_has:Condition:subject:_id=p1-gp-cond&_total=accurate',
    ],
    [
      'GP: a hidden sexual-health result',
      gp,
      'Patient?_id=p1&_has:Observation:subject:_id=p1-acute-sex&_total=accurate',
    ],
    [
      'GP: an opted-out patient’s mental-health contact',
      gp,
      'Patient?_id=p2&_has:Encounter:subject:type=mh-contact&_total=accurate',
    ],
    ['carer: a hidden encounter through a chain', carer, 'MedicationRequest?encounter.status=finished&_total=accurate'],
    [
      'carer: two-level chain through a hidden encounter',
      carer,
      'MedicationRequest?encounter.service-provider.name=Organisation&_total=accurate',
    ],
    ['GP: count only', gp, 'Encounter?type=mh-contact&_summary=count'],
  ])('%s: nothing', async (_name, actor, query) => {
    expect(await total(actor, query)).toBe(0);
  });

  it('the same searches still find what the caller may see', async () => {
    expect(await total(gp, 'Patient?_id=p1&_has:Condition:subject:_id=p1-gp-cond&_total=accurate')).toBe(1);
    expect(await total(nurse, 'MedicationRequest?encounter.status=finished&_total=accurate')).toBe(1);
    // The data is there: a system client (which sees everything) finds it.
    const unrestricted = await t.fhir('GET', 'Patient?_id=p2&_has:Encounter:subject:type=mh-contact');
    expect((unrestricted.body as Bundle).entry?.length).toBe(1);
  });

  it("probes about a stranger show in that stranger's access log, also when they found nothing", async () => {
    const before = byAgent(await searchesIn('p3'), 'Patient/p1').length;
    await total(patient1, 'Organization?_id=org-mh&_has:Encounter:service-provider:subject=Patient/p3');
    await total(patient1, `Organization?_has:Patient:organization:identifier=${P3_NHS}`);
    await total(patient1, 'Condition?patient=p3&_summary=count');
    expect(byAgent(await searchesIn('p3'), 'Patient/p1').length).toBe(before + 3);
  });
});

describe("4. no writing into another patient's record", () => {
  it('patient: an Observation about someone else naming themselves as performer', async () => {
    const response = await as(patient1, 'POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Weight' },
      subject: { reference: 'Patient/p3' },
      performer: [{ reference: 'Patient/p1' }],
    });
    expect(response.status).toBe(403);
  });

  it('patient: their own Observation naming someone else as performer', async () => {
    const response = await as(patient1, 'POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Weight' },
      subject: { reference: 'Patient/p1' },
      performer: [{ reference: 'Patient/p3' }],
    });
    expect(response.status).toBe(403);
  });

  it('carer: an Appointment with a second patient', async () => {
    const response = await as(carer, 'POST', 'Appointment', {
      resourceType: 'Appointment',
      status: 'proposed',
      participant: [
        { actor: { reference: 'Patient/p1' }, status: 'needs-action' },
        { actor: { reference: 'Patient/p3' }, status: 'needs-action' },
      ],
    });
    expect(response.status).toBe(403);
  });

  it('GP: a JSON Patch that adds a performer and moves the subject to a stranger', async () => {
    const patch = [
      { op: 'add', path: '/asserter', value: { reference: 'Patient/p1' } },
      { op: 'replace', path: '/subject', value: { reference: 'Patient/p3' } },
    ];
    const own = await as(gp, 'POST', 'Condition', {
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      code: { text: 'Gout' },
    });
    expect(own.status).toBe(201);
    const response = await as(gp, 'PATCH', `Condition/${own.body.id}`, patch, {
      'content-type': 'application/json-patch+json',
    });
    expect(response.status).toBe(403);
    expect((await as(gp, 'GET', `Condition/${own.body.id}`)).body.subject.reference).toBe('Patient/p1');
  });

  it('GP: an unknown patient is refused exactly as a hidden one', async () => {
    const write = (patient: string) =>
      as(gp, 'POST', 'Observation', {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'BP' },
        subject: { reference: 'Patient/p1' },
        performer: [{ reference: `Patient/${patient}` }],
      });
    const hidden = await write('p3');
    const unknown = await write('nobody-at-all');
    expect([hidden.status, unknown.status]).toEqual([403, 403]);
    expect(diagnostics(hidden).replace('p3', 'X')).toBe(diagnostics(unknown).replace('nobody-at-all', 'X'));
  });
});

describe('5. no borrowing a source or a category', () => {
  const reading = (encounter: string) => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'Weight' },
    subject: { reference: 'Patient/p1' },
    device: { reference: 'Device/scales' },
    encounter: { reference: `Encounter/${encounter}` },
  });

  it("a patient's reading pointing at a hospital encounter is not the hospital's record", async () => {
    const response = await as(patient1, 'POST', 'Observation', reading('p1-acute-enc'));
    expect(response.status).toBe(201);
    const stored = (await t.fhir('GET', `Observation/${response.body.id}`)).body;
    expect(stored.meta.source).toMatch(/Organization\/org-gp$/); // the registered practice
  });

  it("a reference to another patient's hidden encounter is refused like a missing one", async () => {
    const hidden = await as(patient1, 'POST', 'Observation', reading('p3-mh-enc'));
    const missing = await as(patient1, 'POST', 'Observation', reading('no-such-encounter'));
    expect([hidden.status, missing.status]).toEqual([422, 422]);
    expect(diagnostics(hidden).replace('p3-mh-enc', 'X')).toBe(diagnostics(missing).replace('no-such-encounter', 'X'));
  });
});

describe('6. directory entries have owners', () => {
  const org = async (id: string) => (await t.fhir('GET', `Organization/${id}`)).body;

  it('staff cannot edit another organisation or take it over', async () => {
    const mh = await org('org-mh');
    const relabelled = { ...mh, type: [{ coding: [{ system: mh.type[0].coding[0].system, code: 'community' }] }] };
    expect((await as(gp, 'PUT', 'Organization/org-mh', relabelled)).status).toBe(403);
    expect((await as(gp, 'PUT', 'Organization/org-mh', { ...mh, name: 'Mine now' })).status).toBe(403);
    expect(
      (await as(gp, 'PUT', 'Practitioner/pr-acute', { resourceType: 'Practitioner', id: 'pr-acute', active: false }))
        .status,
    ).toBe(403);
    expect((await as(gp, 'DELETE', 'Organization/org-mh')).status).toBe(403);
    expect((await as(gp, 'POST', 'Organization', { resourceType: 'Organization', name: 'Fake trust' })).status).toBe(
      403,
    );
    expect((await org('org-mh')).name).toBe(mh.name);
  });

  it("a clinician cannot edit even their own organisation's entry", async () => {
    const own = await org('org-gp');
    expect((await as(gp, 'PUT', 'Organization/org-gp', { ...own, name: 'Renamed' })).status).toBe(403);
  });

  it("a directory administrator edits their own organisation's details, never its type", async () => {
    // The care home's manager holds R8008, a directory administrator role.
    const own = await org('org-ch');
    expect(
      (
        await as(careHome, 'PUT', 'Organization/org-ch', {
          ...own,
          telecom: [{ system: 'phone', value: '01695 000000' }],
        })
      ).status,
    ).toBe(200);
    const current = await org('org-ch');
    const retyped = {
      ...current,
      type: [{ coding: [{ system: current.type[0].coding[0].system, code: 'mental-health' }] }],
    };
    expect((await as(careHome, 'PUT', 'Organization/org-ch', retyped)).status).toBe(403);
    const location = {
      resourceType: 'Location',
      name: 'Garden room',
      managingOrganization: { reference: 'Organization/org-ch' },
    };
    expect((await as(careHome, 'POST', 'Location', location)).status).toBe(201);
    const elsewhere = { ...location, managingOrganization: { reference: 'Organization/org-mh' } };
    expect((await as(careHome, 'POST', 'Location', elsewhere)).status).toBe(403);
  });
});

describe('8. hidden and absent look the same on every write path', () => {
  it.each([
    ['DELETE', 'Condition/p3-cond', 'Condition/no-such-condition', undefined],
    [
      'PUT',
      'Condition/p3-cond',
      'Condition/no-such-condition',
      { resourceType: 'Condition', subject: { reference: 'Patient/p1' } },
    ],
    [
      'PATCH',
      'Condition/p3-cond',
      'Condition/no-such-condition',
      [{ op: 'add', path: '/note', value: [{ text: 'x' }] }],
    ],
  ] as const)('%s of a hidden resource answers as for a missing one', async (method, hidden, missing, body) => {
    const send = (path: string, extra: Record<string, string> = {}) => {
      const id = path.split('/')[1]!;
      const payload = Array.isArray(body) ? body : body ? { ...body, id } : undefined;
      return as(
        gp,
        method,
        path,
        payload,
        method === 'PATCH' ? { 'content-type': 'application/json-patch+json', ...extra } : extra,
      );
    };
    const a = await send(hidden, { 'if-match': 'W/"1"' });
    const b = await send(missing, { 'if-match': 'W/"1"' });
    expect([a.status, b.status]).toEqual([404, 404]);
    expect(diagnostics(a).replace('p3-cond', 'X')).toBe(diagnostics(b).replace('no-such-condition', 'X'));
    expect(text(a)).not.toMatch(/org-gp2|version/);
    expect((await t.fhir('GET', 'Condition/p3-cond')).status).toBe(200);
  });

  it('a conditional update naming a hidden id creates a new resource and leaves the hidden one alone', async () => {
    const body = {
      resourceType: 'Condition',
      id: 'p3-cond',
      identifier: [{ system: 'https://example.org/problems', value: 'gp-42' }],
      subject: { reference: 'Patient/p1' },
      code: { text: 'Asthma' },
    };
    const response = await as(gp, 'PUT', 'Condition?identifier=https://example.org/problems|gp-42', body);
    expect(response.status).toBe(201);
    expect(response.body.id).not.toBe('p3-cond');
    const hidden = await t.fhir('GET', 'Condition/p3-cond');
    expect([hidden.body.subject.reference, hidden.body.meta.versionId]).toEqual(['Patient/p3', '1']);
  });

  it('a visible record of another organisation is refused openly, and audited', async () => {
    const before = (await refusalsIn('p1')).length;
    expect((await as(nurse, 'DELETE', 'Condition/p1-gp-cond')).status).toBe(403);
    expect((await refusalsIn('p1')).length).toBe(before + 1);
  });
});

describe('9 and 12. audit and the read-only trail', () => {
  it('nobody writes AuditEvents through the API, system clients included', async () => {
    const event = {
      resourceType: 'AuditEvent',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      recorded: '2026-12-01T10:00:00Z',
      agent: [{ requestor: true, who: { reference: 'Practitioner/pr-gp' } }],
      source: { observer: { display: 'forged' } },
    };
    expect((await as(gp, 'POST', 'AuditEvent', event)).status).toBe(403);
    expect((await t.fhir('POST', 'AuditEvent', event)).status).toBe(403);
  });

  it('a write naming several patients is recorded against each', async () => {
    const response = await as(gp, 'POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Family history discussed' },
      subject: { reference: 'Patient/p1' },
      performer: [{ reference: 'Patient/p2' }],
    });
    expect(response.status).toBe(201);
    const log = await t.fhir('GET', 'Patient/p2/$access-log?_count=1000');
    const mentions = ((log.body as Bundle).entry ?? []).filter((e) =>
      (e.resource as AuditEvent).entity?.some((x) => x.what?.reference === `Observation/${response.body.id}`),
    );
    expect(mentions.length).toBe(1);
  });
});
