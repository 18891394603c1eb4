import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../access/actor.ts';
import { PATIENT_EVERYTHING } from '../fhir/operations/everything.operation.ts';
import { declareOperationScopes } from '../fhir/operations/registry.ts';
import { OperationOutcomeError } from '../fhir/outcome.ts';
import {
  grantableScopes,
  parseScope,
  permittedScopes,
  requireScope,
  requireScopes,
  scopeCoveredBy,
  scopeRequirements,
  scopesAllow,
} from './scopes.ts';

const patient = (scopes: string[]): Actor => ({ kind: 'patient', userId: 'u', patientId: 'p', scopes });
const system = (scopes: string[]): Actor => ({ kind: 'system', clientId: 'c', scopes });

describe('SMART scopes', () => {
  it('parses v2 and v1 forms and refuses the rest', () => {
    expect(parseScope('patient/*.rs')).toMatchObject({ context: 'patient', resourceType: '*' });
    expect([...parseScope('user/Observation.cruds')!.permissions]).toEqual(['c', 'r', 'u', 'd', 's']);
    expect([...parseScope('system/Patient.read')!.permissions]).toEqual(['r', 's']);
    expect([...parseScope('user/*.write')!.permissions]).toEqual(['c', 'u', 'd']);
    expect([...parseScope('patient/*.*')!.permissions]).toEqual(['c', 'r', 'u', 'd', 's']);
    for (const bad of [
      'patient/*.',
      'patient/*.rc',
      'patient/Observation.rs?category=laboratory',
      'openid',
      'x/*.rs',
      'user/observation.rs',
    ]) {
      expect(parseScope(bad), bad).toBeUndefined();
    }
  });

  it('counts only the contexts that fit the actor', () => {
    expect(scopesAllow(['patient/*.rs'], 'patient', 'Observation', 'r')).toBe(true);
    expect(scopesAllow(['patient/*.rs'], 'staff', 'Observation', 'r')).toBe(false);
    expect(scopesAllow(['user/*.rs'], 'staff', 'Observation', 's')).toBe(true);
    expect(scopesAllow(['user/*.cruds'], 'system', 'Observation', 'r')).toBe(false);
    expect(scopesAllow(['system/Observation.rs'], 'system', 'Observation', 'r')).toBe(true);
    expect(scopesAllow(['system/Observation.rs'], 'system', 'Patient', 'r')).toBe(false);
    expect(scopesAllow(['system/Observation.rs'], 'system', '*', 'r')).toBe(false);
  });

  it('refuses with a 403 forbidden OperationOutcome', () => {
    expect(() => requireScope(patient(['patient/*.rs']), 'Observation', 'c')).toThrow(OperationOutcomeError);
    try {
      requireScope(system(['system/Observation.rs']), 'Patient', 'r');
    } catch (error) {
      expect((error as OperationOutcomeError).status).toBe(403);
      expect((error as OperationOutcomeError).outcome.issue[0]!.code).toBe('forbidden');
    }
  });

  it.each([
    [['system/*.cruds'], ['system/*.rs'], ['system/*.rs']],
    [
      ['system/*.cruds'],
      ['system/Patient.rs', 'system/Observation.cruds'],
      ['system/Patient.rs', 'system/Observation.cruds'],
    ],
    [['system/Observation.cruds'], ['system/*.rs'], ['system/Observation.rs']],
    [['system/*.read'], ['system/*.cruds'], ['system/*.read']],
    [['system/*.write'], ['system/*.rs'], []],
    [['system/*.cruds'], ['user/*.cruds'], []],
    [['system/Patient.rs', 'system/Patient.r'], ['system/*.rs'], ['system/Patient.rs', 'system/Patient.r']],
  ])('grants the permitted part of %j when registered for %j (SMART v2)', (requested, allowed, expected) => {
    expect(permittedScopes(requested, allowed)).toEqual(expected);
  });

  it('covers and narrows scopes for clients and people', () => {
    expect(scopeCoveredBy('system/Observation.r', ['system/Observation.rs'])).toBe(true);
    expect(scopeCoveredBy('system/*.rs', ['system/Observation.rs'])).toBe(false);
    expect(scopeCoveredBy('system/Observation.cruds', ['system/Observation.rs'])).toBe(false);
    expect(scopeCoveredBy('user/Patient.read', ['user/*.cruds'])).toBe(true);
    expect(grantableScopes('staff', ['patient/*.rs', 'user/*.cruds', 'system/*.rs'])).toEqual(['user/*.cruds']);
    expect(grantableScopes('patient', ['patient/*.rs', 'user/*.rs', 'system/*.rs'])).toEqual([
      'patient/*.rs',
      'user/*.rs',
    ]);
    expect(grantableScopes(undefined, ['patient/*.rs'])).toEqual([]);
  });
});

