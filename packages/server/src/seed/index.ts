/**
 * Synthetic, deterministic population shaped like West Lancashire, as FHIR R4 resources.
 * See docs/SEED.md.
 */
import { buildInfrastructureModel, infrastructureResources } from './infrastructure.ts';
import { createContext, generatePatient } from './patients.ts';
import type { FhirResource, SeedOptions } from './types.ts';

export type { ConditionKey, FhirResource, SeedOptions, Sex } from './types.ts';
export { DEFAULT_NOW } from './types.ts';
export { generateNhsNumber, isValidNhsNumber, nhsNumberCheckDigit, NHS_NUMBER_CAPACITY } from './nhs-number.ts';
export {
  EMERGENCY_ADMISSION_COEFFICIENTS,
  emergencyAdmissionLogit,
  emergencyAdmissionProbability,
  expectedEmergencyAdmissionsPerYear,
  type PatientFeatures,
} from './admissions.ts';
export { featuresFromPatientResources, CONDITION_KEY_BY_SNOMED } from './features.ts';
export { completedYears, ENCOUNTER_YEARS, LAB_YEARS } from './patients.ts';
export { Rng } from './prng.ts';
export { SYSTEM } from './reference-data.ts';

function validate(options: SeedOptions): void {
  if (!Number.isInteger(options.patients) || options.patients < 0) {
    throw new RangeError(`patients must be a non-negative integer, got ${options.patients}`);
  }
  if (!Number.isFinite(options.seed)) {
    throw new RangeError(`seed must be a finite number, got ${options.seed}`);
  }
  if (options.now !== undefined && Number.isNaN(options.now.getTime())) {
    throw new RangeError('now must be a valid Date');
  }
}

/** Organisations, practitioners, locations, etc. that exist regardless of population size. */
export function generateInfrastructure(options: SeedOptions): FhirResource[] {
  validate(options);
  return infrastructureResources(buildInfrastructureModel(options.seed));
}

/**
 * A function that generates any single patient by number (1-based), for parallel or out-of-order
 * generation. generatePatient(n) returns exactly what generatePatients yields for patient n.
 */
export function patientGenerator(options: Omit<SeedOptions, 'patients'>): (patientNumber: number) => FhirResource[] {
  validate({ ...options, patients: 0 });
  const ctx = createContext({ ...options, patients: 0 });
  return (patientNumber: number): FhirResource[] => {
    if (!Number.isInteger(patientNumber) || patientNumber < 1) {
      throw new RangeError(`patient number must be a positive integer, got ${patientNumber}`);
    }
    return generatePatient(ctx, patientNumber);
  };
}

/**
 * Yields each patient's resources as one array (Patient first, then everything in their compartment),
 * lazily, so 1,000,000 patients never sit in memory.
 */
export function* generatePatients(options: SeedOptions): Generator<FhirResource[]> {
  validate(options);
  const ctx = createContext(options);
  for (let i = 1; i <= options.patients; i++) {
    yield generatePatient(ctx, i);
  }
}
