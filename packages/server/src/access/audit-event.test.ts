import { describe, expect, it } from 'vitest';
import { validateFhirResource } from '../fhir/validation/validate.ts';
import { ACTORS } from './testing/scenario.ts';
import { describeActor, type AuditEntry } from './audit.ts';
import { AUDIT_CHAIN_EXTENSION, toAuditEvent } from './audit-event.ts';

const FHIR_BASE = 'http://careweave.test/fhir/R4';

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return {
    seq: 42,
    recordedAt: '2026-12-01T10:15:30.123Z',
    actor: describeActor(ACTORS.gp),
    patientIds: ['p1'],
    resourceRefs: ['Observation/o1'],
    interaction: 'read',
    purpose: 'direct-care',
    decision: 'permit',
    breakGlassReason: null,
    query: null,
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    chain: 3,
    checkpoint: null,
    ...overrides,
  };
}

const CASES: Record<string, AuditEntry> = {
  'staff read': entry({ canonical: '[42,"x"]' }),
  'staff search with a query, in a PractitionerRole': entry({
    actor: describeActor(ACTORS.acute),
    interaction: 'search',
    resourceRefs: ['Observation/o1', 'Observation/o2'],
    query: 'Observation?patient=p1&code=http://loinc.org|8867-4',
  }),
  'break-glass read': entry({ decision: 'permit-break-glass', breakGlassReason: 'Unconscious in A&E, no history' }),
  'break-glass start': entry({
    interaction: 'break-glass',
    resourceRefs: ['Patient/p1'],
    decision: 'break-glass',
    breakGlassReason: 'Unconscious in A&E, no history',
  }),
  'patient $everything': entry({
    actor: describeActor(ACTORS.patient1),
    interaction: 'everything',
    purpose: 'patient-access',
  }),
  'carer update': entry({ actor: describeActor(ACTORS.carer), interaction: 'update', purpose: 'carer-access' }),
  'system delete': entry({ actor: describeActor(ACTORS.system), interaction: 'delete', purpose: 'integration' }),
  'agreement withdrawn': entry({
    interaction: 'agreement-withdraw',
    patientIds: [],
    resourceRefs: ['SharingAgreement/abc'],
    query: 'superseded',
  }),
  denial: entry({ decision: 'deny' }),
  checkpoint: entry({ seq: 300, checkpoint: { '0': [299, 'c'.repeat(64)], '5': [280, 'd'.repeat(64)] } }),
};

describe('audit rows as FHIR AuditEvents', () => {
  it.each(Object.entries(CASES))('%s is a valid R4 AuditEvent', (_name, row) => {
    const event = toAuditEvent(row, { fhirBase: FHIR_BASE, names: new Map([['Practitioner/pr-gp', 'Dr Ada Gp']]) });
    const errors = validateFhirResource(event).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    expect(errors).toEqual([]);
    expect(event.id).toBe(String(row.seq));
  });

  it('is checked by a validator that does notice a broken AuditEvent', () => {
    const event = toAuditEvent(CASES['staff read']!, { fhirBase: FHIR_BASE });
    const broken = { ...event, action: 'X', agent: [{ ...event.agent[0], requestor: undefined }] };
    expect(validateFhirResource(broken).filter((i) => i.severity === 'error').length).toBeGreaterThanOrEqual(2);
  });

  it('says who, in which role and organisation, why, what and where it sits in the chain', () => {
    const event = toAuditEvent(CASES['staff search with a query, in a PractitionerRole']!, { fhirBase: FHIR_BASE });
    expect(event).toMatchObject({
      type: { code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'search-type' }, { code: 'search' }],
      action: 'E',
      outcome: '0',
      recorded: '2026-12-01T10:15:30.123Z',
      agent: [
        {
          who: { reference: 'Practitioner/pr-acute' },
          altId: 'user-acute',
          requestor: true,
          role: [{ coding: [{ code: 'R8000' }] }],
          purposeOfUse: [{ coding: [{ code: 'TREAT' }] }],
          extension: [{ valueReference: { reference: 'PractitionerRole/role-acute' } }],
        },
        { who: { reference: 'Organization/org-acute' }, requestor: false },
      ],
      source: { observer: { identifier: { value: FHIR_BASE } } },
    });
    expect(event.entity?.map((e) => e.what?.reference ?? e.role?.code)).toEqual([
      'Patient/p1',
      'Observation/o1',
      'Observation/o2',
      '24',
    ]);
    const query = event.entity?.find((e) => e.query)?.query;
    expect(Buffer.from(query!, 'base64').toString()).toBe('Observation?patient=p1&code=http://loinc.org|8867-4');
    const chain = event.extension?.find((e) => e.url === AUDIT_CHAIN_EXTENSION)?.extension;
    expect(Object.fromEntries(chain!.map((e) => [e.url, e.valueString ?? e.valueInteger]))).toEqual({
      seq: '42',
      chain: 3,
      prevHash: 'a'.repeat(64),
      hash: 'b'.repeat(64),
    });
  });

  it('codes break-glass as BTG with the reason, and denials as outcome 4', () => {
    const glass = toAuditEvent(CASES['break-glass read']!, { fhirBase: FHIR_BASE });
    expect(glass.purposeOfEvent?.[0]).toEqual({
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'break the glass' },
      ],
      text: 'Unconscious in A&E, no history',
    });
    expect(glass.agent[0]!.purposeOfUse?.[0]?.coding?.[0]?.code).toBe('BTG');
    expect(toAuditEvent(CASES['break-glass start']!, { fhirBase: FHIR_BASE }).subtype?.[0]?.code).toBe('110127');
    expect(toAuditEvent(CASES.denial!, { fhirBase: FHIR_BASE }).outcome).toBe('4');
    const system = toAuditEvent(CASES['system delete']!, { fhirBase: FHIR_BASE });
    expect(system).toMatchObject({ action: 'D', agent: [{ who: { identifier: { value: 'integration' } } }] });
  });
});