describe('what a FHIR request needs', () => {
  // Operations declare their scopes when they are registered (src/fhir/operations/registry.ts).
  beforeAll(() => declareOperationScopes([PATIENT_EVERYTHING]));
  const needs = (method: string, path: string, query: [string, string][] = [], body?: unknown) =>
    scopeRequirements(method, path, query, body).map((r) => `${r.resourceType}.${r.interaction}`);

  it('maps every interaction', () => {
    expect(needs('GET', 'metadata')).toEqual([]);
    expect(needs('GET', 'Observation/1')).toEqual(['Observation.r']);
    expect(needs('GET', 'Observation/1/_history')).toEqual(['Observation.r']);
    expect(needs('GET', 'Observation/1/_history/2')).toEqual(['Observation.r']);
    expect(needs('GET', 'Observation')).toEqual(['Observation.s']);
    expect(needs('POST', 'Observation/_search')).toEqual(['Observation.s']);
    expect(needs('GET', 'Observation/_history')).toEqual(['Observation.s']);
    expect(needs('GET', '_history')).toEqual(['*.r', '*.s']);
    expect(needs('POST', 'Observation')).toEqual(['Observation.c']);
    expect(needs('PUT', 'Observation/1')).toEqual(['Observation.u']);
    expect(needs('PATCH', 'Observation/1')).toEqual(['Observation.u']);
    expect(needs('DELETE', 'Observation/1')).toEqual(['Observation.d']);
    expect(needs('PUT', 'Observation', [['code', 'x']])).toEqual(['Observation.u', 'Observation.s']);
    expect(needs('DELETE', 'Observation', [['code', 'x']])).toEqual(['Observation.d', 'Observation.s']);
    expect(needs('GET', 'Patient/1/$everything')).toEqual(['Patient.r', '*.s']);
    expect(needs('GET', 'Patient/1/$everything', [['_type', 'Observation,Condition']])).toEqual([
      'Patient.r',
      'Observation.s',
      'Condition.s',
    ]);
    // Anything unrecognised needs everything.
    expect(needs('POST', 'Observation/1/$validate')).toHaveLength(5);
    expect(needs('GET', 'weird')).toHaveLength(5);
  });

  it('follows includes to the types they return', () => {
    expect(needs('GET', 'Observation', [['_include', 'Observation:subject:Patient']])).toEqual([
      'Observation.s',
      'Patient.r',
    ]);
    expect(needs('GET', 'Observation', [['_include', 'Observation:performer']])).toContain('Practitioner.r');
    expect(needs('GET', 'Patient', [['_revinclude', 'Observation:subject']])).toEqual(['Patient.s', 'Observation.s']);
    expect(needs('GET', 'Patient', [['_has:Observation:patient:code', '1234']])).toEqual([
      'Patient.s',
      'Observation.s',
    ]);
    expect(needs('GET', 'Patient', [['_include', '*']])).toEqual(['Patient.s', '*.r']);
  });

  it('checks every entry of a batch or transaction', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'POST', url: 'Observation' } },
        { request: { method: 'GET', url: 'Patient/1' } },
        { request: { method: 'DELETE', url: 'http://x/fhir/R4/Condition/2' } },
        { request: { method: 'GET', url: 'Encounter?patient=1' } },
      ],
    };
    expect(needs('POST', '', [], bundle)).toEqual(['Observation.c', 'Patient.r', 'Condition.d', 'Encounter.s']);
    expect(needs('POST', '', [], { resourceType: 'Bundle', entry: [{}] })).toHaveLength(5);
    expect(() => requireScopes(patient(['patient/*.rs']), scopeRequirements('POST', '', [], bundle))).toThrow(
      OperationOutcomeError,
    );
    expect(() => requireScopes(patient(['patient/*.cruds']), scopeRequirements('POST', '', [], bundle))).not.toThrow();
  });
});
