import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { extractIndex } from '../fhir/indexing/extract.ts';
import { categoryOf } from './categories.ts';
import { consentRulesOf, relationshipsOf } from './derived.ts';
import { organisationOfSource, patientOf } from './references.ts';

const BASE = 'http://careweave.test/fhir/R4';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

describe('categoryOf', () => {
  it('follows the type table, with laboratory observations as results', () => {
    expect(categoryOf({ resourceType: 'Patient' })).toBe('demographics');
    expect(categoryOf({ resourceType: 'Procedure' } as Resource)).toBe('encounters');
    expect(categoryOf({ resourceType: 'Immunization' } as Resource)).toBe('observations');
    expect(categoryOf({ resourceType: 'Claim' } as Resource)).toBe('other');
    expect(categoryOf({ resourceType: 'Consent' } as Resource)).toBe('other');
    const lab = {
      resourceType: 'Observation',
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
      ],
    } as Resource;
    expect(categoryOf(lab)).toBe('results');
  });

  it('lets security labels win, then the source organisation type', () => {
    const labelled = (system: string, code: string) =>
      ({ resourceType: 'Condition', meta: { security: [{ system, code }] } }) as Resource;
    expect(categoryOf(labelled(ACT, 'PSYTHPN'))).toBe('mental-health');
    expect(categoryOf(labelled(ACT, 'HIV'), 'mental-health')).toBe('sexual-health');
    expect(categoryOf(labelled(ACT, 'SDV'))).toBe('safeguarding');
    expect(categoryOf(labelled('https://careweave.example/fhir/CodeSystem/sensitivity', 'safeguarding'))).toBe(
      'safeguarding',
    );
    expect(categoryOf(labelled('http://other', 'HIV'))).toBe('problems');
    expect(categoryOf({ resourceType: 'Condition' } as Resource, 'mental-health')).toBe('mental-health');
    expect(categoryOf({ resourceType: 'Consent' } as Resource, 'social-care')).toBe('social-care');
  });
});

describe('patientOf', () => {
  it('agrees with the compartments the index computes', () => {
    const samples: Resource[] = [
      { resourceType: 'Patient', id: 'a' },
      {
        resourceType: 'Observation',
        id: 'o',
        status: 'final',
        code: {},
        subject: { reference: 'Patient/b' },
      },
      {
        resourceType: 'Observation',
        id: 'o',
        status: 'final',
        code: {},
        subject: { reference: `${BASE}/Patient/c` },
      },
      { resourceType: 'Organization', id: 'x' },
      {
        resourceType: 'CareTeam',
        id: 'ct',
        participant: [{ member: { reference: 'Patient/d' } }],
        subject: { reference: 'Patient/e' },
      },
      { resourceType: 'RelatedPerson', id: 'r', patient: { reference: 'Patient/f' } },
    ];
    for (const resource of samples) {
      expect(patientOf(resource, BASE)).toBe(extractIndex(resource, BASE).compartments[0] ?? null);
    }
  });

  it('reads organisations from meta.source', () => {
    expect(organisationOfSource('Organization/org-1')).toBe('org-1');
    expect(organisationOfSource('https://x.example/fhir/Organization/org-1')).toBe('org-1');
    expect(organisationOfSource('urn:uuid:1234')).toBeUndefined();
    expect(organisationOfSource('Practitioner/p')).toBeUndefined();
  });
});

describe('derived facts', () => {
  it('relationships only while the status establishes one', () => {
    const encounter = (status: string) =>
      ({
        resourceType: 'Encounter',
        id: 'e',
        status,
        subject: { reference: 'Patient/p' },
        serviceProvider: { reference: 'Organization/o' },
      }) as Resource;
    expect(relationshipsOf(encounter('in-progress'), BASE)).toMatchObject([{ kind: 'encounter', organizationId: 'o' }]);
    expect(relationshipsOf(encounter('finished'), BASE)).toEqual([]);
    const patient = {
      resourceType: 'Patient',
      id: 'p',
      generalPractitioner: [{ reference: 'Practitioner/x' }, { reference: 'Organization/gp' }],
      managingOrganization: { reference: 'Organization/gp' },
    } as Resource;
    expect(relationshipsOf(patient, BASE)).toMatchObject([
      { kind: 'registered', organizationId: 'gp', patientId: 'p' },
    ]);
    const team = {
      resourceType: 'CareTeam',
      id: 't',
      subject: { reference: 'Patient/p' },
      participant: [
        { member: { reference: 'Practitioner/pr' }, period: { start: '2025-01-01', end: '2025-06-30' } },
        { member: { reference: 'RelatedPerson/r' } },
      ],
    } as Resource;
    expect(relationshipsOf(team, BASE)).toEqual([
      expect.objectContaining({
        kind: 'care-team',
        practitionerId: 'pr',
        careTeamId: 't',
        validFrom: '2025-01-01T00:00:00.000Z',
        validTo: '2025-06-30T23:59:59.999Z',
      }),
    ]);
    expect(relationshipsOf({ ...team, status: 'proposed' } as Resource, BASE)).toEqual([]);
  });

  it('a consent rule per provision, nested ones inheriting nothing', () => {
    const rules = consentRulesOf(
      {
        resourceType: 'Consent',
        id: 'c',
        status: 'active',
        scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
        category: [],
        patient: { reference: 'Patient/p' },
        provision: {
          type: 'deny',
          period: { start: '2025-01-01' },
          provision: [
            {
              type: 'permit',
              actor: [{ role: {}, reference: { reference: `${BASE}/Organization/o` } }],
              code: [
                {
                  coding: [
                    { system: 'https://careweave.example/fhir/CodeSystem/data-category', code: 'mental-health' },
                  ],
                },
              ],
            },
            { type: 'permit', code: [{ coding: [{ system: 'http://snomed.info/sct', code: '1' }] }] },
          ],
        },
      },
      BASE,
    );
    expect(rules).toEqual([
      expect.objectContaining({
        ruleIndex: 0,
        effect: 'deny',
        actors: [],
        categories: [],
        validFrom: '2025-01-01T00:00:00.000Z',
        active: true,
      }),
      expect.objectContaining({
        ruleIndex: 1,
        effect: 'permit',
        actors: ['Organization/o'],
        categories: ['mental-health'],
        validFrom: null,
      }),
    ]);
  });
});
