/**
 * `Patient/$match`, the trace (H-220): staff learn that a person exists — identity only — by an exact
 * NHS number or surname and date of birth, so they can ask for emergency access; nothing of the record
 * comes back, patients and carers cannot trace, and each trace is in the person's access log.
 */
import type { Bundle, Patient } from '@medplum/fhirtypes';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationRegistry } from '../fhir/operations/registry.ts';
import { isOperationOutcomeError } from '../fhir/outcome.ts';
import { nhsNumberCheckDigit, NHS_NUMBER_SYSTEM } from '../fhir/validation/nhs-number.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import type { Actor } from './actor.ts';
import { registerPatientMatch } from './patient-match.ts';
import { ACTORS, loadScenario, type Scenario } from './testing/scenario.ts';

let database: TestDatabase;
let scenario: Scenario;
let app: FastifyInstance;
const STEM = '943476591';
const NHS_NUMBER = `${STEM}${nhsNumberCheckDigit(STEM)}`;

beforeAll(async () => {
  database = await createTestDatabase();
  scenario = await loadScenario(database.db);
  // A person whose record the acute trust's doctor has no relationship with (registered elsewhere).
  await scenario.resources.update('Patient', 'p-traced', {
    resourceType: 'Patient',
    id: 'p-traced',
    identifier: [
      { system: NHS_NUMBER_SYSTEM, value: NHS_NUMBER },
      { system: 'https://example.org/mrn', value: 'MRN-1' },
    ],
    name: [{ use: 'official', family: 'Tracewell', given: ['Edith'] }],
    gender: 'female',
    birthDate: '1938-04-02',
    address: [{ line: ['1 Secret Lane'], postalCode: 'L39 1AA' }],
    telecom: [{ system: 'phone', value: '07700900123' }],
    generalPractitioner: [{ reference: 'Organization/org-gp' }],
    managingOrganization: { reference: 'Organization/org-gp' },
  });
  const actors: Record<string, Actor> = ACTORS;
  app = Fastify();
  operationRegistry(app);
  app.addHook('onRequest', (request, _reply, done) => {
    const name = request.headers['x-test-actor'];
    request.actor = typeof name === 'string' ? actors[name] : undefined;
    done();
  });
  app.setErrorHandler((error, _request, reply) =>
    isOperationOutcomeError(error) ? reply.code(error.status).send(error.outcome) : reply.code(500).send(String(error)),
  );
  await app.register(
    (fhir, _options, done) => {
      registerPatientMatch(fhir, {
        system: scenario.resources,
        audit: scenario.access.audit,
        fhirBase: scenario.fhirBase,
      });
      done();
    },
    { prefix: '/fhir/R4' },
  );
  await app.ready();
}, 300_000);

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

async function match(actor: string | undefined, patient: Patient) {
  const response = await app.inject({
    method: 'POST',
    url: '/fhir/R4/Patient/$match',
    headers: { 'content-type': 'application/json', ...(actor ? { 'x-test-actor': actor } : {}) },
    payload: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }] },
  });
  return { status: response.statusCode, body: response.json<Bundle & { issue?: { diagnostics?: string }[] }>() };
}

const byNhsNumber: Patient = {
  resourceType: 'Patient',
  identifier: [{ system: NHS_NUMBER_SYSTEM, value: NHS_NUMBER }],
};
const byDemographics: Patient = { resourceType: 'Patient', name: [{ family: 'Tracewell' }], birthDate: '1938-04-02' };

describe('Patient/$match (a trace)', () => {
  it('tells staff with no relationship who the person is by NHS number — identity only', async () => {
    const found = await match('acute', byNhsNumber);
    expect(found.status).toBe(200);
    expect(found.body.entry).toHaveLength(1);
    const [entry] = found.body.entry!;
    expect(entry!.search).toMatchObject({ mode: 'match', score: 1 });
    expect(entry!.resource).toEqual({
      resourceType: 'Patient',
      id: 'p-traced',
      meta: { tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }] },
      identifier: [{ system: NHS_NUMBER_SYSTEM, value: NHS_NUMBER }],
      name: [{ family: 'Tracewell', given: ['Edith'] }],
      gender: 'female',
      birthDate: '1938-04-02',
    });
    expect(JSON.stringify(found.body)).not.toMatch(/Secret Lane|07700900123|org-gp|MRN-1/);
  });

  it('finds by exact surname and date of birth, and nothing by a near miss', async () => {
    expect((await match('nurse', byDemographics)).body.entry).toHaveLength(1);
    expect((await match('nurse', { ...byDemographics, birthDate: '1938-04-03' })).body.entry ?? []).toHaveLength(0);
    expect((await match('nurse', { ...byDemographics, name: [{ family: 'Tracewel' }] })).body.entry ?? []).toHaveLength(
      0,
    );
  });

  it.each([
    ['a surname alone', { resourceType: 'Patient', name: [{ family: 'Tracewell' }] }],
    ['a year of birth only', { resourceType: 'Patient', name: [{ family: 'Tracewell' }], birthDate: '1938' }],
    [
      'an NHS number with a wrong check digit',
      {
        resourceType: 'Patient',
        identifier: [{ system: NHS_NUMBER_SYSTEM, value: `${STEM}0` === NHS_NUMBER ? `${STEM}1` : `${STEM}0` }],
      },
    ],
  ])('refuses %s with a 400 OperationOutcome (a trace needs an exact match)', async (_name, patient) => {
    const refused = await match('acute', patient as Patient);
    expect(refused.status).toBe(400);
    expect((refused.body as unknown as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });

  it('is refused to patients, carers and anyone not signed in', async () => {
    expect((await match('patient2', byNhsNumber)).status).toBe(403);
    expect((await match('carer', byNhsNumber)).status).toBe(403);
    expect((await match(undefined, byNhsNumber)).status).toBe(401);
  });

  it("puts every trace in the traced person's access log, with who asked", async () => {
    await match('socialWorker', byNhsNumber);
    const rows = await database.db.query<{ actor: { userId?: string }; query: string }>(
      `select actor, query from audit_log where 'p-traced' = any(patient_ids) and query like 'Patient/$match%'`,
    );
    expect(rows.map((r) => r.actor.userId)).toContain(ACTORS.socialWorker.userId);
  });
});
