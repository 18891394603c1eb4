import type { QuestionnaireResponse, QuestionnaireResponseItem } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { prefilled } from './prefill.ts';
import { formFor, REFERRAL_FORMS, SPECIALTIES } from './questionnaires.ts';
import { redFlagsRaised, validateResponse } from './validate.ts';

const response = (item: QuestionnaireResponseItem[]): QuestionnaireResponse => ({
  resourceType: 'QuestionnaireResponse',
  status: 'completed',
  item,
});
const PHOTO = { contentType: 'image/jpeg', data: 'aGVsbG8=' };
const DERM: QuestionnaireResponseItem[] = [
  { linkId: 'reason', answer: [{ valueString: 'Changing mole on the back' }] },
  { linkId: 'lesion', answer: [{ valueString: '8 mm irregular pigmented lesion, left scapula' }] },
  { linkId: 'duration', answer: [{ valueCoding: { code: '3-to-12-months' } }] },
  { linkId: 'photos', answer: [{ valueAttachment: PHOTO }] },
];

describe('the referral forms', () => {
  it('publish one Questionnaire per specialty, with the two-week-wait form', () => {
    expect(SPECIALTIES).toEqual(['msk', 'dermatology', 'cardiology', 'gynaecology', 'suspected-cancer']);
    for (const form of REFERRAL_FORMS) {
      expect(form.url).toBe(`https://careweave.example/fhir/Questionnaire/${form.id!}`);
      expect(form.status).toBe('active');
    }
  });
});

describe('validating answers (H-203)', () => {
  const derm = formFor('dermatology')!;

  it('accepts a complete dermatology form with a photograph', () => {
    expect(validateResponse(derm, response(DERM))).toEqual([]);
  });

  it.each([
    ['without the photograph', DERM.filter((i) => i.linkId !== 'photos'), 'photos', 'is required'],
    [
      'with a PDF instead of a photograph',
      [
        ...DERM.slice(0, 3),
        { linkId: 'photos', answer: [{ valueAttachment: { contentType: 'application/pdf', data: 'eA==' } }] },
      ],
      'photos',
      'must be image/jpeg or image/png',
    ],
    [
      'with a photograph over 5 MB',
      [...DERM.slice(0, 3), { linkId: 'photos', answer: [{ valueAttachment: { ...PHOTO, size: 6_000_000 } }] }],
      'photos',
      'larger than',
    ],
    [
      'with an empty reason',
      [{ linkId: 'reason', answer: [{ valueString: '  ' }] }, ...DERM.slice(1)],
      'reason',
      'is required',
    ],
    [
      'with a question the form does not ask',
      [...DERM, { linkId: 'shoe-size', answer: [{ valueString: '9' }] }],
      'shoe-size',
      'not a question',
    ],
    [
      'with a choice not offered',
      [...DERM.slice(0, 2), { linkId: 'duration', answer: [{ valueCoding: { code: 'ages' } }] }, DERM[3]!],
      'duration',
      'must be one of',
    ],
    [
      'with text where yes or no is asked',
      [...DERM, { linkId: 'red-flag-melanoma', answer: [{ valueString: 'yes' }] }],
      'red-flag-melanoma',
      'needs a boolean answer',
    ],
    [
      'with two answers to a single question',
      [{ linkId: 'reason', answer: [{ valueString: 'a' }, { valueString: 'b' }] }, ...DERM.slice(1)],
      'reason',
      'takes one answer',
    ],
  ] as [string, QuestionnaireResponseItem[], string, string][])('refuses one %s', (_case, items, linkId, message) => {
    const problems = validateResponse(derm, response(items));
    expect(problems).toContainEqual({ linkId, message: expect.stringContaining(message) as string });
  });
});

describe('red flags (H-202)', () => {
  it('are the red-flag items answered yes', () => {
    expect(
      redFlagsRaised(response([...DERM, { linkId: 'red-flag-melanoma', answer: [{ valueBoolean: true }] }])),
    ).toEqual(['red-flag-melanoma']);
    expect(
      redFlagsRaised(response([...DERM, { linkId: 'red-flag-melanoma', answer: [{ valueBoolean: false }] }])),
    ).toEqual([]);
  });
});

describe('pre-filling', () => {
  it('answers the record items from the record and leaves the rest to the referrer', () => {
    const filled = prefilled(
      formFor('msk')!,
      'p1',
      { problems: ['Osteoarthritis of knee'], medications: ['Paracetamol 1 g — four times a day'], results: [] },
      'Practitioner/gp',
    );
    expect(filled.status).toBe('in-progress');
    expect(filled.questionnaire).toBe('https://careweave.example/fhir/Questionnaire/referral-form-msk|1.0.0');
    expect(filled.item?.map((i) => i.linkId)).toEqual(['problems', 'medications']);
    expect(filled.item?.[0]?.answer).toEqual([{ valueString: 'Osteoarthritis of knee' }]);
    expect(validateResponse(formFor('msk')!, filled).map((p) => p.linkId)).toEqual([
      'reason',
      'duration',
      'tried-physiotherapy',
    ]);
  });
});
