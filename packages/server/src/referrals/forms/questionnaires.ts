/**
 * The standardised referral forms (docs/REFERRALS.md, "Forms"): one FHIR `Questionnaire` per
 * specialty, published by the module as reference data (staff read them; patients do not). Items
 * marked with the prefill extension are filled from the record; `red-flag-*` items that are answered
 * yes make the referral a two-week wait (H-202); attachments declare their MIME types and size (SDC).
 */
import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';

export const FORM_BASE = 'https://careweave.example/fhir/Questionnaire';
export const PREFILL_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/referral-prefill';
export const MIME_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/mimeType';
export const MAX_SIZE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/maxSize';
/** The version of the forms this code publishes; a change to a form is a new version. */
export const FORMS_VERSION = '1.0.0';

export type Prefill = 'problems' | 'medications' | 'results';

const text = (linkId: string, label: string, required = false): QuestionnaireItem => ({
  linkId,
  text: label,
  type: 'text',
  required,
});
const yesNo = (linkId: string, label: string, required = true): QuestionnaireItem => ({
  linkId,
  text: label,
  type: 'boolean',
  required,
});
const choice = (linkId: string, label: string, options: readonly string[], required = true): QuestionnaireItem => ({
  linkId,
  text: label,
  type: 'choice',
  required,
  answerOption: options.map((code) => ({ valueCoding: { code, display: code.replace(/-/g, ' ') } })),
});
const prefill = (linkId: string, label: string, from: Prefill): QuestionnaireItem => ({
  linkId,
  text: label,
  type: 'text',
  repeats: true,
  readOnly: false,
  extension: [{ url: PREFILL_EXTENSION, valueCode: from }],
});
const photo = (linkId: string, label: string, required: boolean): QuestionnaireItem => ({
  linkId,
  text: label,
  type: 'attachment',
  required,
  repeats: true,
  extension: [
    { url: MIME_TYPE_EXTENSION, valueCode: 'image/jpeg' },
    { url: MIME_TYPE_EXTENSION, valueCode: 'image/png' },
    { url: MAX_SIZE_EXTENSION, valueDecimal: 5_000_000 },
  ],
});
const RECORD: QuestionnaireItem[] = [
  prefill('problems', 'Active problems (from the record)', 'problems'),
  prefill('medications', 'Current medicines (from the record)', 'medications'),
  prefill('results', 'Recent results, last 90 days (from the record)', 'results'),
];
const DURATION = ['under-6-weeks', '6-weeks-to-3-months', '3-to-12-months', 'over-a-year'] as const;

interface FormDef {
  specialty: string;
  title: string;
  items: QuestionnaireItem[];
}

const FORMS: readonly FormDef[] = [
  {
    specialty: 'msk',
    title: 'Musculoskeletal (MSK) referral',
    items: [
      text('reason', 'Reason for referral and what you are asking for', true),
      choice('duration', 'How long has the problem lasted?', DURATION),
      yesNo('tried-physiotherapy', 'Has the patient had physiotherapy or exercise therapy?'),
      text('imaging', 'Imaging done and its result'),
      yesNo('red-flag-mass', 'Red flag: an unexplained lump increasing in size, or bone pain with a mass', false),
      ...RECORD,
    ],
  },
  {
    specialty: 'dermatology',
    title: 'Dermatology referral',
    items: [
      text('reason', 'Reason for referral and what you are asking for', true),
      text('lesion', 'Description of the lesion or rash, and where it is', true),
      choice('duration', 'How long has it been there?', DURATION),
      photo('photos', 'Photographs of the lesion (dermatoscopic if possible), JPEG or PNG, up to 5 MB each', true),
      yesNo(
        'red-flag-melanoma',
        'Red flag: a pigmented lesion scoring 3 or more on the weighted 7-point checklist',
        false,
      ),
      ...RECORD,
    ],
  },
  {
    specialty: 'cardiology',
    title: 'Cardiology referral',
    items: [
      text('reason', 'Reason for referral and symptoms', true),
      yesNo('ecg-done', 'Has a 12-lead ECG been done?'),
      text('ecg-findings', 'ECG findings'),
      yesNo('red-flag-exertional-syncope', 'Red flag: collapse on exertion', false),
      ...RECORD,
    ],
  },
  {
    specialty: 'gynaecology',
    title: 'Gynaecology referral',
    items: [
      text('reason', 'Reason for referral and symptoms', true),
      { linkId: 'last-period', text: 'Date of last menstrual period', type: 'date' },
      yesNo('red-flag-postmenopausal-bleeding', 'Red flag: post-menopausal bleeding (55 or over)', false),
      ...RECORD,
    ],
  },
  {
    specialty: 'suspected-cancer',
    title: 'Suspected cancer (two-week wait) referral',
    items: [
      choice('cancer-site', 'Suspected cancer site', [
        'breast',
        'lower-gastrointestinal',
        'upper-gastrointestinal',
        'lung',
        'skin',
        'gynaecological',
        'urological',
        'head-and-neck',
        'haematological',
        'other',
      ]),
      text('criteria', 'Which NICE NG12 criteria are met, and the findings', true),
      yesNo('patient-informed', 'The patient has been told this is a referral for suspected cancer'),
      yesNo('patient-available', 'The patient can attend within the next two weeks'),
      ...RECORD,
    ],
  },
];

/** The form of a specialty, as published (`Questionnaire/referral-form-{specialty}`). */
export function referralForm(def: FormDef): Questionnaire {
  return {
    resourceType: 'Questionnaire',
    id: `referral-form-${def.specialty}`,
    url: `${FORM_BASE}/referral-form-${def.specialty}`,
    version: FORMS_VERSION,
    name: `ReferralForm${def.specialty.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
    title: def.title,
    status: 'active',
    publisher: 'CareWeave electronic referrals',
    subjectType: ['Patient'],
    useContext: [
      {
        code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'focus' },
        valueCodeableConcept: {
          coding: [{ system: 'https://careweave.example/fhir/CodeSystem/referral-specialty', code: def.specialty }],
        },
      },
    ],
    item: def.items,
  };
}

export const REFERRAL_FORMS: readonly Questionnaire[] = FORMS.map(referralForm);
export const SPECIALTIES: readonly string[] = FORMS.map((f) => f.specialty);

/** The form for a specialty (undefined: none; a referral to it needs no form). */
export const formFor = (specialty: string): Questionnaire | undefined =>
  REFERRAL_FORMS.find((q) => q.id === `referral-form-${specialty}`);
