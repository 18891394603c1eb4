/**
 * Minimal FHIR resource shape used by the seed generator.
 *
 * Kept deliberately loose: the generator emits plain JSON objects that are
 * valid FHIR R4, but the seed module does not depend on a full type model.
 */
export interface FhirResource {
  resourceType: string;
  id: string;
  [key: string]: unknown;
}

export interface SeedOptions {
  /** Number of patients to generate. */
  patients: number;
  /** PRNG seed. Same seed + same options => byte-identical output. */
  seed: number;
  /** Reference date ("today" for the synthetic record). Default 2026-11-01T00:00:00Z. */
  now?: Date;
}

/** Keys of the long-term conditions the generator models. */
export type ConditionKey =
  | 'hypertension'
  | 'diabetes'
  | 'copd'
  | 'asthma'
  | 'atrial-fibrillation'
  | 'heart-failure'
  | 'ckd'
  | 'depression'
  | 'dementia'
  | 'stroke'
  | 'cancer';

export type Sex = 'male' | 'female';

export const DEFAULT_NOW = '2026-11-01T00:00:00Z';
