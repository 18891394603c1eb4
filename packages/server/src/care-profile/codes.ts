/**
 * The vocabulary of the core personal profile (docs/CARE-PROFILE.md): the document type, its
 * sections and the codes of what clinicians record for it. Other modules and the web app read
 * profiles by these codes, so they are published here once.
 */
export const PROFILE_CODE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/care-profile';
export const SECTION_SYSTEM = 'https://careweave.example/fhir/CodeSystem/care-profile-section';
export const INPUT_SYSTEM = 'https://careweave.example/fhir/CodeSystem/care-profile-input';
export const RESPECT_SYSTEM = 'https://careweave.example/fhir/CodeSystem/respect-cpr';
export const RISK_BAND_SYSTEM = 'https://careweave.example/fhir/CodeSystem/risk-band';
export const CARE_TEAM_ROLE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/care-team-role';
export const TASK_CODE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/care-profile-task';
const LOINC = 'http://loinc.org';

/**
 * The profile's type: LOINC 60591-5 "Patient summary Document" (the International Patient Summary's
 * type), with our own code so that a search finds the profile and not every other summary.
 */
export const PROFILE_TYPE = {
  coding: [
    { system: LOINC, code: '60591-5', display: 'Patient summary Document' },
    { system: PROFILE_CODE_SYSTEM, code: 'core-personal-profile', display: 'Core personal profile' },
  ],
  text: 'Core personal profile',
};
/** The search that finds a patient's profile (`Composition?type=…`). */
export const PROFILE_TYPE_TOKEN = `${PROFILE_CODE_SYSTEM}|core-personal-profile`;

/** The high-risk bands of the risk model (issue 12 convention). */
export const HIGH_RISK_BANDS: readonly string[] = ['very-high', 'high'];

export type SectionKey =
  | 'contacts'
  | 'conditions'
  | 'medicines'
  | 'allergies'
  | 'what-matters'
  | 'communication'
  | 'care-plan'
  | 'end-of-life'
  | 'respect';

export interface SectionSpec {
  key: SectionKey;
  title: string;
  /** The IPS section's LOINC code where one exists. */
  loinc?: string;
  /** What the section says when it has nothing (for ReSPECT: a prompt to check, never "none"). */
  empty: string;
}

/** The sections, in the order they are shown and printed. */
export const SECTIONS: readonly SectionSpec[] = [
  {
    key: 'respect',
    title: 'DNACPR and ReSPECT',
    loinc: '42348-3',
    // A missing form is not a decision (H-161): say so, every time.
    empty:
      'No ReSPECT form or DNACPR decision is recorded here. This does not mean there is none: ' +
      'check with the patient, their carers and their GP practice.',
  },
  { key: 'contacts', title: 'Key contacts and carers', empty: 'No contacts or carers recorded.' },
  { key: 'allergies', title: 'Allergies', loinc: '48765-2', empty: 'No allergies recorded.' },
  { key: 'conditions', title: 'Conditions', loinc: '11450-4', empty: 'No current conditions recorded.' },
  { key: 'medicines', title: 'Medicines', loinc: '10160-0', empty: 'No current medicines recorded.' },
  { key: 'what-matters', title: 'What matters to me', empty: 'Not yet recorded: ask the person.' },
  { key: 'communication', title: 'Communication needs', empty: 'No communication needs recorded.' },
  { key: 'care-plan', title: 'Care plan', loinc: '18776-5', empty: 'No active care plan recorded.' },
  {
    key: 'end-of-life',
    title: 'Anticipatory care and end-of-life wishes',
    empty: 'No anticipatory care or end-of-life wishes recorded.',
  },
];

/** What clinicians record for the profile, and the FHIR resource each is (docs/CARE-PROFILE.md). */
export const INPUT_KINDS = {
  'what-matters': { type: 'Goal', section: 'what-matters' },
  'end-of-life': { type: 'Goal', section: 'end-of-life' },
  communication: { type: 'Flag', section: 'communication' },
  respect: { type: 'Flag', section: 'respect' },
} as const satisfies Record<string, { type: 'Goal' | 'Flag'; section: SectionKey }>;
export type InputKind = keyof typeof INPUT_KINDS;

/** The ReSPECT form's CPR recommendation (section 4 of the form). */
export const CPR_RECOMMENDATIONS = {
  'cpr-not-attempted': 'CPR not to be attempted (DNACPR)',
  'cpr-attempted': 'CPR to be attempted',
} as const;
export type CprRecommendation = keyof typeof CPR_RECOMMENDATIONS;

/** The Task a patient's suggested correction is. */
export const SUGGESTION_CODE = { system: TASK_CODE_SYSTEM, code: 'profile-correction' };
