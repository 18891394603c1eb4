import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOperationOutcomeError } from '../fhir/outcome.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import type { Actor } from './actor.ts';
import { registerAccessRoutes } from './routes.ts';
import { DATA_CATEGORY_SYSTEM } from '@careweave/vocabulary';
import { ACTORS, loadScenario, officer, type Scenario } from './testing/scenario.ts';

let database: TestDatabase;
let scenario: Scenario;
let app: FastifyInstance;
const actors = new Map<string, Actor>();

beforeAll(async () => {
  database = await createTestDatabase();
  scenario = await loadScenario(database.db);
  for (const [name, actor] of Object.entries(ACTORS)) {
    actors.set(name, actor);
  }
  for (const org of ['org-gp', 'org-acute', 'org-sc', 'org-icb']) {
    actors.set(`officer-${org}`, officer(org));
  }
  actors.set('info-officer-acute', { ...officer('org-acute'), roleCode: 'R8012', userId: 'user-io-acute' });
  // A stand-in for the sign-in layer: the test names the actor in a header.
  app = Fastify();
  app.addHook('onRequest', (request, _reply, done) => {
    const name = request.headers['x-test-actor'];
    request.actor = typeof name === 'string' ? actors.get(name) : undefined;
    done();
  });
  app.setErrorHandler((error, _request, reply) =>
    isOperationOutcomeError(error) ? reply.code(error.status).send(error.outcome) : reply.code(500).send(String(error)),
  );
  registerAccessRoutes(app, scenario.access);
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

async function call(method: 'GET' | 'POST', url: string, actor?: string, body?: unknown) {
  const response = await app.inject({
    method,
    url,
    headers: actor ? { 'x-test-actor': actor } : {},
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() };
}

const agreement = {
  title: 'Acute to social care',
  purposes: ['direct-care'],
  lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(h)',
  validFrom: '2025-01-01',
  providers: ['org-acute'],
  recipients: ['Organization/org-sc'],
  categories: ['encounters'],
};

describe('agreements API', () => {
  it('creates, signs per party and withdraws; the policy follows', async () => {
    const created = await call('POST', '/api/access/agreements', 'info-officer-acute', agreement);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'awaiting-signatures',
      providers: ['org-acute'],
      recipients: ['org-sc'],
    });
    const id = created.body.id as string;

    const sw = scenario.resources.forCaller(scenario.access.accessFor(ACTORS.socialWorker));
    const canSee = () =>
      sw.read('Encounter', 'p1-acute-enc').then(
        () => true,
        () => false,
      );
    expect(await canSee()).toBe(false);

    // Each party signs for itself, once; nobody signs for another organisation.
    expect((await call('POST', `/api/access/agreements/${id}/sign`, 'officer-org-gp')).status).toBe(403);
    expect((await call('POST', `/api/access/agreements/${id}/sign`, 'gp')).status).toBe(403); // not R0001/R8012
    expect((await call('POST', `/api/access/agreements/${id}/sign`, 'officer-org-acute')).body.status).toBe(
      'awaiting-signatures',
    );
    expect((await call('POST', `/api/access/agreements/${id}/sign`, 'officer-org-acute')).status).toBe(409);
    expect(await canSee()).toBe(false);
    const signed = await call('POST', `/api/access/agreements/${id}/sign`, 'officer-org-sc');
    expect(signed.body.status).toBe('active');
    expect(signed.body.parties).toEqual([
      expect.objectContaining({
        organizationId: 'org-acute',
        role: 'provider',
        signedBy: 'Practitioner/pr-po-org-acute',
      }),
      expect.objectContaining({ organizationId: 'org-sc', role: 'recipient', signedBy: 'Practitioner/pr-po-org-sc' }),
    ]);
    expect(await canSee()).toBe(true);

    expect((await call('GET', `/api/access/agreements/${id}`, 'nurse')).body.id).toBe(id);
    const listed = await call('GET', '/api/access/agreements?organization=org-sc', 'socialWorker');
    expect(listed.body.agreements.map((a: { id: string }) => a.id)).toContain(id);

    const withdrawn = await call('POST', `/api/access/agreements/${id}/withdraw`, 'officer-org-icb', {
      reason: 'Review',
    });
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawnReason: 'Review' });
    expect(await canSee()).toBe(false);
    expect((await call('POST', `/api/access/agreements/${id}/withdraw`, 'officer-org-icb')).status).toBe(409);
  });

  it('validates input as an OperationOutcome', async () => {
    const bad = await call('POST', '/api/access/agreements', 'officer-org-icb', {
      ...agreement,
      purposes: ['marketing'],
      categories: [],
      validTo: '2024-01-01',
      recipientRoles: ['doctor'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.resourceType).toBe('OperationOutcome');
    const paths = bad.body.issue.map((i: { expression?: string[] }) => i.expression?.[0]);
    expect(paths).toEqual(expect.arrayContaining(['purposes.0', 'categories', 'recipientRoles.0']));
    const unknown = await call('POST', '/api/access/agreements', 'officer-org-icb', {
      ...agreement,
      providers: ['org-nowhere'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issue[0].diagnostics).toContain('Organization/org-nowhere');
    const dates = await call('POST', '/api/access/agreements', 'officer-org-icb', {
      ...agreement,
      validTo: '2024-12-31',
    });
    expect(dates.body.issue[0].expression).toEqual(['validTo']);
  });

  it('only privacy/information officers of a party or a commissioner may create', async () => {
    expect((await call('POST', '/api/access/agreements', 'gp', agreement)).status).toBe(403);
    expect((await call('POST', '/api/access/agreements', 'officer-org-gp', agreement)).status).toBe(403);
    expect((await call('POST', '/api/access/agreements', 'officer-org-icb', agreement)).status).toBe(201);
    expect((await call('POST', '/api/access/agreements', 'patient1', agreement)).status).toBe(403);
    expect((await call('POST', '/api/access/agreements', undefined, agreement)).status).toBe(401);
  });

  it('draws the sharing map for any staff member', async () => {
    const map = await call('GET', '/api/access/sharing-map', 'careHome');
    expect(map.status).toBe(200);
    const flow = (title: string, provider: string, recipient: string) =>
      map.body.flows.find(
        (f: { title: string; provider: string; recipient: string }) =>
          f.title === title && f.provider === provider && f.recipient === recipient,
      );
    expect(flow('Shared care record', 'org-acute', 'org-gp')).toMatchObject({
      status: 'active',
      purposes: ['direct-care'],
    });
    expect(flow('Shared care record', 'org-gp', 'org-gp')).toBeUndefined();
    expect(flow('Documents to social care', 'org-gp', 'org-sc').status).toBe('awaiting-signatures');
    expect(flow('Sexual health to community', 'org-acute', 'org-comm').status).toBe('expired');
    expect(flow('Allergies to social care', 'org-gp', 'org-sc').status).toBe('withdrawn');
    expect(map.body.organisations).toContainEqual({ id: 'org-sc', name: 'Organisation org-sc', type: 'social-care' });
    expect((await call('GET', '/api/access/sharing-map', 'patient1')).status).toBe(403);
  });
});

describe('break-glass and audit API', () => {
  it('starts a session, which shows in the patient’s own log', async () => {
    expect((await call('POST', '/api/access/break-glass', 'acute', { patientId: 'p1', reason: 'short' })).status).toBe(
      400,
    );
    const started = await call('POST', '/api/access/break-glass', 'acute', {
      patientId: 'Patient/p1',
      reason: 'Collapsed in outpatients, needs history',
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ patientId: 'p1', reason: 'Collapsed in outpatients, needs history' });
    expect((await call('GET', '/api/access/break-glass', 'acute')).body.sessions).toHaveLength(1);

    const own = await call('GET', '/api/access/audit', 'patient1');
    expect(own.status).toBe(200);
    expect(own.body.entries[0]).toMatchObject({
      interaction: 'break-glass',
      breakGlassReason: 'Collapsed in outpatients, needs history',
      patientIds: ['p1'],
    });
    expect(own.body.entries.every((e: { patientIds: string[] }) => e.patientIds.includes('p1'))).toBe(true);
  });

  it('lets patients read only their own log and privacy officers all of it', async () => {
    expect((await call('GET', '/api/access/audit?patient=p2', 'patient1')).status).toBe(403);
    expect((await call('GET', '/api/access/audit', 'gp')).status).toBe(403);
    const all = await call('GET', '/api/access/audit?_count=2', 'officer-org-gp');
    expect(all.body.entries).toHaveLength(2);
    const next = await call('GET', `/api/access/audit?_count=2&before=${all.body.next.before}`, 'officer-org-gp');
    expect(next.body.entries[0].seq).toBeLessThan(all.body.entries[1].seq);
  });

  it('lets a privacy officer search by concern, agent and date; a patient cannot use those filters to widen their view', async () => {
    const glass = await call('GET', '/api/access/audit?concern=break-glass', 'officer-org-gp');
    expect(glass.status).toBe(200);
    expect(glass.body.entries.length).toBeGreaterThan(0);
    expect(glass.body.entries.every((e: { breakGlassReason: string | null }) => e.breakGlassReason)).toBe(true);
    const refused = await call('GET', '/api/access/audit?concern=refused', 'officer-org-gp');
    expect(refused.body.entries.every((e: { decision: string }) => e.decision.startsWith('deny'))).toBe(true);
    const practitioner = glass.body.entries[0].actor.practitioner as string;
    const byAgent = await call('GET', `/api/access/audit?agent=${practitioner}`, 'officer-org-gp');
    expect(byAgent.body.entries.length).toBeGreaterThan(0);
    expect(
      byAgent.body.entries.every((e: { actor: { practitioner?: string } }) => e.actor.practitioner === practitioner),
    ).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    const dated = await call('GET', `/api/access/audit?date=ge${today}&date=le${today}&_count=5`, 'officer-org-gp');
    expect(dated.body.entries.length).toBeGreaterThan(0);
    expect(
      (await call('GET', '/api/access/audit?date=ge2001-01-01&date=lt2001-01-02', 'officer-org-gp')).body.entries,
    ).toEqual([]);
    expect((await call('GET', '/api/access/audit?concern=everything', 'officer-org-gp')).status).toBe(400);
    // A patient's own log ignores an agent filter naming someone else's rows: still only their record.
    const own = await call('GET', '/api/access/audit?agent=Practitioner/anyone&concern=refused', 'patient1');
    expect(own.body.entries.every((e: { patientIds: string[] }) => e.patientIds.includes('p1'))).toBe(true);
  });

  it("lets a carer read the log of the person they act for only when that person's consent shares it", async () => {
    // rp1's permits cover medicines, encounters and demographics, not `other` (where the log belongs).
    const refused = await call('GET', '/api/access/audit', 'carer');
    expect(refused.status).toBe(403);
    expect(refused.body.issue[0].diagnostics).toMatch(/has not shared who has looked/);
    expect((await call('GET', '/api/access/audit?patient=p2', 'carer')).status).toBe(403);
    await scenario.resources.update('Consent', 'p1-c-carer-log', {
      resourceType: 'Consent',
      id: 'p1-c-carer-log',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/p1' },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTINR' }] },
      provision: {
        type: 'permit',
        actor: [
          {
            role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
            reference: { reference: 'RelatedPerson/rp1' },
          },
        ],
        code: [{ coding: [{ system: DATA_CATEGORY_SYSTEM, code: 'other' }] }],
      },
    });
    const allowed = await call('GET', '/api/access/audit', 'carer');
    expect(allowed.status).toBe(200);
    expect(allowed.body.entries.length).toBeGreaterThan(0);
    expect(allowed.body.entries.every((e: { patientIds: string[] }) => e.patientIds.includes('p1'))).toBe(true);
    // Each event only as it concerns p1: no other patient's id or reference leaks through the carer.
    expect(JSON.stringify(allowed.body)).not.toMatch(/\bp2\b|p2-/);
  });

  it('verifies the chain', async () => {
    expect((await call('GET', '/api/access/audit/$verify', 'officer-org-acute')).body).toMatchObject({ ok: true });
    expect((await call('GET', '/api/access/audit/$verify', 'nurse')).status).toBe(403);
  });
});
