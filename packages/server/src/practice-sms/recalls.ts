/**
 * The recalls the module defines (clerical staff may run only these): a review, the SNOMED CT
 * conditions whose presence in the record puts a registered patient on it, and the words used in
 * the text. Codes are those the record uses for the conditions (seed/reference-data.ts) and their
 * common UK variants.
 */
export type Review = 'asthma' | 'diabetes' | 'blood-pressure';

export const REVIEWS: Record<Review, { title: string; text: string; codes: readonly string[] }> = {
  asthma: { title: 'Asthma review', text: 'asthma review', codes: ['195967001'] },
  diabetes: {
    title: 'Diabetes review',
    text: 'diabetes review',
    codes: ['44054006', '46635009', '73211009'],
  },
  'blood-pressure': {
    title: 'Blood pressure review',
    text: 'blood pressure review',
    codes: ['38341003', '59621000'],
  },
};

export const isReview = (value: unknown): value is Review => typeof value === 'string' && value in REVIEWS;

/** A practice's long-term-condition review, as the record codes the visit (seed/patients.ts). */
export const REVIEW_ENCOUNTER_TYPE = {
  system: 'https://careweave.example/fhir/CodeSystem/encounter-type',
  code: 'ltc-review',
} as const;

/** "Not reviewed in the last 12 months": a review at the practice within this many months leaves a patient out. */
export const REVIEWED_WITHIN_MONTHS = 12;

/** The earliest start of a review that still counts as recent: `months` calendar months before `now`. */
export function reviewedSince(now: Date, months = REVIEWED_WITHIN_MONTHS): Date {
  const since = new Date(now.getTime());
  since.setUTCMonth(since.getUTCMonth() - months);
  return since;
}
