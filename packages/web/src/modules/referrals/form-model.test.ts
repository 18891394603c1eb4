import type { Questionnaire } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { attachmentProblem, fieldId, formProblems, initialAnswers, reasonOf, toResponse } from './form-model.ts';

const FORM: Questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  url: 'https://careweave.example/fhir/Questionnaire/referral-form-dermatology',
  version: '1.0.0',
  item: [
    { linkId: 'reason', text: 'Reason for referral', type: 'text', required: true },
    {
      linkId: 'duration',
      text: 'How long?',
      type: 'choice',
      required: true,
      answerOption: [{ valueCoding: { code: 'under-6-weeks' } }, { valueCoding: { code: 'over-a-year' } }],
    },
    { linkId: 'red-flag-melanoma', text: 'Red flag', type: 'boolean' },
    {
      linkId: 'photos',
      text: 'Photographs of the lesion',
      type: 'attachment',
      required: true,
      repeats: true,
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/mimeType', valueCode: 'image/jpeg' },
        { url: 'http://hl7.org/fhir/StructureDefinition/mimeType', valueCode: 'image/png' },
        { url: 'http://hl7.org/fhir/StructureDefinition/maxSize', valueDecimal: 5_000_000 },
      ],
    },
    { linkId: 'problems', text: 'Active problems', type: 'text', repeats: true },
  ],
};

describe('the referral form', () => {
  it('takes the pre-filled answers, a repeating item one a line', () => {
    const answers = initialAnswers(FORM, {
      resourceType: 'QuestionnaireResponse',
      status: 'in-progress',
      item: [{ linkId: 'problems', answer: [{ valueString: 'Asthma' }, { valueString: 'Eczema' }] }],
    });
    expect(answers.values).toEqual({ problems: 'Asthma\nEczema' });
  });

  it('names each unanswered required question by the id of its control', () => {
    const problems = formProblems(FORM, { values: {}, files: {} }, 'routine');
    expect(Object.keys(problems)).toEqual(['q-reason', 'q-duration-under-6-weeks', 'q-photos']);
    expect(problems['q-reason']).toBe('Enter reason for referral');
    expect(problems['q-duration-under-6-weeks']).toBe('Answer “How long?”');
  });

  it.each([
    ['routine', true],
    ['urgent', true],
    ['two-week-wait', false],
  ] as const)('a red flag answered yes on a %s referral is a problem: %s (H-202)', (priority, problem) => {
    const answers = {
      values: { reason: 'A changing mole', duration: 'over-a-year', 'red-flag-melanoma': 'yes' },
      files: { photos: [{ contentType: 'image/png', data: 'AA==' }] },
    };
    expect(Boolean(formProblems(FORM, answers, priority)[fieldId(FORM.item![2]!)])).toBe(problem);
  });

  it('checks a photograph’s type and size', () => {
    const photos = FORM.item![3]!;
    expect(attachmentProblem(photos, { type: 'image/png', size: 1000 })).toBeUndefined();
    expect(attachmentProblem(photos, { type: 'application/pdf', size: 1000 })).toMatch(/JPEG or PNG/);
    expect(attachmentProblem(photos, { type: 'image/jpeg', size: 6_000_000 })).toMatch(/5 MB/);
  });

  it('builds the response the server validates: typed answers, empty ones left out', () => {
    const response = toResponse(FORM, 'p1', {
      values: { reason: ' A changing mole ', duration: 'over-a-year', 'red-flag-melanoma': 'no', problems: 'A\n\nB' },
      files: { photos: [{ contentType: 'image/png', data: 'AA==' }] },
    });
    expect(response.questionnaire).toBe(`${FORM.url!}|1.0.0`);
    expect(response.subject).toEqual({ reference: 'Patient/p1' });
    expect(response.item?.map((i) => [i.linkId, i.answer])).toEqual([
      ['reason', [{ valueString: 'A changing mole' }]],
      ['duration', [{ valueCoding: { code: 'over-a-year' } }]],
      ['red-flag-melanoma', [{ valueBoolean: false }]],
      ['photos', [{ valueAttachment: { contentType: 'image/png', data: 'AA==' } }]],
      ['problems', [{ valueString: 'A' }, { valueString: 'B' }]],
    ]);
    expect(reasonOf({ values: { criteria: ' NG12 ' }, files: {} })).toBe('NG12');
  });
});
