import type { MedicationRequest } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { issuesLeft } from './Prescriptions.tsx';

const repeat = (allowed?: number): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  id: 'r1',
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  ...(allowed === undefined ? {} : { dispenseRequest: { numberOfRepeatsAllowed: allowed } }),
});
const issue = (basedOn: string[]): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  basedOn: basedOn.map((reference) => ({ reference })),
});

describe('issuesLeft', () => {
  it('counts every issue made from the repeat (through its request) against those allowed', () => {
    const orders = [
      issue(['MedicationRequest/req-1', 'MedicationRequest/r1']),
      issue(['MedicationRequest/req-2', 'MedicationRequest/r1']),
      issue(['MedicationRequest/req-3', 'MedicationRequest/other']),
    ];
    expect(issuesLeft(repeat(5), orders)).toBe(3);
  });

  it('says a review is due (0), never a negative number, and nothing when no limit was set', () => {
    expect(issuesLeft(repeat(1), [issue(['MedicationRequest/r1']), issue(['MedicationRequest/r1'])])).toBe(0);
    expect(issuesLeft(repeat(), [issue(['MedicationRequest/r1'])])).toBeUndefined();
  });
});
