/**
 * The patient's "who can see what" summary (sharing-summary.ts; docs/ACCESS.md, *Who can see what*),
 * checked against what real users really see: for every organisation, person and carer the summary
 * lists, a search as a real user of that organisation (in each role the summary speaks of) returns
 * rows of exactly the categories the summary says are visible. Runs on PGlite and PostgreSQL, over
 * HTTP, on the access scenario (testing/scenario.ts) plus a referral to one practitioner.
 */
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { DATA_CATEGORY_SYSTEM, ORGANISATION_TYPE_SYSTEM, RECIPIENT_ROLE_EXTENSION, type StaffActor } from './actor.ts';
import { actorClient, diagnostics, type UserActor } from './testing/actor-client.ts';
import { ACTORS, loadScenario, ORGS, RBAC_SYSTEM } from './testing/scenario.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;

const POLICY = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTINR' }] };
const ROLE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] };

beforeAll(async () => {
  t = await createTestApp();
  client = actorClient(t);
  await loadScenario(t.platform.db, t.fhirBase);
  // A referral to one practitioner of the acute trust: a person-level relationship.
  const referral = await t.fhir('PUT', 'ServiceRequest/p1-sr-person', {
    resourceType: 'ServiceRequest',
    id: 'p1-sr-person',
    meta: { source: 'Organization/org-gp' },
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    code: { text: 'Cardiology opinion' },
    performer: [{ reference: 'Practitioner/pr-acute' }],
  });
  expect(referral.status).toBeLessThan(300);
});

afterAll(async () => {
  await t?.close();
});

interface SummaryCell {
  visible: boolean;
  basis: string[];
  onlyRoles: string[];
}

interface Recipient {
  reference: string;
  kind: string;
  role?: string;
  display?: string;
  relationships: string[];
  seesSharingChoices: boolean;
  cells: Map<string, SummaryCell>;
}

const parts = (p: ParametersParameter, name: string): ParametersParameter[] =>
  (p.part ?? []).filter((x) => x.name === name);

function recipients(summary: Parameters): Recipient[] {
  return (summary.parameter ?? [])
    .filter((p) => p.name === 'recipient')
    .map((p) => ({
      reference: parts(p, 'reference')[0]!.valueReference!.reference!,
      kind: parts(p, 'kind')[0]!.valueCode!,
      role: parts(p, 'role')[0]?.valueCode,
      display: parts(p, 'display')[0]?.valueString,
      relationships: parts(p, 'relationship').map((r) => parts(r, 'kind')[0]!.valueCode!),
      seesSharingChoices: parts(p, 'seesSharingChoices')[0]?.valueBoolean === true,
      cells: new Map(
        parts(p, 'category').map((c) => [
          parts(c, 'code')[0]!.valueCode!,
          {
            visible: parts(c, 'visible')[0]!.valueBoolean!,
            basis: parts(c, 'basis').map((b) => b.valueCode!),
            onlyRoles: parts(c, 'onlyRole').map((b) => b.valueCode!),
          },
        ]),
      ),
    }));
}

async function summaryAs(actor: UserActor, patient = 'p1') {
  return client.as(actor, 'GET', `Patient/${patient}/$sharing-summary`);
}

async function summaryOf(patient = 'p1'): Promise<Recipient[]> {
  const response = await summaryAs(patient === 'p1' ? ACTORS.patient1 : ACTORS.patient2, patient);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.resourceType).toBe('Parameters');
  return recipients(response.body as Parameters);
}

const find = (list: Recipient[], reference: string, role?: string): Recipient => {
  const found = list.find((r) => r.reference === reference && r.role === role);
  expect(found, `${reference}${role ? `|${role}` : ''} in the summary`).toBeDefined();
  return found!;
};

const staffUser = (org: string, role: string, practitionerId = `pr-summary-${org}-${role}`): StaffActor => ({
  kind: 'staff',
  userId: `user-summary-${practitionerId}-${org}-${role}`,
  practitionerId,
  organizationId: org,
  organizationType: ORGS[org]!,
  roleCode: role,
  scopes: ['user/*.cruds'],
});

const users = new Map<string, UserActor>();
/** One user per (organisation, role, practitioner), so each gets its token once. */
const userFor = (org: string, role: string, practitionerId?: string): UserActor => {
  const key = `${org}|${role}|${practitionerId ?? ''}`;
  const known = users.get(key);
  if (known) {
    return known;
  }
  const user = staffUser(org, role, practitionerId);
  users.set(key, user);
  return user;
};

