import type { Composition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { profileSections, sectionTitle } from './profile.ts';

const SYSTEM = 'https://careweave.example/fhir/CodeSystem/care-profile-section';

describe('profileSections', () => {
  it('gives each section its lines, or what it says when empty', () => {
    const profile: Composition = {
      resourceType: 'Composition',
      status: 'final',
      type: { text: 'Core personal profile' },
      date: '2026-12-06',
      author: [{ display: 'x' }],
      title: 'Core personal profile',
      section: [
        {
          title: 'Conditions',
          code: { coding: [{ system: SYSTEM, code: 'conditions' }] },
          entry: [{ reference: 'Condition/1', display: 'COPD' }],
        },
        {
          title: 'Allergies',
          code: { coding: [{ system: SYSTEM, code: 'allergies' }] },
          emptyReason: { text: 'None.' },
        },
      ],
    };
    expect(profileSections(profile)).toEqual([
      { key: 'conditions', title: 'Conditions', lines: ['COPD'], empty: 'Nothing recorded.' },
      { key: 'allergies', title: 'Allergies', lines: [], empty: 'None.' },
    ]);
  });

  it.each([
    ['medicines', 'Medicines'],
    [undefined, 'The whole profile'],
  ])('names the section %s as %s', (key, title) => {
    expect(sectionTitle(key)).toBe(title);
  });
});
