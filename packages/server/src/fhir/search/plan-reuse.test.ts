import { describe, expect, it } from 'vitest';
import type { SearchFilter, SearchRequest } from './model.ts';
import { planIsReusable } from './plan-reuse.ts';

const request = (...filters: SearchFilter[]): SearchRequest => ({
  resourceType: 'Observation',
  filters,
  sort: [],
  count: 20,
  include: [],
  revinclude: [],
  ignored: [],
});

describe('planIsReusable', () => {
  it('reuses plans of searches pinned to a patient, an id or an identifier', () => {
    expect(planIsReusable(request({ name: 'patient', values: ['pat-1'] }, { name: 'code', values: ['x|y'] }))).toBe(
      true,
    );
    expect(planIsReusable(request({ name: '_id', values: ['a', 'b'] }))).toBe(true);
    expect(
      planIsReusable(request({ name: 'identifier', values: ['https://fhir.nhs.uk/Id/nhs-number|9000000009'] })),
    ).toBe(true);
  });

  it('plans population searches, modifiers and chains for their values each time', () => {
    expect(planIsReusable(request())).toBe(false);
    expect(planIsReusable(request({ name: 'code', values: ['http://loinc.org|8867-4'] }))).toBe(false);
    expect(planIsReusable(request({ name: 'patient', modifier: 'missing', values: ['true'] }))).toBe(false);
    expect(
      planIsReusable(request({ name: 'subject', values: [], chain: { filter: { name: 'name', values: ['Smith'] } } })),
    ).toBe(false);
  });
});