/** The categories of p1's data (not their Consents) that a real search by `actor` returns. */
async function categoriesSeenBy(actor: UserActor, patient = 'p1'): Promise<Set<string>> {
  const types = await t.platform.db.query<{ resource_type: string }>(
    `select distinct resource_type from resource where patient_id = $1 and not deleted and resource_type <> 'Consent'`,
    [patient],
  );
  const refs: string[] = [];
  for (const { resource_type: type } of types) {
    const response = await client.as(actor, 'GET', `${type}?_count=100`);
    expect(response.status, `${type} search`).toBe(200);
    refs.push(...(response.body.entry ?? []).map((e: any) => `${e.resource.resourceType}/${e.resource.id}`));
  }
  const rows = await t.platform.db.query<{ category: string }>(
    `select distinct category from resource where patient_id = $1 and resource_type || '/' || id = any($2::text[])`,
    [patient, refs],
  );
  return new Set(rows.map((row) => row.category));
}

const visibleIn = (recipient: Recipient, role?: string): string[] =>
  [...recipient.cells]
    .filter(
      ([, cell]) => cell.visible && (role === undefined ? cell.onlyRoles.length === 0 : cell.onlyRoles.includes(role)),
    )
    .map(([category]) => category)
    .sort();

/**
 * For every organisation the summary lists: its clinical staff really see exactly the categories it
 * calls visible to all, and staff in each role it names exactly those plus the ones it says only
 * that role sees.
 */
async function expectOrganisationsAsTheyReallySee(summary: Recipient[]): Promise<void> {
  for (const recipient of summary.filter((r) => r.kind === 'organisation' && !r.role)) {
    const org = recipient.reference.slice('Organization/'.length);
    const seen = await categoriesSeenBy(userFor(org, 'R8000'));
    expect([...seen].sort(), `${recipient.reference} (clinical staff)`).toEqual(visibleIn(recipient));
    const roles = new Set([...recipient.cells.values()].flatMap((cell) => cell.onlyRoles));
    for (const role of roles) {
      const byRole = await categoriesSeenBy(userFor(org, role));
      // …and nothing the summary calls hidden from them.
      expect([...byRole].sort(), `${recipient.reference} (${role})`).toEqual(
        [...new Set([...visibleIn(recipient), ...visibleIn(recipient, role)])].sort(),
      );
    }
  }
}

