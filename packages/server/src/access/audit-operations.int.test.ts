import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AuditEvent, Bundle, Consent } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOperationOutcomeError } from '../fhir/outcome.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { DATA_CATEGORY_SYSTEM, type Actor } from './actor.ts';
import { AUDIT_CHAIN_EXTENSION } from './audit-event.ts';
import { verifyExportedEvents } from './audit-export-verify.ts';
import { registerAuditOperations } from './audit-operations.ts';
import { ACTORS, loadScenario, officer, type Scenario } from './testing/scenario.ts';

const FHIR_BASE = 'http://careweave.test/fhir/R4';
let database: TestDatabase;
let scenario: Scenario;
let app: FastifyInstance;
const actors = new Map<string, Actor>(Object.entries(ACTORS));
actors.set('officer', officer('org-icb'));

beforeAll(async () => {
  database = await createTestDatabase();
  scenario = await loadScenario(database.db, FHIR_BASE);
  const { audit } = scenario.access;
  // Accesses: p1 by the GP, the acute trust (with a query) and the patient; p2 by the nurse.
  await audit.record(ACTORS.gp, { interaction: 'read', resources: ['Patient/p1'], patients: [] });
  await audit.record(ACTORS.acute, {
    interaction: 'search',
    resources: ['Encounter/p1-acute-enc'],
    patients: ['p1'],
    query: 'Encounter?patient=p1',
  });
  await audit.record(ACTORS.nurse, { interaction: 'read', resources: ['Patient/p2'], patients: [] });
  await audit.record(ACTORS.patient1, { interaction: 'everything', resources: ['Patient/p1'], patients: ['p1'] });
  for (let n = 0; n < 5; n++) {
    await audit.record(ACTORS.gp, { interaction: 'read', resources: ['Patient/p1'], patients: [] });
  }
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
  await app.register(
    (fhir, _options, done) => {
      registerAuditOperations(fhir, { audit, fhirBase: FHIR_BASE });
      done();
    },
    { prefix: '/fhir/R4' },
  );
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

async function get(url: string, actor: string, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: 'GET',
    url: `/fhir/R4/${url}`,
    headers: { 'x-test-actor': actor, ...headers },
  });
  const body = /ndjson/.test(String(response.headers['content-type'])) ? response.body : response.json();
  return { status: response.statusCode, headers: response.headers, body };
}

const events = (bundle: Bundle): AuditEvent[] => (bundle.entry ?? []).map((e) => e.resource as AuditEvent);
const patientsOf = (event: AuditEvent): string[] =>
  (event.entity ?? []).filter((e) => e.role?.code === '1').map((e) => e.what!.reference!);

