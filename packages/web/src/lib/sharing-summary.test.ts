import type { Parameters } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  carerSubject,
  categoryLabel,
  couldSeeGroups,
  groupRecipients,
  parseSharingSummary,
  reasonText,
  recipientTitle,
  relationshipText,
  visibleSummary,
  type SummaryCell,
} from './sharing-summary.ts';

const category = (code: string, visible: boolean, basis: string[] = [], onlyRoles: string[] = []) => ({
  name: 'category',
  part: [
    { name: 'code', valueCode: code },
    { name: 'visible', valueBoolean: visible },
    ...basis.map((b) => ({ name: 'basis', valueCode: b })),
    ...onlyRoles.map((r) => ({ name: 'onlyRole', valueCode: r })),
  ],
});

/** What `GET Patient/{id}/$sharing-summary` answers (docs/FHIR.md, *The patient's sharing summary*). */
const answer: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'patient', valueReference: { reference: 'Patient/p1' } },
    {
      name: 'recipient',
      part: [
        { name: 'reference', valueReference: { reference: 'Organization/gp', display: 'Ormskirk Medical Practice' } },
        { name: 'display', valueString: 'Ormskirk Medical Practice' },
        { name: 'kind', valueCode: 'organisation' },
        { name: 'organisationType', valueCode: 'gp-practice' },
        { name: 'relationship', part: [{ name: 'kind', valueCode: 'registered' }] },
        { name: 'seesSharingChoices', valueBoolean: true },
        category('problems', true, ['own-record']),
        category('results', true, ['agreement']),
        category('sexual-health', false),
      ],
    },
    {
      name: 'recipient',
      part: [
        { name: 'reference', valueReference: { reference: 'Organization/acute' } },
        { name: 'display', valueString: 'Southport Hospital' },
        { name: 'kind', valueCode: 'organisation' },
        category('problems', false, ['agreement-no-relationship']),
        category('results', false, ['own-record-no-relationship']),
        category('sexual-health', false),
      ],
    },
    {
      name: 'recipient',
      part: [
        { name: 'reference', valueReference: { reference: 'Organization/home' } },
        { name: 'display', valueString: 'Sunny Care Home' },
        { name: 'kind', valueCode: 'organisation' },
        { name: 'role', valueCode: 'R8001' },
        category('problems', false, ['withheld-by-you']),
        category('results', false),
        category('sexual-health', false),
      ],
    },
    {
      name: 'emergencyAccess',
      part: [
        { name: 'practitioner', valueReference: { reference: 'Practitioner/x', display: 'Nurse Jones' } },
        { name: 'organisation', valueReference: { reference: 'Organization/c', display: 'Community' } },
        { name: 'until', valueDateTime: '2026-11-25T14:00:00Z' },
      ],
    },
  ],
};

describe('the sharing summary, read and worded for people', () => {
  const summary = parseSharingSummary(answer);

  it('reads every recipient, its cells and emergency access', () => {
    expect(summary.recipients.map((r) => r.name)).toEqual([
      'Ormskirk Medical Practice',
      'Southport Hospital',
      'Sunny Care Home',
    ]);
    const gp = summary.recipients[0]!;
    expect(gp).toMatchObject({
      kind: 'organisation',
      organisationType: 'gp-practice',
      relationships: [{ kind: 'registered' }],
      seesSharingChoices: true,
    });
    expect(gp.cells[1]).toEqual({ category: 'results', visible: true, basis: ['agreement'], onlyRoles: [] });
    expect(summary.emergency).toEqual([
      { practitioner: 'Nurse Jones', organisation: 'Community', until: '2026-11-25T14:00:00Z' },
    ]);
  });

  it('groups who sees something now, who could if they cared for the patient, and who sees nothing', () => {
    const { now, couldSee, nothing } = groupRecipients(summary.recipients);
    expect(now.map((r) => r.name)).toEqual(['Ormskirk Medical Practice']);
    expect(couldSee.map((r) => r.name)).toEqual(['Southport Hospital']);
    expect(nothing.map((r) => r.name)).toEqual(['Sunny Care Home']);
    expect(couldSeeGroups([...couldSee, { ...couldSee[0]!, name: 'Another Hospital' }])).toEqual([
      { names: ['Southport Hospital', 'Another Hospital'], what: 'Health problems and test results' },
    ]);
    expect(visibleSummary(now[0]!)).toBe('Can see 2 of 3 kinds of information');
    expect(visibleSummary(nothing[0]!)).toBe('Cannot see anything now');
    expect(recipientTitle(nothing[0]!)).toBe('Sunny Care Home: nurses only');
  });

  const cell = (visible: boolean, basis: string[], onlyRoles: string[] = []): SummaryCell => ({
    category: 'problems',
    visible,
    basis,
    onlyRoles,
  });

  it.each([
    [cell(true, ['own-record']), 'It is their own record of your care.'],
    [
      cell(true, ['agreement']),
      'They care for you, and the organisation that holds it has agreed to share it with them.',
    ],
    [cell(true, ['permission']), 'You allowed them to see it.'],
    [cell(true, ['permission', 'own-record']), 'It is their own record of your care. You allowed them to see it.'],
    [
      cell(true, ['agreement'], ['R8003']),
      'They care for you, and the organisation that holds it has agreed to share it with them. Only their health and social care professionals can see it.',
    ],
    [cell(false, ['agreement-no-relationship']), 'Not now. They could see it if they start caring for you.'],
    [cell(false, ['withheld-by-you']), 'You stopped them seeing it.'],
    [cell(false, []), 'It is not shared with them.'],
  ])('words %j as "%s"', (c, text) => {
    expect(reasonText(c)).toBe(text);
  });

  it('speaks of the person cared for to a carer', () => {
    const jane = carerSubject('Jane Smith');
    expect(reasonText(cell(true, ['own-record']), jane)).toBe('It is their own record of Jane Smith’s care.');
    expect(reasonText(cell(true, ['permission']), jane)).toBe('Jane Smith allowed them to see it.');
    expect(reasonText(cell(false, ['withheld-by-you']), jane)).toBe('Jane Smith stopped them seeing it.');
    expect(relationshipText({ kind: 'registered' }, jane)).toBe('Jane Smith is registered with them');
    expect(relationshipText({ kind: 'registered' })).toBe('You are registered with them');
    expect(relationshipText({ kind: 'care-team' }, jane)).toBe('They are in Jane Smith’s care team');
  });

  it('names every category, including ones the consent wording does not know yet', () => {
    expect(categoryLabel('results')).toBe('Test results');
    expect(categoryLabel('appointments')).toBe('Appointments');
    expect(categoryLabel('something-new')).toBe('something-new');
  });
});
