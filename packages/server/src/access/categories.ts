import type { Coding, Resource } from '@medplum/fhirtypes';
import type { DataCategory } from './actor.ts';
import { ACT_CODE_SYSTEM, OBSERVATION_CATEGORY_SYSTEM, SENSITIVITY_SYSTEM } from '@careweave/vocabulary';

/**
 * Resources about several patients at once (docs/ACCESS.md, *Data about several patients*): a cohort
 * `Group` is its owner's, never any one member's record. Labelled with no patient and this category.
 */
export const MULTI_PATIENT_TYPES: readonly string[] = ['Group'];
export const COHORT_CATEGORY = 'cohort';

/**
 * Owned data (docs/ACCESS.md, *Owned data*): a worklist (`List`) or a draft (`Basic`) about no one
 * patient is its owner's working data, not directory data: labelled with no patient and this category
 * and seen only by its owner and whom they share it with. A cohort `Group` is owned data too (its
 * category stays `cohort`, since reading one is audited against every member).
 */
export const OWNED_TYPES: readonly string[] = ['List', 'Basic'];
export const OWNED_CATEGORY = 'owned';
/** The categories of owned data: who may see a row of these is in `access_owned` (owned.ts). */
export const OWNED_CATEGORIES: readonly string[] = [COHORT_CATEGORY, OWNED_CATEGORY];

/** Sharing owned data: a `valueReference` to a Practitioner, a CareTeam (its members) or an Organization (its staff). */
export const SHARED_WITH_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/shared-with';

/**
 * The public directory (docs/ACCESS.md, *Directory data*): what NHS.UK publishes about services —
 * organisations, their sites and services, the clinicians who work in them and their roles — and
 * the medicines of the dictionary of medicines and devices. Patients and their proxies read these,
 * and the free Slots and active Schedules of bookable services (the portal books them); every other
 * row about no patient (Endpoints, busy Slots, terminology, ...) is read by staff and system clients only.
 */
export const PUBLIC_DIRECTORY_TYPES: readonly string[] = [
  'Organization',
  'Location',
  'HealthcareService',
  'Practitioner',
  'PractitionerRole',
  'Medication',
];
export const PUBLIC_DIRECTORY_CATEGORY = 'public-directory';

/** Whether a resource about no patient is in the public directory (its version's label). */
export function isPublicDirectory(resource: Resource): boolean {
  switch (resource.resourceType) {
    case 'Slot':
      return resource.status === 'free'; // a busy slot would tell who is booked when
    case 'Schedule':
      return resource.active !== false;
    default:
      return PUBLIC_DIRECTORY_TYPES.includes(resource.resourceType);
  }
}

/** The category of a resource about no patient: cohort, owned, public directory, or none (directory). */
export function noPatientCategory(resource: Resource): string | null {
  if (MULTI_PATIENT_TYPES.includes(resource.resourceType)) {
    return COHORT_CATEGORY;
  }
  if (OWNED_TYPES.includes(resource.resourceType)) {
    return OWNED_CATEGORY;
  }
  return isPublicDirectory(resource) ? PUBLIC_DIRECTORY_CATEGORY : null;
}

export { ACT_CODE_SYSTEM };
export { SENSITIVITY_SYSTEM };

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