describe('Patient/{id}/$access-log', () => {
  it('shows a patient who accessed their record, newest first, as AuditEvents', async () => {
    const { status, body } = await get('Patient/p1/$access-log', 'patient1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    const log = events(body as Bundle);
    expect(log.length).toBe(8);
    expect(log.every((e) => patientsOf(e).includes('Patient/p1'))).toBe(true);
    const ids = log.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const acute = log.find((e) => e.agent[0]!.who?.reference === 'Practitioner/pr-acute')!;
    expect(acute.agent[1]!.who).toMatchObject({ reference: 'Organization/org-acute', display: expect.any(String) });
    expect(log.find((e) => e.agent[0]!.who?.reference === 'Patient/p1')?.subtype?.[1]?.code).toBe('everything');
  });

  it("refuses someone else's log with a 403 OperationOutcome", async () => {
    for (const actor of ['patient2', 'gp', 'carer']) {
      const { status, body } = await get('Patient/p1/$access-log', actor);
      expect(status).toBe(403);
      expect(body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
    }
    expect((await get('Patient/p1/$access-log', 'nobody')).status).toBe(401);
  });

  it("lets a carer read it once the patient's consent covers `other` data for them", async () => {
    const consent: Consent = {
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
    };
    await scenario.resources.update('Consent', 'p1-c-carer-log', consent);
    const { status, body } = await get('Patient/p1/$access-log?_count=2', 'carer');
    expect(status).toBe(200);
    expect(events(body as Bundle)).toHaveLength(2);
    // The patient sees that their carer looked.
    const [latest] = events((await get('Patient/p1/$access-log?_count=1', 'patient1')).body as Bundle);
    expect(latest).toMatchObject({ type: { code: '110101' }, agent: [{ who: { reference: 'RelatedPerson/rp1' } }] });
  });

  it('pages with _count and a next link', async () => {
    const first = (await get('Patient/p1/$access-log?_count=3', 'officer')).body as Bundle;
    expect(events(first)).toHaveLength(3);
    const next = first.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toMatch(/^http:\/\/careweave\.test\/fhir\/R4\/Patient\/p1\/\$access-log\?_count=3&_cursor=\d+$/);
    const second = (await get(next!.replace(`${FHIR_BASE}/`, ''), 'officer')).body as Bundle;
    expect(Number(events(second)[0]!.id)).toBeLessThan(Number(events(first)[2]!.id));
  });
});

describe('$audit-log', () => {
  it('is for privacy officers and system clients only', async () => {
    expect((await get('$audit-log', 'gp')).status).toBe(403);
    expect((await get('$audit-log', 'patient1')).status).toBe(403);
    expect((await get('$audit-log', 'officer')).status).toBe(200);
    expect((await get('$audit-log', 'system')).status).toBe(200);
  });

  it('filters by patient, agent and date', async () => {
    const byPatient = events((await get('$audit-log?patient=Patient/p2', 'officer')).body as Bundle);
    expect(byPatient.length).toBeGreaterThan(0);
    expect(byPatient.every((e) => patientsOf(e).includes('Patient/p2'))).toBe(true);
    const byPractitioner = events((await get('$audit-log?agent=Practitioner/pr-gp', 'officer')).body as Bundle);
    expect(byPractitioner).toHaveLength(6);
    const byOrg = events((await get('$audit-log?agent=Organization/org-acute', 'officer')).body as Bundle);
    expect(byOrg.map((e) => e.agent[0]!.altId)).toContain('user-acute');
    expect(byOrg.every((e) => e.agent[1]!.who?.reference === 'Organization/org-acute')).toBe(true);
    const byUser = events((await get('$audit-log?agent=user-nurse', 'officer')).body as Bundle);
    expect(byUser).toHaveLength(1);
    const today = new Date().toISOString().slice(0, 10);
    expect(
      events((await get(`$audit-log?date=ge${today}&date=le${today}`, 'officer')).body as Bundle).length,
    ).toBeGreaterThan(8);
    expect(events((await get('$audit-log?date=lt2020-01-01', 'officer')).body as Bundle)).toHaveLength(0);
  });

  it('refuses unknown parameters and bad values with an OperationOutcome', async () => {
    const unknown = await get('$audit-log?patinet=p1', 'officer');
    expect(unknown).toMatchObject({ status: 400, body: { resourceType: 'OperationOutcome' } });
    expect((await get('$audit-log?date=yesterday', 'officer')).status).toBe(400);
    expect((await get('$audit-log?_count=many', 'officer')).status).toBe(400);
  });

  it('exports NDJSON whose hashes and chains check out without the database', async () => {
    for (const ask of ['$audit-log?_format=ndjson', '$audit-log']) {
      const headers: Record<string, string> = ask.includes('_format') ? {} : { accept: 'application/fhir+ndjson' };
      const { status, headers: got, body } = await get(ask, 'system', headers);
      expect(status).toBe(200);
      expect(got['content-type']).toMatch(/application\/fhir\+ndjson/);
      const exported = (body as string)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as AuditEvent);
      expect(exported.length).toBeGreaterThan(10);
      const last = new Map<number, string>();
      for (const event of exported) {
        expect(event.resourceType).toBe('AuditEvent');
        const chain = Object.fromEntries(
          event.extension!.find((e) => e.url === AUDIT_CHAIN_EXTENSION)!.extension!.map((e) => [e.url, e]),
        );
        const canonical = Buffer.from(chain.canonical!.valueBase64Binary!, 'base64').toString('utf8');
        const prev = chain.prevHash!.valueString!;
        expect(
          createHash('sha256')
            .update(prev + canonical)
            .digest('hex'),
        ).toBe(chain.hash!.valueString);
        expect(prev).toBe(last.get(chain.chain!.valueInteger!) ?? '0'.repeat(64));
        last.set(chain.chain!.valueInteger!, chain.hash!.valueString!);
      }
    }
  });

  it('exports can be verified offline; an edited or removed event is caught', async () => {
    const lines = ((await get('$audit-log?_format=ndjson', 'system')).body as string).trim().split('\n');
    const check = (input: string[], complete = true) =>
      verifyExportedEvents(
        () =>
          (async function* () {
            yield* await Promise.resolve(input);
          })(),
        { complete },
      );
    expect(await check(lines)).toMatchObject({ ok: true, checked: lines.length });
    const target = lines.findIndex((line) => line.includes('"reference":"Patient/p1"'));
    const edited = lines.map((line, i) =>
      i === target ? line.replace('"reference":"Patient/p1"', '"reference":"Patient/p2"') : line,
    );
    expect(edited).not.toEqual(lines);
    expect(await check(edited)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match its row/) });
    // Removing an event breaks its successor's link on the same chain (most chains here have several).
    const removed = lines.filter((_, i) => i !== 1);
    const result = await check(removed);
    const sameChainLater = lines
      .slice(2)
      .some(
        (line) =>
          JSON.parse(line).extension[0].extension[1].valueInteger ===
          JSON.parse(lines[1]!).extension[0].extension[1].valueInteger,
      );
    expect(result.ok).toBe(!sameChainLater);
    // A filtered export is checked event by event.
    expect(await check(removed, false)).toMatchObject({ ok: true });
  });
});

