import type { PlanDefinition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { currentVersions, pathwayProblems, pathwayView } from './pathway.ts';
import { pathwayResource } from './seed.ts';

const base = pathwayResource(
  {
    id: 'p1',
    slug: 'msk-knee-pain',
    version: '2.0',
    approvalDate: '2026-09-01',
    specialty: 'msk',
    condition: 'Knee pain',
    title: 'Knee pain',
    actions: [
      {
        code: [
          {
            coding: [
              { system: 'https://careweave.example/fhir/CodeSystem/referral-pathway-section', code: 'red-flag' },
            ],
          },
        ],
        title: 'Unexplained mass',
        description: 'Suspected sarcoma: two-week wait',
      },
    ],
  },
  { resourceType: 'Organization', id: 'ccg', name: 'NHS West Lancashire CCG' },
);

describe('a pathway (H-201)', () => {
  it('shows its sections, approval and approvers', () => {
    const view = pathwayView(base);
    expect(view).toMatchObject({
      specialty: 'msk',
      condition: 'Knee pain',
      version: '2.0',
      approvalDate: '2026-09-01',
      endorsedBy: ['NHS West Lancashire CCG clinical policy group'],
    });
    expect(view.sections['red-flag']).toEqual([
      { title: 'Unexplained mass', text: 'Suspected sarcoma: two-week wait' },
    ]);
  });

  it.each([
    ['no approval date', { approvalDate: undefined }, 'approvalDate'],
    ['no endorser or reviewer', { endorser: undefined, reviewer: undefined }, 'endorser or reviewer'],
    ['no version', { version: undefined }, 'version'],
    [
      'a red flag without a description',
      { action: [{ ...base.action![0]!, description: ' ' }] },
      "Red flag 'Unexplained mass'",
    ],
  ])('refuses an active one with %s', (_case, change, message) => {
    const plan = { ...base, ...change } as PlanDefinition;
    expect(pathwayProblems(plan).join(' ')).toContain(message);
  });

  it('lets a draft be incomplete, and leaves other PlanDefinitions alone', () => {
    expect(pathwayProblems({ ...base, status: 'draft', approvalDate: undefined })).toEqual([]);
    expect(pathwayProblems({ resourceType: 'PlanDefinition', status: 'active' })).toEqual([]);
  });

  it('has one current version per url: the active one approved last', () => {
    const v1 = { ...base, id: 'v1', version: '1.0', approvalDate: '2025-03-01' };
    const v3 = { ...base, id: 'v3', version: '3.0', approvalDate: '2027-01-01', status: 'draft' as const };
    expect(currentVersions([v1, base, v3]).map((p) => p.id)).toEqual(['p1']);
  });
});
