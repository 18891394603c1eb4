/**
 * Every FHIR operation the app serves, over HTTP, on PGlite and PostgreSQL: each has a published
 * OperationDefinition (GET OperationDefinition/{id}, valid R4) that the CapabilityStatement names at
 * the right level, refuses bad input with a 400 OperationOutcome naming the parameter, and refuses a
 * token without its scope with 403.
 */
import type { Bundle, CapabilityStatement, OperationDefinition } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { systemToken, TEST_CLIENT_ID } from '../../auth/testing/tokens.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { validateFhirResource } from '../validation/validate.ts';
import type { PublishedOperation } from './define.ts';
import { operationRegistry } from './registry.ts';

let t: TestApp;
let operations: PublishedOperation[];

/** In code point order, as the registry lists them. */
const EXPECTED = [
  'Appointment-book',
  'Appointment-cancel',
  'Appointment-cancel-referral-appointment',
  'Appointment-reschedule',
  'CarePlan-telehealth-summary',
  'Communication-reply-to-patient',
  'Group-export',
  'HealthcareService-find-services',
  'HealthcareService-request-advice',
  'MedicationRequest-approve',
  'MedicationRequest-order-repeat',
  'MedicationRequest-reject',
  'MedicationRequest-withdraw-repeat',
  'Patient-access-log',
  'Patient-care-profile',
  'Patient-everything',
  'Patient-export',
  'Patient-match',
  'Patient-message-practice',
  'Patient-nominate-pharmacy',
  'Patient-risk-score',
  'Patient-sharing-summary',
  'PlanDefinition-try-reply',
  'Questionnaire-populate',
  'Resource-validate',
  'ServiceRequest-book-pathway',
  'ServiceRequest-send-referral',
  'ServiceRequest-shortlist',
  'Task-advice-message',
  'Task-close-advice',
  'Task-triage',
  'Task-triage-referral',
  'audit-log',
  'export',
];

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  operations = operationRegistry(t.app).list();
});

afterAll(async () => {
  await t?.close();
});

/** The path of an operation relative to the FHIR base, at its first level and type. */
function pathOf(operation: PublishedOperation): string {
  const level = operation.levels[0];
  const type = operation.resourceTypes?.[0];
  return level === 'system'
    ? `$${operation.code}`
    : level === 'type'
      ? `${type}/$${operation.code}`
      : `${type}/x1/$${operation.code}`;
}

/** Calls an operation with one parameter (or none): in the query string for GET, as a Parameters body for POST. */
function call(operation: PublishedOperation, parameter?: { name: string; [value: string]: unknown }, token = t.token) {
  const headers = { authorization: `Bearer ${token}`, prefer: 'respond-async' };
  if (operation.methods.includes('GET')) {
    const value = Object.entries(parameter ?? {}).find(([key]) => key.startsWith('value'))?.[1];
    const query = parameter ? `?${new URLSearchParams([[parameter.name, String(value)]]).toString()}` : '';
    return t.fhir('GET', `${pathOf(operation)}${query}`, undefined, headers);
  }
  const body = { resourceType: 'Parameters', ...(parameter ? { parameter: [parameter] } : {}) };
  return t.fhir('POST', pathOf(operation), body, headers);
}

describe('the registry', () => {
  it('holds every operation of the app', () => {
    expect(operations.map((operation) => operation.id)).toEqual(EXPECTED);
  });
});

describe('OperationDefinition', () => {
  it('reads each one over HTTP, valid R4, from the registry', async () => {
    for (const operation of operations) {
      const response = await t.fhir('GET', `OperationDefinition/${operation.id}`);
      expect(response.status, operation.id).toBe(200);
      const definition = response.body as OperationDefinition;
      expect(definition).toMatchObject({
        resourceType: 'OperationDefinition',
        id: operation.id,
        url: `https://careweave.example/fhir/OperationDefinition/${operation.id}`,
        code: operation.code,
      });
      expect(validateFhirResource(definition).filter((i) => i.severity === 'error')).toEqual([]);
    }
    expect((await t.fhir('GET', 'OperationDefinition/nothing-here')).status).toBe(404);
  });

  it('lists and searches them', async () => {
    const all = (await t.fhir('GET', 'OperationDefinition')).body as Bundle;
    expect(all).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: EXPECTED.length });
    const exports = (await t.fhir('GET', 'OperationDefinition?code=export')).body as Bundle;
    expect(exports.entry?.map((e) => e.resource?.id)).toEqual(['Group-export', 'Patient-export', 'export']);
    const url = 'https://careweave.example/fhir/OperationDefinition/Patient-everything';
    const one = (await t.fhir('GET', `OperationDefinition?url=${encodeURIComponent(url)}`)).body as Bundle;
    expect(one.entry?.map((e) => e.resource?.id)).toEqual(['Patient-everything']);
    const posted = await t.fhir('POST', 'OperationDefinition/_search', 'name=Patient', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    // PatientEverything, PatientExport, PatientAccessLog, PatientSharingSummary, PatientCareProfile, PatientRiskScore,
    // PatientMatch, PatientMessagePractice, PatientNominatePharmacy
    expect(posted.body.total).toBe(9);
    const unknown = await t.fhir('GET', 'OperationDefinition?status=active');
    expect(unknown.body.entry.at(-1)).toMatchObject({ search: { mode: 'outcome' } });
    const strict = await t.fhir('GET', 'OperationDefinition?status=active', undefined, { prefer: 'handling=strict' });
    expect(strict.status).toBe(400);
  });

  it('refuses writes (they are not stored), and other types are stored as before', async () => {
    const definition = { ...operations[0]!.definition, id: 'mine' };
    for (const [method, path] of [
      ['POST', 'OperationDefinition'],
      ['PUT', 'OperationDefinition/mine'],
      ['DELETE', 'OperationDefinition/mine'],
    ] as const) {
      const response = await t.fhir(method, path, method === 'DELETE' ? undefined : definition);
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.body.resourceType).toBe('OperationOutcome');
    }
    const basic = await t.fhir('POST', 'Basic', { resourceType: 'Basic', code: { text: 'still stored' } });
    expect(basic.status).toBe(201);
    expect((await t.fhir('GET', `Basic/${basic.body.id}`)).status).toBe(200);
  });

  it('is readable with a patient’s token too', async () => {
    const response = await actorClient(t).as(ACTORS.patient1, 'GET', 'OperationDefinition/Patient-sharing-summary');
    expect(response.status).toBe(200);
  });
});