describe('Patient/{id}/$sharing-summary', () => {
  it('says, for every organisation, exactly which categories its staff really see', async () => {
    const summary = await summaryOf();
    expect(summary.filter((r) => r.kind === 'organisation').map((r) => r.reference)).toEqual(
      expect.arrayContaining([
        'Organization/org-gp',
        'Organization/org-comm',
        'Organization/org-ch',
        'Organization/org-sc',
      ]),
    );
    await expectOrganisationsAsTheyReallySee(summary);
  });

  it('says which roles still see what the patient denies to one role of an organisation', async () => {
    const deny = await client.as(ACTORS.patient1, 'POST', 'Consent', {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/p1' },
      policyRule: POLICY,
      provision: {
        type: 'deny',
        actor: [
          {
            role: ROLE,
            reference: { reference: 'Organization/org-comm' },
            extension: [{ url: RECIPIENT_ROLE_EXTENSION, valueCoding: { system: RBAC_SYSTEM, code: 'R8000' } }],
          },
        ],
        code: [{ coding: [{ system: DATA_CATEGORY_SYSTEM, code: 'problems' }] }],
      },
    });
    expect(deny.status, JSON.stringify(deny.body)).toBe(201);
    const summary = await summaryOf();
    const problems = find(summary, 'Organization/org-comm').cells.get('problems')!;
    expect(problems).toMatchObject({ visible: true, basis: ['agreement'] });
    expect(problems.onlyRoles).toContain('R8001');
    expect(problems.onlyRoles).not.toContain('R8000');
    await expectOrganisationsAsTheyReallySee(summary);
    await client.as(ACTORS.patient1, 'PUT', `Consent/${deny.body.id}`, { ...deny.body, status: 'inactive' });
  });

  it('says what a person with a relationship of their own and a carer really see', async () => {
    const summary = await summaryOf();
    const person = find(summary, 'Practitioner/pr-acute');
    expect(person.kind).toBe('person');
    expect(person.relationships).toContain('referral');
    const acute: StaffActor = { ...ACTORS.acute, userId: 'user-summary-acute-person' };
    expect([...(await categoriesSeenBy(acute))].sort()).toEqual(visibleIn(person));

    const carer = find(summary, 'RelatedPerson/rp1');
    expect(carer.kind).toBe('carer');
    expect([...(await categoriesSeenBy(ACTORS.carer))].sort()).toEqual(visibleIn(carer));
    expect(visibleIn(carer)).toEqual(['demographics', 'medications']);
    expect(carer.cells.get('medications')!.basis).toEqual(['permission']);
    // The patient's deny of encounters to the carer is the reason they do not see them.
    expect(carer.cells.get('encounters')).toMatchObject({ visible: false, basis: ['withheld-by-you'] });
  });

  it('lists a member of staff who declared a relationship, until when, as they sign in', async () => {
    // A community nurse with no PractitionerRole: what they sign in as is their account's role profile.
    const nurse = userFor('org-comm', 'R8001', 'pr-declarer');
    await client.tokenFor(nurse);
    await t.platform.db.query(
      `insert into auth_role_profile (id, user_id, organization_id, role_code) values ($1, $2, 'org-comm', 'R8001')`,
      ['profile-declarer', nurse.userId],
    );
    await t.platform.access.declared.declare(nurse, 'p1', 'Covering the district round today');
    const person = find(await summaryOf(), 'Practitioner/pr-declarer');
    expect(person.kind).toBe('person');
    expect(person.relationships).toEqual(['declared']);
    expect([...(await categoriesSeenBy(nurse))].sort()).toEqual(visibleIn(person));
    expect(visibleIn(person).length).toBeGreaterThan(0);
  });

  it('gives a reason for every visible cell, and the policy never shows anything the probes cannot explain', async () => {
    const summary = await summaryOf();
    for (const recipient of summary) {
      for (const [category, cell] of recipient.cells) {
        if (cell.visible) {
          expect(cell.basis.length, `${recipient.reference} ${category}`).toBeGreaterThan(0);
        }
        expect(cell.basis, `${recipient.reference} ${category}`).not.toContain('unexplained');
      }
    }
    const gp = find(summary, 'Organization/org-gp');
    expect(gp.relationships).toContain('registered');
    expect(gp.cells.get('problems')).toMatchObject({ visible: true, basis: ['own-record'] });
    expect(gp.cells.get('observations')).toMatchObject({ visible: true, basis: ['agreement'] });
    expect(gp.cells.get('sexual-health')).toMatchObject({ visible: false });
    expect(gp.seesSharingChoices).toBe(true);
    // Social care's social workers (R8003) see what the GP shares with them; its clinical role does not.
    const social = find(summary, 'Organization/org-sc');
    expect(social.cells.get('problems')).toMatchObject({ visible: true, basis: ['agreement'], onlyRoles: ['R8003'] });
  });

  it('lists a care home the patient permits, with the permission as the reason, and a deny removes it', async () => {
    const before = find(await summaryOf(), 'Organization/org-ch');
    expect(before.seesSharingChoices).toBe(false);
    for (const category of ['medications', 'allergies', 'demographics']) {
      expect(before.cells.get(category), category).toMatchObject({ visible: true, basis: ['permission'] });
    }
    expect(before.cells.get('problems')!.visible).toBe(false);
    const careHome = userFor('org-ch', 'R8008', 'pr-ch');
    expect([...(await categoriesSeenBy(careHome))].sort()).toEqual(['allergies', 'demographics', 'medications']);

    const deny = await client.as(ACTORS.patient1, 'POST', 'Consent', {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/p1' },
      policyRule: POLICY,
      provision: {
        type: 'deny',
        actor: [{ role: ROLE, reference: { reference: 'Organization/org-ch' } }],
        code: [{ coding: [{ system: DATA_CATEGORY_SYSTEM, code: 'medications' }] }],
      },
    });
    expect(deny.status).toBe(201);
    const after = find(await summaryOf(), 'Organization/org-ch');
    expect(after.cells.get('medications')).toEqual({ visible: false, basis: ['withheld-by-you'], onlyRoles: [] });
    expect(after.cells.get('allergies')!.visible).toBe(true);
    expect([...(await categoriesSeenBy(careHome))].sort()).toEqual(['allergies', 'demographics']);
    const revoked = await client.as(ACTORS.patient1, 'PUT', `Consent/${deny.body.id}`, {
      ...deny.body,
      status: 'inactive',
    });
    expect(revoked.status).toBe(200);
  });

  it("lists an organisation's staff in one role that a permit names, apart from the organisation", async () => {
    const permit = await client.as(ACTORS.patient1, 'POST', 'Consent', {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/p1' },
      policyRule: POLICY,
      provision: {
        type: 'permit',
        actor: [
          {
            role: ROLE,
            reference: { reference: 'Organization/org-acute' },
            extension: [{ url: RECIPIENT_ROLE_EXTENSION, valueCoding: { system: RBAC_SYSTEM, code: 'R8001' } }],
          },
        ],
        code: [{ coding: [{ system: DATA_CATEGORY_SYSTEM, code: 'allergies' }] }],
      },
    });
    expect(permit.status, JSON.stringify(permit.body)).toBe(201);
    const summary = await summaryOf();
    const nurses = find(summary, 'Organization/org-acute', 'R8001');
    expect(visibleIn(nurses)).toEqual(['allergies']);
    expect(nurses.cells.get('allergies')!.basis).toEqual(['permission']);
    // The organisation as a whole: only those staff see it.
    expect(find(summary, 'Organization/org-acute').cells.get('allergies')).toEqual({
      visible: true,
      basis: ['permission'],
      onlyRoles: ['R8001'],
    });
    await expectOrganisationsAsTheyReallySee(summary);
    expect([...(await categoriesSeenBy(userFor('org-acute', 'R8001')))].sort()).toEqual(['allergies']);
    expect((await categoriesSeenBy(userFor('org-acute', 'R8000'))).has('allergies')).toBe(false);
    await client.as(ACTORS.patient1, 'PUT', `Consent/${permit.body.id}`, { ...permit.body, status: 'inactive' });
  });

  it('says what an organisation without a relationship could see if it started caring for the patient', async () => {
    const acute = find(await summaryOf(), 'Organization/org-acute');
    expect(acute.relationships).toEqual([]);
    // The GP's record is shared with the acute trust by agreement, once it cares for the patient.
    expect(acute.cells.get('problems')).toMatchObject({ visible: false, basis: ['agreement-no-relationship'] });
    const user = userFor('org-acute', 'R8000');
    expect((await categoriesSeenBy(user)).has('problems')).toBe(false);
    // It starts caring for them: an open encounter. Now it really sees it, and the summary says so.
    const encounter = await t.fhir('PUT', 'Encounter/p1-acute-open', {
      resourceType: 'Encounter',
      id: 'p1-acute-open',
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject: { reference: 'Patient/p1' },
      serviceProvider: { reference: 'Organization/org-acute' },
    });
    expect(encounter.status).toBeLessThan(300);
    expect((await categoriesSeenBy(user)).has('problems')).toBe(true);
    const now = find(await summaryOf(), 'Organization/org-acute');
    expect(now.relationships).toEqual(['encounter']);
    expect(now.cells.get('problems')).toMatchObject({ visible: true, basis: ['agreement'] });
    expect([...(await categoriesSeenBy(user))].sort()).toEqual(visibleIn(now));
    await t.fhir('PUT', 'Encounter/p1-acute-open', { ...encounter.body, status: 'finished' });
  });

  it('names an organisation that only an agreement would let see something', async () => {
    // A new NHS organisation that the GP agrees to share problems with, with no relationship.
    await t.fhir('PUT', 'Organization/org-amb', {
      resourceType: 'Organization',
      id: 'org-amb',
      active: true,
      name: 'Ambulance service',
      type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: 'ambulance' }] }],
    });
    const officer = (org: string, type: StaffActor['organizationType']): StaffActor => ({
      ...staffUser(org, 'R0001'),
      organizationType: type,
    });
    const agreement = await t.platform.access.agreements.create(officer('org-gp', 'gp-practice'), {
      title: 'GP to ambulance',
      lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(h)',
      purposes: ['direct-care'],
      validFrom: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
      providers: ['org-gp'],
      recipients: ['org-amb'],
      recipientRoles: [],
      categories: ['problems', 'allergies'],
    });
    await t.platform.access.agreements.sign(officer('org-gp', 'gp-practice'), agreement.id);
    await t.platform.access.agreements.sign(officer('org-amb', 'ambulance'), agreement.id);
    const ambulance = find(await summaryOf(), 'Organization/org-amb');
    expect(ambulance.cells.get('allergies')).toMatchObject({ visible: false, basis: ['agreement-no-relationship'] });
    expect(ambulance.cells.get('medications')).toMatchObject({ visible: false, basis: [] });
    expect([...ambulance.cells.values()].some((cell) => cell.visible)).toBe(false);
  });

  it('does not name a service that only what is kept out of the online view would reveal', async () => {
    // A referral to another practice, kept out of the patient's online view: it is the only trace of
    // that practice in the record (source and relationship).
    const hidden = await t.fhir('PUT', 'ServiceRequest/p1-sr-hidden', {
      resourceType: 'ServiceRequest',
      id: 'p1-sr-hidden',
      meta: {
        source: 'Organization/org-gp2',
        security: [{ system: 'https://careweave.example/fhir/CodeSystem/sensitivity', code: 'not-for-online-view' }],
      },
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
      code: { text: 'Specialist assessment' },
      performer: [{ reference: 'Organization/org-gp2' }],
    });
    expect(hidden.status).toBeLessThan(300);
    expect((await client.as(ACTORS.patient1, 'GET', 'ServiceRequest/p1-sr-hidden')).status).toBe(404);
    const summary = await summaryOf();
    expect(summary.map((r) => r.reference)).not.toContain('Organization/org-gp2');
    expect(JSON.stringify(summary)).not.toContain('org-gp2');
    await t.fhir('DELETE', 'ServiceRequest/p1-sr-hidden');
  });

  it('lists emergency (break-glass) access until it ends', async () => {
    const nurse = userFor('org-comm', 'R8001', 'pr-nurse-bg');
    await t.platform.access.breakGlass.start(nurse, 'p1', 'Found collapsed, need history');
    const response = await summaryAs(ACTORS.patient1);
    const emergency = (response.body as Parameters).parameter!.filter((p) => p.name === 'emergencyAccess');
    expect(emergency).toHaveLength(1);
    expect(parts(emergency[0]!, 'practitioner')[0]!.valueReference!.reference).toBe('Practitioner/pr-nurse-bg');
    expect(parts(emergency[0]!, 'organisation')[0]!.valueReference!.reference).toBe('Organization/org-comm');
    expect(Date.parse(parts(emergency[0]!, 'until')[0]!.valueDateTime!)).toBeGreaterThan(Date.now());
  });
});

