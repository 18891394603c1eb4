import type { Consent } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { SqlParams } from '../fhir/search/sql-params.ts';
import type { Actor } from './actor.ts';
import { dataOptOutOf, isNationalDataOptOut, NDOO_POLICY_URI, NDOO_PURPOSES } from './data-opt-out.ts';
import { consentRulesOf } from './derived.ts';
import { isSecondaryUse, secondaryUseCondition, systemPurpose } from './secondary-use.ts';

const BASE = 'http://careweave.test/fhir/R4';
const SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';

const optOut = (change: Partial<Consent> = {}): Consent => ({
  resourceType: 'Consent',
  id: 'c1',
  status: 'active',
  scope: { coding: [{ system: SCOPE, code: 'research' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: 'Patient/p1' },
  policy: [{ uri: NDOO_POLICY_URI }],
  provision: { type: 'deny', purpose: NDOO_PURPOSES.map((p) => ({ ...p })) },
  ...change,
});

describe('the National Data Opt-out as a Consent', () => {
  it('is an opt-out in force when active, scoped research, naming the national policy, a deny', () => {
    expect(dataOptOutOf(optOut(), BASE)).toEqual({ consentId: 'c1', patientId: 'p1', validFrom: null, validTo: null });
    expect(dataOptOutOf(optOut({ patient: { reference: `${BASE}/Patient/p1` } }), BASE)?.patientId).toBe('p1');
    const dated = optOut({ provision: { type: 'deny', period: { start: '2025-01-01', end: '2025-12-31' } } });
    expect(dataOptOutOf(dated, BASE)).toMatchObject({
      validFrom: '2025-01-01T00:00:00.000Z',
      validTo: '2025-12-31T23:59:59.999Z',
    });
  });

  it.each<[string, Partial<Consent>]>([
    ['withdrawn', { status: 'inactive' }],
    ['a draft', { status: 'draft' }],
    ['another policy', { policy: [{ uri: 'https://example.org/other' }] }],
    ['a permit (the patient opting back in)', { provision: { type: 'permit' } }],
    ['scoped treatment', { scope: { coding: [{ system: SCOPE, code: 'treatment' }] } }],
    ['about no patient', { patient: { reference: 'Group/g1' } }],
  ])('is not in force when %s', (_name, change) => {
    expect(dataOptOutOf(optOut(change), BASE)).toBeUndefined();
  });

  it('is recognised by its policy, and is never an active privacy rule', () => {
    expect(isNationalDataOptOut(optOut())).toBe(true);
    expect(isNationalDataOptOut(optOut({ policy: undefined }))).toBe(false);
    // derived.ts reads patient-privacy Consents only: the opt-out's rules are all inactive.
    expect(consentRulesOf(optOut(), BASE).every((rule) => !rule.active)).toBe(true);
  });
});

describe('secondary use', () => {
  it.each<[Actor, boolean]>([
    [{ kind: 'system', clientId: 'c', scopes: [], purpose: 'research' }, true],
    [{ kind: 'system', clientId: 'c', scopes: [], purpose: 'planning' }, true],
    [{ kind: 'system', clientId: 'c', scopes: [], purpose: 'direct-care' }, false],
    [{ kind: 'system', clientId: 'c', scopes: [] }, false],
    [{ kind: 'patient', userId: 'u', patientId: 'p1', scopes: [] }, false],
  ])('%o is secondary use: %s', (actor, expected) => {
    expect(isSecondaryUse(actor)).toBe(expected);
  });

  it('knows the registered purposes only', () => {
    expect(systemPurpose('research')).toBe('research');
    expect(systemPurpose('Research')).toBeUndefined();
    expect(systemPurpose(['research'])).toBeUndefined();
  });

  it('hides the rows of a patient with an opt-out in force, by the row or by the known patient', () => {
    const params = new SqlParams();
    expect(secondaryUseCondition('r', params)).toMatch(
      /^\(r\.patient_id is null or not exists \(.*o\.patient_id = r\.patient_id/s,
    );
    expect(secondaryUseCondition('r', params, { patient: '$1' })).toMatch(/o\.patient_id = \$1/);
    expect(params.values).toEqual([]);
  });
});