describe('the CapabilityStatement', () => {
  it('names each operation at its level with the canonical of its definition', async () => {
    const capability = (await t.fhir('GET', 'metadata')).body as CapabilityStatement;
    const rest = capability.rest![0]!;
    for (const operation of operations) {
      const expected = { name: operation.code, definition: operation.url };
      if (operation.levels.includes('system')) {
        expect(rest.operation, operation.id).toContainEqual(expect.objectContaining(expected));
      }
      for (const type of operation.levels.some((l) => l !== 'system') ? (operation.resourceTypes ?? []) : []) {
        const resource = rest.resource?.find((r) => r.type === type);
        expect(resource?.operation, operation.id).toContainEqual(expect.objectContaining(expected));
      }
    }
    const definitions = [...(rest.operation ?? []), ...(rest.resource ?? []).flatMap((r) => r.operation ?? [])].map(
      (o) => o.definition,
    );
    expect(new Set(definitions)).toEqual(new Set(operations.map((o) => o.url)));
    const registry = rest.resource?.find((r) => r.type === 'OperationDefinition');
    expect(registry?.interaction?.map((i) => i.code)).toEqual(['read', 'search-type']);
  });
});

describe('bad input', () => {
  it('an unknown parameter is a 400 naming it, for every operation', async () => {
    for (const operation of operations) {
      const response = await call(operation, { name: 'nonsense', valueString: 'x' });
      expect(response.status, operation.id).toBe(400);
      expect(response.body.resourceType).toBe('OperationOutcome');
      expect(response.body.issue[0].expression, operation.id).toEqual(['Parameters.parameter[nonsense]']);
    }
  });

  const byId = (id: string): PublishedOperation => operations.find((operation) => operation.id === id)!;
  it.each([
    ['Patient-everything', { name: '_since', valueString: 'yesterday' }, '_since'],
    ['export', { name: '_since', valueString: '2024-13-01' }, '_since'],
    ['Patient-access-log', { name: '_count', valueString: '-1' }, '_count'],
    ['audit-log', { name: '_count', valueString: 'many' }, '_count'],
    ['Appointment-book', { name: 'slot', valueReference: { reference: 'Patient/p1' } }, 'slot'],
    ['Appointment-book', { name: 'comment', valueString: 'no slot' }, 'slot'],
    ['Appointment-cancel', { name: 'reason', valueInteger: 3 }, 'reason'],
    ['MedicationRequest-order-repeat', { name: 'note', valueBoolean: true }, 'note'],
    ['MedicationRequest-approve', { name: 'note', valueCode: 'ok' }, 'note'],
    ['MedicationRequest-reject', { name: 'note', valueString: 'no reason' }, 'reason'],
  ])('%s: %j is a 400 naming %s', async (id, parameter, named) => {
    const response = await call(byId(id), parameter);
    expect(response.status).toBe(400);
    const expressions = response.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? []);
    expect(expressions).toContain(`Parameters.parameter[${named}]`);
  });

  it('a POST body that is not Parameters is a 400', async () => {
    const response = await t.fhir('POST', 'Appointment/$book', { resourceType: 'Patient' });
    expect(response.status).toBe(400);
    expect(response.body.issue[0].diagnostics).toMatch(/Parameters resource/);
  });

  it('a patient’s bad input is answered alike', async () => {
    const response = await actorClient(t).as(ACTORS.patient1, 'GET', 'Patient/p1/$sharing-summary?nonsense=1');
    expect(response.status).toBe(400);
    expect(response.body.issue[0].expression).toEqual(['Parameters.parameter[nonsense]']);
    expect((await actorClient(t).as(ACTORS.patient1, 'GET', 'Patient/p1/$sharing-summary')).status).toBe(200);
  });
});

describe('scopes', () => {
  it('a token without the operation’s scope is refused with 403, for every operation', async () => {
    const narrow = await systemToken(t.platform, 'system/Basic.r', TEST_CLIENT_ID);
    for (const operation of operations) {
      // No parameters: the operations whose scopes their service checks ($export) get that far.
      const response = await call(operation, undefined, narrow);
      expect(response.status, operation.id).toBe(403);
      expect(response.body.issue[0].code).toBe('forbidden');
    }
  });
});
