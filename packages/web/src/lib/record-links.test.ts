import type { Condition, Encounter, MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { entryPath, issueHistory, linkedEntries, referencesOf } from './record-links.ts';

const patient = { reference: 'Patient/p1' };
const visit: Encounter = {
  resourceType: 'Encounter',
  id: 'e1',
  status: 'finished',
  class: { code: 'AMB' },
  subject: patient,
  period: { start: '2026-03-01T09:00:00Z' },
  reasonReference: [{ reference: 'Condition/c1' }],
};
const otherVisit: Encounter = { ...visit, id: 'e2', reasonReference: undefined, period: { start: '2026-04-01' } };
const diabetes: Condition = {
  resourceType: 'Condition',
  id: 'c1',
  subject: patient,
  encounter: { reference: 'Encounter/e1' },
  code: { text: 'Type 2 diabetes' },
};
const hba1c: Observation = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  subject: patient,
  encounter: { reference: 'https://example.org/fhir/Encounter/e1/_history/2' },
  code: { text: 'HbA1c' },
  effectiveDateTime: '2026-03-01T09:10:00Z',
};
const unrelated: Observation = { ...hba1c, id: 'o2', encounter: { reference: 'Encounter/e2' } };
const metformin = (id: string, authoredOn: string, extra: Partial<MedicationRequest> = {}): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  id,
  status: 'active',
  intent: 'order',
  subject: patient,
  authoredOn,
  medicationCodeableConcept: { coding: [{ system: 'https://dmd.nhs.uk', code: '123' }], text: 'Metformin 500mg' },
  ...extra,
});
const repeat = metformin('m1', '2025-01-01', { reasonReference: [{ reference: 'Condition/c1' }] });
const issue = metformin('m2', '2026-02-01', { basedOn: [{ reference: 'MedicationRequest/m1' }] });
const olderCourse = metformin('m3', '2024-06-01', { status: 'completed' });
const ramipril: MedicationRequest = {
  ...metformin('m4', '2026-01-01'),
  medicationCodeableConcept: { coding: [{ system: 'https://dmd.nhs.uk', code: '999' }] },
};
const record: Resource[] = [visit, otherVisit, diabetes, hba1c, unrelated, repeat, issue, olderCourse, ramipril];

const titles = (groups: ReturnType<typeof linkedEntries>): Record<string, string[]> =>
  Object.fromEntries(groups.map((g) => [g.title, g.entries.map((e) => `${e.resourceType}/${e.id}`)]));

describe('the links between a record’s entries', () => {
  it('finds every reference a resource makes, relative, absolute or versioned, but not inside contained resources', () => {
    const withContained = { ...hba1c, contained: [{ ...diabetes, id: 'x', encounter: { reference: 'Encounter/e9' } }] };
    expect(referencesOf(withContained as Resource)).toEqual([
      'Patient/p1',
      'https://example.org/fhir/Encounter/e1/_history/2',
    ]);
  });

  it('shows what was recorded in a visit, by kind, and nothing from another visit', () => {
    expect(titles(linkedEntries(record, visit))).toEqual({
      'Problems recorded in this visit': ['Condition/c1'],
      'Tests and measurements': ['Observation/o1'],
    });
  });

  it('gives a problem its visits and its medicines, and an entry its visit', () => {
    expect(titles(linkedEntries(record, diabetes))).toEqual({
      'Visits for this problem': ['Encounter/e1'],
      'Medicines for this problem': ['MedicationRequest/m1'],
      'Recorded in the visit': ['Encounter/e1'],
    });
    expect(titles(linkedEntries(record, hba1c))).toEqual({ 'Recorded in the visit': ['Encounter/e1'] });
  });

  it('gives a medicine its issue history: issues from the repeat and other courses of the same medicine, newest first', () => {
    expect(issueHistory(record, repeat).map((m) => m.id)).toEqual(['m2', 'm3']);
    expect(issueHistory(record, ramipril)).toEqual([]);
  });

  it('leaves out empty groups and links to each entry’s own page', () => {
    expect(linkedEntries(record, otherVisit).map((g) => g.title)).toEqual(['Tests and measurements']);
    expect(entryPath('p 1', hba1c)).toBe('/patients/p%201/entries/Observation/o1');
  });

  it('opens the core personal profile on its own page, and other documents as entries', () => {
    const profile: Resource = {
      resourceType: 'Composition',
      id: 'cp1',
      status: 'final',
      type: {
        coding: [{ system: 'https://careweave.example/fhir/CodeSystem/care-profile', code: 'core-personal-profile' }],
      },
      date: '2026-03-01',
      author: [],
      title: 'Core personal profile',
    };
    expect(entryPath('p1', profile)).toBe('/patients/p1/care-profile');
    const letter: Resource = {
      ...profile,
      id: 'l1',
      type: { coding: [{ system: 'http://loinc.org', code: '11488-4' }] },
    };
    expect(entryPath('p1', letter)).toBe('/patients/p1/entries/Composition/l1');
  });
});

describe('a medicine named by reference', () => {
  it('has the history of requests naming the same Medication, and none of requests naming another', () => {
    const byRef = (id: string, medication: string): MedicationRequest => ({
      resourceType: 'MedicationRequest',
      id,
      status: 'active',
      intent: 'order',
      subject: patient,
      medicationReference: { reference: medication },
    });
    const first = byRef('r1', 'Medication/amox');
    const again = byRef('r2', 'Medication/amox');
    const other = byRef('r3', 'Medication/ibuprofen');
    expect(issueHistory([first, again, other], first).map((m) => m.id)).toEqual(['r2']);
  });
});
