/**
 * The hidden emergency-admission model.
 *
 * Every generated patient's emergency admissions are sampled from this function, so a risk model
 * trained on the generated record can be validated against the truth. Documented in docs/SEED.md.
 *
 *   logit(p) = β0
 *            + β_infant   * max(0, 5 - age)
 *            + β_age      * age / 10
 *            + β_old      * max(0, age - 65) / 10
 *            + β_male     * [sex = male]
 *            + β_depriv   * (10 - imdDecile)
 *            + Σ β_c      * [has condition c]
 *            + β_multi    * max(0, conditionCount - 2)
 *
 * p is the annual probability of at least one emergency admission. The generator draws the number
 * of admissions in each year of exposure from Poisson(λ) with λ = -ln(1 - p), so
 * P(at least one in a year) = p exactly and the expected count per year is λ.
 */
import type { ConditionKey, Sex } from './types.ts';

export interface PatientFeatures {
  /** Age in completed years at the reference date. */
  age: number;
  sex: Sex;
  /** IMD decile of the home address: 1 = most deprived 10% of England, 10 = least deprived. */
  imdDecile: number;
  /** Long-term conditions on the record (duplicates are ignored). */
  conditions: readonly ConditionKey[];
}

export const EMERGENCY_ADMISSION_COEFFICIENTS = {
  intercept: -3.75,
  infantPerYearUnder5: 0.35,
  agePerDecade: 0.1,
  agePerDecadeOver65: 0.35,
  male: 0.1,
  deprivationPerDecile: 0.08,
  multimorbidityPerConditionOver2: 0.15,
  conditions: {
    hypertension: 0.15,
    diabetes: 0.35,
    copd: 0.85,
    asthma: 0.35,
    'atrial-fibrillation': 0.45,
    'heart-failure': 0.9,
    ckd: 0.45,
    depression: 0.3,
    dementia: 0.75,
    stroke: 0.5,
    cancer: 0.55,
  } satisfies Record<ConditionKey, number>,
} as const;

/** Linear predictor (log-odds) of the annual emergency-admission probability. */
export function emergencyAdmissionLogit(features: PatientFeatures): number {
  const c = EMERGENCY_ADMISSION_COEFFICIENTS;
  const age = features.age;
  const decile = Math.min(10, Math.max(1, features.imdDecile));
  let z =
    c.intercept +
    c.infantPerYearUnder5 * Math.max(0, 5 - age) +
    (c.agePerDecade * age) / 10 +
    (c.agePerDecadeOver65 * Math.max(0, age - 65)) / 10 +
    (features.sex === 'male' ? c.male : 0) +
    c.deprivationPerDecile * (10 - decile);
  let count = 0;
  const seen = new Set<ConditionKey>();
  for (const key of features.conditions) {
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    const beta = c.conditions[key];
    if (beta === undefined) {
      continue;
    }
    z += beta;
    count++;
  }
  z += c.multimorbidityPerConditionOver2 * Math.max(0, count - 2);
  return z;
}

/** Annual probability (0–1) of at least one emergency admission. */
export function emergencyAdmissionProbability(features: PatientFeatures): number {
  return 1 / (1 + Math.exp(-emergencyAdmissionLogit(features)));
}

/** Expected number of emergency admissions per year of exposure: -ln(1 - p). */
export function expectedEmergencyAdmissionsPerYear(features: PatientFeatures): number {
  return -Math.log(1 - emergencyAdmissionProbability(features));
}
