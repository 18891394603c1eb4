import type { PlanDefinition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { KNEE_PATHWAY } from './seed.ts';
import { readTemplate } from './template.ts';

describe('readTemplate', () => {
  it('reads the knee pathway: three steps, the imaging service named, ranges in days', () => {
    const read = readTemplate(KNEE_PATHWAY);
    expect('template' in read && read.template.steps).toEqual([
      { id: 'first-appointment', title: 'First appointment' },
      {
        id: 'diagnostics',
        title: 'Knee X-ray or MRI',
        serviceId: 'hs-ref-msk-imaging',
        after: { stepId: 'first-appointment', minDays: 7, maxDays: 28 },
      },
      { id: 'follow-up', title: 'Follow-up appointment', after: { stepId: 'diagnostics', minDays: 14, maxDays: 42 } },
    ]);
  });

  const [first, second] = KNEE_PATHWAY.action!;
  it.each([
    ['no actions', { ...KNEE_PATHWAY, action: [] }, /no appointments/],
    [
      'a later step that follows nothing',
      { ...KNEE_PATHWAY, action: [first!, { ...second!, relatedAction: [] }] },
      /must say which/,
    ],
    [
      'a step after a later one',
      {
        ...KNEE_PATHWAY,
        action: [first!, { ...second!, relatedAction: [{ ...second!.relatedAction![0]!, actionId: 'follow-up' }] }],
      },
      /after-start/,
    ],
    [
      'a range upside down',
      {
        ...KNEE_PATHWAY,
        action: [
          first!,
          {
            ...second!,
            relatedAction: [
              {
                ...second!.relatedAction![0]!,
                offsetRange: { low: { value: 9, code: 'd' }, high: { value: 1, code: 'wk' } },
              },
            ],
          },
        ],
      },
      /range of days/,
    ],
  ] as [string, PlanDefinition, RegExp][])('refuses %s', (_name, plan, problem) => {
    const read = readTemplate(plan);
    expect('problems' in read && read.problems.join('; ')).toMatch(problem);
  });
});
