import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { parseCriteria } from './criteria.ts';
import { matchesCriteria } from './deleted.ts';

const observation: Observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '1001-1' }] },
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2026-03-01T10:00:00Z',
};

/** The last version of a deleted resource is matched in memory: it must read criteria as the SQL search does. */
describe('matching a deleted resource’s last version against criteria', () => {
  it.each([
    ['Observation?code=http://loinc.org|1001-1', true],
    ['Observation?code=1001-1', true],
    ['Observation?code=http://loinc.org|1001-2', false],
    ['Observation', true],
    ['Observation?patient=p1', true],
    ['Observation?patient=Patient/p1', true],
    ['Observation?subject:Patient=p1', true],
    ['Observation?subject=p2,p1', true],
    ['Observation?patient=p2', false],
    ['Observation?status=final,amended', true],
    ['Observation?status=cancelled', false],
    ['Observation?date=ge2026-01-01', true],
    ['Observation?date=lt2026-01-01', false],
    ['Observation?code=1001-1&patient=p2', false],
    // Not evaluable in memory: never notified on a guess.
    ['Observation?subject:Patient.name=smith', false],
  ])('%s → %s', (criteria, expected) => {
    expect(matchesCriteria(observation, parseCriteria(criteria).query)).toBe(expected);
  });
});
