import type { Observation } from '@medplum/fhirtypes';
import { observationName, observationValue } from './observations.ts';

/** One test's newest result, as the patient's record shows it: a plain name, the value and its range. */
export interface TestResult {
  name: string;
  value: string;
  date?: string;
  /** "4.0 to 6.0 mmol/L", or the lab's own text; absent when the lab gave none. */
  range?: string;
  /** Where the value sits against the range, when both are numbers. */
  flag?: 'low' | 'high' | 'normal';
  observation: Observation;
}

const isLaboratory = (o: Observation): boolean =>
  Boolean(o.category?.some((c) => c.coding?.some((code) => code.code === 'laboratory')));

export function rangeText(observation: Observation): string | undefined {
  const range = observation.referenceRange?.[0];
  if (!range) {
    return undefined;
  }
  if (range.text) {
    return range.text;
  }
  const unit = range.low?.unit ?? range.high?.unit ?? observation.valueQuantity?.unit ?? '';
  if (range.low?.value !== undefined && range.high?.value !== undefined) {
    return `${range.low.value} to ${range.high.value} ${unit}`.trim();
  }
  if (range.low?.value !== undefined) {
    return `${range.low.value} ${unit} or more`.replace(/\s+/g, ' ').trim();
  }
  if (range.high?.value !== undefined) {
    return `up to ${range.high.value} ${unit}`.replace(/\s+/g, ' ').trim();
  }
  return undefined;
}

function flagOf(observation: Observation): TestResult['flag'] {
  const value = observation.valueQuantity?.value;
  const range = observation.referenceRange?.[0];
  if (value === undefined || !range) {
    return undefined;
  }
  if (range.low?.value !== undefined && value < range.low.value) {
    return 'low';
  }
  if (range.high?.value !== undefined && value > range.high.value) {
    return 'high';
  }
  return range.low?.value !== undefined || range.high?.value !== undefined ? 'normal' : undefined;
}

/**
 * A LOINC long name made readable for a patient when no short name is listed (lib/test-names.ts):
 * the bracketed property ("[Mass/volume]") and the specimen or method tail ("in Serum or Plasma",
 * "by Automated count") go — "Calcium [Mass/volume] in Serum or Plasma" reads "Calcium".
 */
export function plainTestName(name: string): string {
  const plain = name
    .replace(/\s*\[[^\]]*\]/g, '')
    .replace(
      /\s+(in|by|from|on)\s+(serum|plasma|blood|urine|capillary|arterial|venous|automated|manual|calculation|body fluid)\b.*$/i,
      '',
    )
    .replace(/\s{2,}/g, ' ')
    .trim();
  return plain || name;
}

const timeOf = (o: Observation): number => Date.parse(o.effectiveDateTime ?? o.issued ?? '') || 0;

/**
 * The newest result of each laboratory test, newest first, with plain names (eGFR, HbA1c) and the
 * lab's reference range — what the NHS App shows under "Test results". Older results of the same test
 * are in the full record.
 */
export function latestTestResults(observations: readonly Observation[]): TestResult[] {
  const newest = new Map<string, Observation>();
  for (const observation of observations.filter(isLaboratory)) {
    const name = plainTestName(observationName(observation));
    const held = newest.get(name);
    if (!held || timeOf(observation) > timeOf(held)) {
      newest.set(name, observation);
    }
  }
  return [...newest.entries()]
    .map(([name, observation]) => ({
      name,
      value: observationValue(observation),
      date: observation.effectiveDateTime ?? observation.issued,
      range: rangeText(observation),
      flag: flagOf(observation),
      observation,
    }))
    .sort((a, b) => timeOf(b.observation) - timeOf(a.observation));
}