describe('on the FHIR API', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    // The platform alone: care modules' reactions (the care profile's, on every Patient write) read
    // the record in the background and would add their own entries to the access log at any moment.
    testApp = await createTestApp({}, { modules: [] });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('is served under the FHIR base, listed in the CapabilityStatement, and needs AuditEvent search scope', async () => {
    await testApp.fhir('PUT', 'Patient/pa', { resourceType: 'Patient', id: 'pa' });
    await testApp.fhir('GET', 'Patient/pa');
    const log = await testApp.fhir('GET', 'Patient/pa/$access-log');
    expect(log.status).toBe(200);
    // Newest first: this very look at the log (by a system client, so recorded), the read, the write.
    expect(log.body.entry.map((e: { resource: AuditEvent }) => e.resource.subtype?.[1]?.code)).toEqual([
      'audit-log-read',
      'read',
      'update',
    ]);
    const all = await testApp.fhir('GET', '$audit-log?_count=1');
    expect(all).toMatchObject({ status: 200, body: { resourceType: 'Bundle' } });
    const metadata = await testApp.fhir('GET', 'metadata');
    const patient = metadata.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.operation.map((o: { name: string }) => o.name)).toContain('access-log');
    expect(metadata.body.rest[0].operation.map((o: { name: string }) => o.name)).toContain('audit-log');
    const { systemToken } = await import('../auth/testing/tokens.ts');
    const narrow = await systemToken(testApp.platform, 'system/Patient.rs', 'careweave-tests');
    const refused = await testApp.fhir('GET', '$audit-log', undefined, { authorization: `Bearer ${narrow}` });
    expect(refused.status).toBe(403);
    // The stored AuditEvent type is untouched: an ordinary search.
    expect((await testApp.fhir('GET', 'AuditEvent')).body).toMatchObject({ resourceType: 'Bundle', total: 0 });
  });
});
