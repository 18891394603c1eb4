/**
 * Recover the hidden emergency-admission model's inputs from a generated patient's resources,
 * exactly as the generator saw them (age at the reference date from birthDate, gender, the IMD
 * decile extension on the home address, and active long-term conditions by SNOMED code).
 */
import type { PatientFeatures } from './admissions.ts';
import { completedYears } from './patients.ts';
import { CONDITIONS, SYSTEM } from './reference-data.ts';
import { DEFAULT_NOW, type ConditionKey, type FhirResource } from './types.ts';

export const CONDITION_KEY_BY_SNOMED: ReadonlyMap<string, ConditionKey> = new Map(
  CONDITIONS.map((c) => [c.snomed, c.key] as const),
);

interface Coding {
  system?: string;
  code?: string;
}

export function featuresFromPatientResources(
  resources: readonly FhirResource[],
  now: Date = new Date(DEFAULT_NOW),
): PatientFeatures {
  const patient = resources.find((r) => r.resourceType === 'Patient');
  if (!patient) {
    throw new Error('no Patient resource');
  }
  const birthDate = patient['birthDate'];
  if (typeof birthDate !== 'string') {
    throw new Error('Patient has no birthDate');
  }
  const gender = patient['gender'];
  if (gender !== 'male' && gender !== 'female') {
    throw new Error(`unsupported gender ${String(gender)}`);
  }
  const addresses = (patient['address'] ?? []) as { extension?: { url: string; valueInteger?: number }[] }[];
  let decile: number | undefined;
  for (const a of addresses) {
    const ext = a.extension?.find((e) => e.url === SYSTEM.imdDecile);
    if (ext?.valueInteger !== undefined) {
      decile = ext.valueInteger;
      break;
    }
  }
  if (decile === undefined) {
    throw new Error('Patient address has no IMD decile extension');
  }
  const conditions: ConditionKey[] = [];
  for (const r of resources) {
    if (r.resourceType !== 'Condition') {
      continue;
    }
    const codings = (r['code'] as { coding?: Coding[] } | undefined)?.coding ?? [];
    for (const c of codings) {
      if (c.system !== SYSTEM.snomed || c.code === undefined) {
        continue;
      }
      const key = CONDITION_KEY_BY_SNOMED.get(c.code);
      if (key !== undefined && !conditions.includes(key)) {
        conditions.push(key);
      }
    }
  }
  return { age: completedYears(birthDate, now), sex: gender, imdDecile: decile, conditions };
}
