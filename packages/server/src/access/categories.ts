import type { Coding, Resource } from '@medplum/fhirtypes';
import type { DataCategory } from './actor.ts';

/**
 * Resources about several patients at once (docs/ACCESS.md, *Data about several patients*): a cohort
 * `Group` is its owner's, never any one member's record. Labelled with no patient and this category.
 */
export const MULTI_PATIENT_TYPES: readonly string[] = ['Group'];
export const COHORT_CATEGORY = 'cohort';

export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const SENSITIVITY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/sensitivity';
const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';

const TYPE_CATEGORY: Readonly<Record<string, DataCategory>> = {
  Patient: 'demographics',
  RelatedPerson: 'demographics',
  Person: 'demographics',
  Condition: 'problems',
  MedicationRequest: 'medications',
  MedicationStatement: 'medications',
  MedicationAdministration: 'medications',
  MedicationDispense: 'medications',
  AllergyIntolerance: 'allergies',
  Encounter: 'encounters',
  EpisodeOfCare: 'encounters',
  Appointment: 'appointments',
  AppointmentResponse: 'appointments',
  Procedure: 'encounters',
  Observation: 'observations',
  Immunization: 'observations',
  DiagnosticReport: 'results',
  Specimen: 'results',
  ImagingStudy: 'results',
  DocumentReference: 'documents',
  Composition: 'documents',
  Communication: 'documents',
  CarePlan: 'care-plans',
  CareTeam: 'care-plans',
  Goal: 'care-plans',
  ServiceRequest: 'care-plans',
  Flag: 'care-plans',
};

/**
 * Security labels that make a resource sensitive, in order of precedence when a resource carries
 * several (mental health, then sexual health, then safeguarding).
 */
const SECURITY_LABELS: readonly { category: DataCategory; system: string; codes: readonly string[] }[] = [
  { category: 'mental-health', system: ACT_CODE_SYSTEM, codes: ['PSY', 'PSYTHPN', 'MH'] },
  { category: 'sexual-health', system: ACT_CODE_SYSTEM, codes: ['SEX', 'STD', 'HIV'] },
  { category: 'safeguarding', system: ACT_CODE_SYSTEM, codes: ['SDV', 'SOC'] },
  { category: 'safeguarding', system: SENSITIVITY_SYSTEM, codes: ['safeguarding'] },
];

/** The sensitive category a resource's `meta.security` labels give it, if any. */
export function securityCategory(security: readonly Coding[] | undefined): DataCategory | undefined {
  if (!security?.length) {
    return undefined;
  }
  for (const label of SECURITY_LABELS) {
    if (security.some((c) => c.system === label.system && c.code !== undefined && label.codes.includes(c.code))) {
      return label.category;
    }
  }
  return undefined;
}

function isLaboratory(resource: Resource): boolean {
  if (resource.resourceType !== 'Observation') {
    return false;
  }
  return (resource.category ?? []).some((concept) =>
    (concept.coding ?? []).some(
      (c) => c.code === 'laboratory' && (c.system === undefined || c.system === OBSERVATION_CATEGORY_SYSTEM),
    ),
  );
}

/**
 * The data category of a resource (docs/ACCESS.md, "What each resource is"): a security label
 * wins, then the type of its source organisation (mental-health, social-care), then its type.
 * Meaningful for patient data; directory data is labelled with no category by the store.
 */
export function categoryOf(resource: Resource, sourceOrgType?: string | null): DataCategory {
  const labelled = securityCategory(resource.meta?.security);
  if (labelled) {
    return labelled;
  }
  if (sourceOrgType === 'mental-health') {
    return 'mental-health';
  }
  if (sourceOrgType === 'social-care') {
    return 'social-care';
  }
  if (isLaboratory(resource)) {
    return 'results';
  }
  return TYPE_CATEGORY[resource.resourceType] ?? 'other';
}
