import type { Composition, Condition, Flag, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { RESPECT_SYSTEM, SECTIONS } from './codes.ts';
import { buildProfile, forReader, sameContent, sectionOf, type ProfileInputs } from './profile.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const patient: Patient = { resourceType: 'Patient', id: 'p1' };
const condition = (id: string, text: string, subject = 'Patient/p1'): Condition => ({
  resourceType: 'Condition',
  id,
  subject: { reference: subject },
  code: { text },
});
const respect = (id: string, start: string, cpr: string): Flag => ({
  resourceType: 'Flag',
  id,
  status: 'active',
  subject: { reference: 'Patient/p1' },
  period: { start },
  code: { coding: [{ system: RESPECT_SYSTEM, code: cpr }], text: 'Ward-based care' },
});
const inputs = (overrides: Partial<ProfileInputs> = {}): ProfileInputs => ({
  patient,
  practice: 'Organization/gp',
  relatedPersons: [],
  careTeams: [],
  conditions: [],
  medicines: [],
  allergies: [],
  carePlans: [],
  whatMatters: [],
  endOfLife: [],
  communication: [],
  respect: [],
  ...overrides,
});

describe('buildProfile', () => {
  it('has every section in order, labelled as the practice’s record', () => {
    const profile = buildProfile(inputs(), NOW);
    expect(profile.section?.map((s) => s.title)).toEqual(SECTIONS.map((s) => s.title));
    expect(profile.meta?.source).toBe('Organization/gp');
    expect(profile.status).toBe('final');
    expect(buildProfile(inputs(), NOW, { ...profile, id: 'c1' })).toMatchObject({ id: 'c1', status: 'amended' });
  });

  it.each([
    ['<script>', '&lt;script&gt;'],
    ['A & B', 'A &amp; B'],
  ])('escapes %s in the narrative', (text, escaped) => {
    const profile = buildProfile(inputs({ conditions: [condition('c1', text)] }), NOW);
    expect(sectionOf(profile, 'conditions')?.text?.div).toContain(`<li>${escaped}</li>`);
  });

  it('never files another patient’s entry in this profile (H-162)', () => {
    const profile = buildProfile(
      inputs({ conditions: [condition('c1', 'COPD'), condition('c2', 'Not mine', 'Patient/p2')] }),
      NOW,
    );
    expect(sectionOf(profile, 'conditions')?.entry?.map((e) => e.reference)).toEqual(['Condition/c1']);
  });

  it('shows only the newest ReSPECT form (they are given newest first)', () => {
    const profile = buildProfile(
      inputs({
        respect: [respect('new', '2026-11-01', 'cpr-attempted'), respect('old', '2025-01-01', 'cpr-not-attempted')],
      }),
      NOW,
    );
    expect(sectionOf(profile, 'respect')?.entry).toEqual([
      { reference: 'Flag/new', display: 'ReSPECT form (1 Nov 2026): CPR to be attempted; Ward-based care' },
    ]);
  });

  it('says in its narrative that it may not be complete (H-164)', () => {
    expect(buildProfile(inputs(), NOW).text?.div).toContain('it may not be complete');
  });

  it('says to check when no ReSPECT form is recorded, never that there is none (H-161)', () => {
    const profile = buildProfile(inputs(), NOW);
    expect(sectionOf(profile, 'respect')?.text?.div).toContain('This does not mean there is none');
  });
});

describe('forReader', () => {
  const profile: Composition = buildProfile(
    inputs({ conditions: [condition('c1', 'COPD'), condition('c2', 'Heart failure')] }),
    NOW,
  );

  it('keeps only the entries the reader may see and rebuilds the narrative from them', () => {
    const theirs = forReader(profile, new Set(['Condition/c2']));
    expect(sectionOf(theirs, 'conditions')?.entry?.map((e) => e.reference)).toEqual(['Condition/c2']);
    expect(sectionOf(theirs, 'conditions')?.text?.div).not.toContain('COPD');
  });

  it('makes a section whose entries are all hidden read as an empty one', () => {
    const theirs = forReader(profile, new Set());
    expect(sectionOf(theirs, 'conditions')).toEqual(sectionOf(buildProfile(inputs(), NOW), 'conditions'));
  });
});

describe('sameContent', () => {
  it('ignores the date and the order of keys', () => {
    const a = buildProfile(inputs({ conditions: [condition('c1', 'COPD')] }), NOW);
    const b = JSON.parse(JSON.stringify(buildProfile(inputs({ conditions: [condition('c1', 'COPD')] }), new Date())));
    b.section[2] = Object.fromEntries(Object.entries(b.section[2]).reverse());
    expect(sameContent(a, b)).toBe(true);
    expect(sameContent(a, buildProfile(inputs(), NOW))).toBe(false);
  });
});
