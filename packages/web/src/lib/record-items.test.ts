import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { shownInRecord, statusWord } from './record-items.ts';

const repeat = {
  resourceType: 'MedicationRequest',
  id: 'r',
  status: 'active',
  intent: 'order',
  subject: {},
} as Resource;
const issue = { ...repeat, id: 'i1', basedOn: [{ reference: 'MedicationRequest/r' }] } as Resource;
const request = { ...repeat, id: 'q1', intent: 'proposal', status: 'cancelled' } as Resource;

describe('shownInRecord', () => {
  it('lists a repeat once, not once per issue or re-order request', () => {
    expect([repeat, issue, request].filter(shownInRecord)).toEqual([repeat]);
  });

  it('leaves out entries made in error', () => {
    expect(shownInRecord({ resourceType: 'Appointment', status: 'entered-in-error' } as Resource)).toBe(false);
  });
});

describe('statusWord', () => {
  it.each([
    [{ resourceType: 'Appointment', status: 'cancelled' }, 'Cancelled'],
    [{ resourceType: 'Appointment', status: 'noshow' }, 'Did not attend'],
    [{ resourceType: 'Appointment', status: 'booked' }, undefined],
    [{ resourceType: 'MedicationRequest', status: 'stopped' }, 'Stopped'],
    [{ resourceType: 'MedicationRequest', status: 'active' }, undefined],
    [{ resourceType: 'Condition', clinicalStatus: { coding: [{ code: 'resolved' }] } }, 'Resolved'],
  ])('%j → %s', (resource, word) => {
    expect(statusWord(resource as Resource)).toBe(word);
  });
});