describe('who may ask', () => {
  it('refuses a carer whose permits do not cover the whole record, and explains why', async () => {
    const response = await summaryAs(ACTORS.carer);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
    expect(diagnostics(response)).toMatch(/Only a carer who may see the whole of the record/);
  });

  it('answers a carer whom the patient lets see everything', async () => {
    await t.fhir('PUT', 'RelatedPerson/rp-full', {
      resourceType: 'RelatedPerson',
      id: 'rp-full',
      active: true,
      patient: { reference: 'Patient/p1' },
      name: [{ given: ['Fay'], family: 'Full' }],
    });
    const consent = await client.as(ACTORS.patient1, 'POST', 'Consent', {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/p1' },
      policyRule: POLICY,
      provision: { type: 'permit', actor: [{ role: ROLE, reference: { reference: 'RelatedPerson/rp-full' } }] },
    });
    expect(consent.status).toBe(201);
    const carer: UserActor = {
      kind: 'related-person',
      userId: 'user-rp-full',
      relatedPersonId: 'rp-full',
      patientId: 'p1',
      scopes: [],
    };
    const response = await summaryAs(carer);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const self = find(recipients(response.body as Parameters), 'RelatedPerson/rp-full');
    expect([...self.cells.values()].every((cell) => cell.visible && cell.basis.includes('permission'))).toBe(true);
    expect(self.display).toBe('Fay Full');
  });

  it('refuses staff: they have the record itself', async () => {
    const response = await summaryAs(ACTORS.gp);
    expect(response.status).toBe(403);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect((await t.fhir('GET', 'Patient/p1/$sharing-summary')).status).toBe(403);
  });

  it("answers someone else's id and an unknown id alike", async () => {
    const other = await summaryAs(ACTORS.patient1, 'p2');
    const unknown = await summaryAs(ACTORS.patient1, 'no-such-patient');
    expect(other.status).toBe(403);
    expect(unknown.status).toBe(other.status);
    expect(unknown.body).toEqual(other.body);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/fhir/R4/Patient/p1/$sharing-summary',
          headers: { authorization: 'Bearer nope' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('audits every call against the patient, refusals included', async () => {
    const log = await t.fhir('GET', 'Patient/p1/$access-log?_count=1000');
    const events = (log.body.entry ?? []).map((e: any) => e.resource);
    const summaries = events.filter((e: any) => e.subtype?.some((c: any) => c.code === 'sharing-summary'));
    expect(summaries.some((e: any) => e.outcome === '0' && e.agent[0].who.reference === 'Patient/p1')).toBe(true);
    expect(summaries.some((e: any) => e.outcome === '4' && e.agent[0].who.reference === 'RelatedPerson/rp1')).toBe(
      true,
    );
    expect(summaries.some((e: any) => e.outcome === '4' && e.agent[0].who.reference === 'Practitioner/pr-gp')).toBe(
      true,
    );
  });
});
