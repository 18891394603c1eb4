import type { Encounter, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { staffContexts } from './staff-context.ts';

const patient: Patient = { resourceType: 'Patient', id: 'p1' };
function record(resources: Resource[]) {
  const byType = new Map<string, Resource[]>();
  for (const r of resources) {
    byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r]);
  }
  return { patient, referenced: new Map<string, Resource>(), byType, resources };
}

describe('staffContexts', () => {
  it('names each practitioner by the organisation and date of the newest entry that names them', () => {
    const old: Encounter = {
      resourceType: 'Encounter',
      id: 'e1',
      status: 'finished',
      class: { code: 'AMB' },
      period: { start: '2025-01-01T10:00:00Z' },
      serviceProvider: { reference: 'Organization/old-practice' },
      participant: [{ individual: { reference: 'Practitioner/dr-a' } }],
    };
    const recent: Observation = {
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      code: { text: 'BP' },
      effectiveDateTime: '2026-03-03T09:00:00Z',
      meta: { source: 'Organization/hospital' },
      performer: [{ reference: 'Practitioner/dr-a' }, { reference: 'Practitioner/nurse-b' }],
    };
    const contexts = staffContexts(record([recent, old]));
    expect(contexts.get('dr-a')).toEqual({ organisationId: 'hospital', lastSeen: '2026-03-03T09:00:00Z' });
    expect(contexts.get('nurse-b')).toEqual({ organisationId: 'hospital', lastSeen: '2026-03-03T09:00:00Z' });
  });
});

describe('the registered GP', () => {
  it('is marked even when no entry names them', () => {
    const contexts = staffContexts({
      ...record([]),
      patient: { ...patient, generalPractitioner: [{ reference: 'Practitioner/gp-1' }] },
    });
    expect(contexts.get('gp-1')).toEqual({ registeredGp: true });
  });
});
