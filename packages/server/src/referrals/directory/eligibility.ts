/**
 * Whether a patient may be referred to a service (H-192, H-193): the referral's priority, the
 * patient's age, where they live and their GP practice, against the service's commissioning rules.
 * Pure: the directory service reads the patient and the service through the caller's view.
 */
import type { Priority, ServiceRules } from './vocabulary.ts';

/** What the rules need to know about the patient (absent: the search has no patient). */
export interface PatientFacts {
  /** ISO date of birth. */
  birthDate?: string;
  postcode?: string;
  /** The Organization id of their registered GP practice. */
  gpPractice?: string;
}

export interface Eligibility {
  eligible: boolean;
  ineligibleReason?: string;
}

/** The first rule the referral breaks, in words a referrer can act on; none: eligible. */
export function eligibility(
  rules: ServiceRules,
  priority: Priority,
  patient: PatientFacts | undefined,
  today: Date = new Date(),
): Eligibility {
  if (!rules.priorities.includes(priority)) {
    return no(
      rules.priorities.includes('two-week-wait') && rules.priorities.length === 1
        ? 'Takes urgent suspected cancer (two-week wait) referrals only'
        : `Does not take ${priority === 'two-week-wait' ? 'two-week-wait' : priority} referrals`,
    );
  }
  if (!patient) {
    return { eligible: true };
  }
  if (rules.minAge !== undefined || rules.maxAge !== undefined) {
    const age = patient.birthDate ? ageOn(patient.birthDate, today) : undefined;
    if (age === undefined) {
      return no('The patient’s date of birth is not recorded, and this service has an age limit');
    }
    if (rules.minAge !== undefined && age < rules.minAge) {
      return no(`For patients aged ${rules.minAge} and over`);
    }
    if (rules.maxAge !== undefined && age > rules.maxAge) {
      return no(`For patients aged ${rules.maxAge} and under`);
    }
  }
  if (rules.gpPractices.length && !(patient.gpPractice && rules.gpPractices.includes(patient.gpPractice))) {
    return no('Not commissioned for patients of the patient’s GP practice');
  }
  if (rules.postcodeAreas.length && !inAreas(patient.postcode, rules.postcodeAreas)) {
    return no('Not commissioned for where the patient lives');
  }
  return { eligible: true };
}

/** Whole years on `today` (a birthday today counts). */
export function ageOn(birthDate: string, today: Date): number | undefined {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(birthDate);
  if (!match) {
    return undefined;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2] ?? 1), Number(match[3] ?? 1)];
  const birthdayPassed =
    today.getUTCMonth() + 1 > month || (today.getUTCMonth() + 1 === month && today.getUTCDate() >= day);
  return today.getUTCFullYear() - year - (birthdayPassed ? 0 : 1);
}

/** A postcode is in an area given as a district (`L39`) or a sector (`L39 2`). */
export function inAreas(postcode: string | undefined, areas: readonly string[]): boolean {
  const normal = normalisePostcode(postcode);
  if (!normal) {
    return false;
  }
  const [outward] = normal.split(' ');
  return areas.some((area) => (area.includes(' ') ? normal.startsWith(area) : outward === area));
}

/** `l392at` → `L39 2AT`; anything that is not a UK postcode shape → undefined. */
export function normalisePostcode(postcode: string | undefined): string | undefined {
  const compact = postcode?.replace(/\s+/g, '').toUpperCase();
  if (!compact || !/^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(compact)) {
    return undefined;
  }
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

function no(ineligibleReason: string): Eligibility {
  return { eligible: false, ineligibleReason };
}
