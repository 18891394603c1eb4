/**
 * The model's inputs at an index date, from a patient's history (docs/RISK-MODEL.md, "Inputs"). Only
 * what was in the record before the index date counts: a condition diagnosed later, or a contact on or
 * after it, is not known then. So the same history gives the training features a year ago and today's.
 */
import type { PatientHistory } from '../history/history.ts';
import { LONG_TERM_CONDITIONS, type ConditionKey } from '../vocabulary.ts';
import { efiOf, EFI_DEFICITS, frailtyCategory, type DeficitKey, type FrailtyCategory } from './efi.ts';
import { TARIFF } from './tariff.ts';

const DAY = 86_400_000;

export interface FeatureDefinition {
  name: string;
  /** The factor in plain words, for the list and the RiskAssessment (what drove the score). */
  words: (facts: PatientFacts) => string;
}

/** What is known of a patient at the index date: the model's features and the facts lists show. */
export interface PatientFacts {
  age: number;
  sex: PatientHistory['sex'];
  imdDecile?: number;
  conditions: ConditionKey[];
  emergencyAdmissions12m: number;
  emergencyAdmissions30d: number;
  aeAttendances12m: number;
  outpatientAttendances12m: number;
  repeatMedicines: number;
  efi: number;
  frailty: FrailtyCategory;
  redAlerts90d: number;
  /** Running cost of the last 12 months' contacts at tariff prices (pounds). */
  cost12m: number;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const CONDITION_FEATURES: FeatureDefinition[] = LONG_TERM_CONDITIONS.map((c) => ({
  name: `condition:${c.key}`,
  words: () => c.words.charAt(0).toUpperCase() + c.words.slice(1),
}));

/** The features, in the model's order. Changing this list is a new model version. */
export const FEATURES: readonly FeatureDefinition[] = [
  { name: 'age-per-decade', words: (f) => `Age ${f.age}` },
  { name: 'infant', words: (f) => `Young child (age ${f.age})` },
  { name: 'over-65-per-decade', words: (f) => `Older age (${f.age})` },
  { name: 'male', words: () => 'Male' },
  { name: 'deprivation', words: (f) => `Lives in a more deprived area (IMD decile ${f.imdDecile ?? 'unknown'})` },
  ...CONDITION_FEATURES,
  { name: 'conditions-beyond-two', words: (f) => `${f.conditions.length} long-term conditions together` },
  {
    name: 'emergency-admissions-12m',
    words: (f) => `${plural(f.emergencyAdmissions12m, 'emergency admission')} in the last 12 months`,
  },
  { name: 'emergency-admission-30d', words: () => 'An emergency admission in the last 30 days' },
  { name: 'ae-attendances-12m', words: (f) => `${plural(f.aeAttendances12m, 'A&E attendance')} in the last 12 months` },
  {
    name: 'outpatient-attendances-12m',
    words: (f) => `${plural(f.outpatientAttendances12m, 'outpatient attendance')} in the last 12 months`,
  },
  { name: 'ten-or-more-medicines', words: (f) => `${f.repeatMedicines} repeat medicines` },
  { name: 'efi-per-tenth', words: (f) => `Frailty: eFI ${f.efi.toFixed(2)} (${f.frailty})` },
  { name: 'red-alert-90d', words: (f) => `${plural(f.redAlerts90d, 'red telehealth alert')} in the last 90 days` },
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysBefore(at: Date, days: number): string {
  return isoDay(new Date(at.getTime() - days * DAY));
}

/** Completed years between a birth date (yyyy-mm-dd) and `at`. */
export function ageAt(birthDate: string | undefined, at: Date): number {
  if (!birthDate) {
    return 0;
  }
  const [y, m, d] = birthDate.split('-').map(Number);
  const years = at.getUTCFullYear() - y!;
  const beforeBirthday =
    at.getUTCMonth() + 1 < (m ?? 1) || (at.getUTCMonth() + 1 === (m ?? 1) && at.getUTCDate() < (d ?? 1));
  return Math.max(0, years - (beforeBirthday ? 1 : 0));
}

const known = (onset: string | undefined, atDay: string): boolean => onset === undefined || onset < atDay;

/** The facts known at `at`, counting contacts in the `lookbackDays` before it (365 unless validating). */
interface Boundaries {
  time: number;
  lookbackDays: number;
  atDay: string;
  lookback: string;
  yearAgo: string;
  monthAgo: string;
  twoYearsAgo: string;
  ninetyDaysAgo: string;
}

let lastBoundaries: Boundaries | undefined;

/** The day strings a date's windows start on, computed once per index date (a run scores many). */
function boundaries(at: Date, lookbackDays: number): Boundaries {
  if (lastBoundaries?.time === at.getTime() && lastBoundaries.lookbackDays === lookbackDays) {
    return lastBoundaries;
  }
  lastBoundaries = {
    time: at.getTime(),
    lookbackDays,
    atDay: isoDay(at),
    lookback: daysBefore(at, lookbackDays),
    yearAgo: daysBefore(at, 365),
    monthAgo: daysBefore(at, 30),
    twoYearsAgo: daysBefore(at, 730),
    ninetyDaysAgo: daysBefore(at, 90),
  };
  return lastBoundaries;
}

export function factsAt(history: PatientHistory, at: Date, lookbackDays = 365): PatientFacts {
  const { atDay, lookback, yearAgo, monthAgo, twoYearsAgo, ninetyDaysAgo } = boundaries(at, lookbackDays);
  // One pass over the contacts (a scoring run reads a million histories).
  let admissions = 0;
  let admissions30d = 0;
  let ae = 0;
  let outpatients = 0;
  let districtNurse = 0;
  let socialCare = 0;
  let cost = 0;
  for (const event of history.events) {
    if (event.date >= atDay) {
      continue;
    }
    if (event.date >= yearAgo) {
      cost += TARIFF[event.kind];
    }
    if (event.kind === 'social-care' && event.date >= twoYearsAgo) {
      socialCare++;
    }
    if (event.date < lookback) {
      continue;
    }
    switch (event.kind) {
      case 'emergency-admission':
        admissions++;
        if (event.date >= monthAgo) {
          admissions30d++;
        }
        break;
      case 'ae':
        ae++;
        break;
      case 'outpatient':
        outpatients++;
        break;
      case 'district-nurse':
        districtNurse++;
        break;
      default:
        break;
    }
  }
  const conditions: ConditionKey[] = [];
  for (const c of history.conditions) {
    if (known(c.onset, atDay) && !conditions.includes(c.key)) {
      conditions.push(c.key);
    }
  }
  const medicines = new Set<string>();
  for (const m of history.repeatMedicines) {
    if (known(m.start, atDay) && (m.end === undefined || m.end >= atDay)) {
      medicines.add(m.code);
    }
  }
  const deficits = new Set<DeficitKey>();
  for (const d of history.deficits) {
    if (known(d.onset, atDay)) {
      deficits.add(d.key);
    }
  }
  if (medicines.size >= 5) {
    deficits.add('polypharmacy');
  }
  if (socialCare > 0) {
    deficits.add('requires-care');
  }
  if (districtNurse > 0) {
    deficits.add('housebound');
  }
  const efi = efiOf(deficits);
  return {
    age: ageAt(history.birthDate, at),
    sex: history.sex,
    ...(history.imdDecile !== undefined ? { imdDecile: history.imdDecile } : {}),
    conditions,
    emergencyAdmissions12m: admissions,
    emergencyAdmissions30d: admissions30d,
    aeAttendances12m: ae,
    outpatientAttendances12m: outpatients,
    repeatMedicines: medicines.size,
    efi,
    frailty: frailtyCategory(efi),
    redAlerts90d: history.redAlerts.filter((d) => d >= ninetyDaysAgo && d < atDay).length,
    cost12m: Math.round(cost),
  };
}

/** Deprivation when the decile is unknown: the middle of the scale, so it neither raises nor lowers risk much. */
const UNKNOWN_DEPRIVATION = 4.5;

/**
 * The model's input vector for the facts, in FEATURES order. Counts enter as log(1 + n): the tenth
 * admission adds less than the second. Lookbacks shorter than a year are scaled up to a year's rate.
 */
export function featureVector(facts: PatientFacts, lookbackDays = 365): number[] {
  const perYear = 365 / lookbackDays;
  const has = new Set(facts.conditions);
  return [
    facts.age / 10,
    Math.max(0, 5 - facts.age),
    Math.max(0, facts.age - 65) / 10,
    facts.sex === 'male' ? 1 : 0,
    facts.imdDecile === undefined ? UNKNOWN_DEPRIVATION : 10 - facts.imdDecile,
    ...LONG_TERM_CONDITIONS.map((c) => (has.has(c.key) ? 1 : 0)),
    Math.max(0, has.size - 2),
    Math.log1p(facts.emergencyAdmissions12m * perYear),
    facts.emergencyAdmissions30d > 0 ? 1 : 0,
    Math.log1p(facts.aeAttendances12m * perYear),
    Math.log1p(facts.outpatientAttendances12m * perYear),
    facts.repeatMedicines >= 10 ? 1 : 0,
    facts.efi * 10,
    facts.redAlerts90d > 0 ? 1 : 0,
  ];
}

/** Whether a history's patient was alive and registered (had a birth date) at `at`. */
export function eligibleAt(history: PatientHistory, at: Date): boolean {
  return history.birthDate !== undefined && history.birthDate < isoDay(at);
}

export { EFI_DEFICITS };
