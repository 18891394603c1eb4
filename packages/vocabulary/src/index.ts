/**
 * The code systems, identifier systems and extension URLs that the server and the web app share.
 * Plain constants only (no runtime code), so that either side can import them.
 */

// Identifier systems (NHS England)
/** NHS number (Patient.identifier). */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
/** ODS organisation code (Organization.identifier). */
export const ODS_ORGANISATION_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
/** ODS site code (Location.identifier). */
export const ODS_SITE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-site-code';
/** Spine Directory Service user id (Practitioner.identifier, from NHS CIS2). */
export const SDS_USER_SYSTEM = 'https://fhir.nhs.uk/Id/sds-user-id';

// International code systems
export const SNOMED_SYSTEM = 'http://snomed.info/sct';
export const LOINC_SYSTEM = 'http://loinc.org';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const PARTICIPATION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const ROLE_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const COURSE_OF_THERAPY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy';
export const COMMUNICATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/communication-category';

/** The National Data Opt-out policy (Consent.policy.uri). */
export const NDOO_POLICY_URI = 'https://digital.nhs.uk/services/national-data-opt-out';

// CareWeave's own code systems
export const ORGANISATION_TYPE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/organisation-type';
export const DATA_CATEGORY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/data-category';
export const SENSITIVITY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/sensitivity';
export const RBAC_JOB_ROLE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/rbac-job-role';
export const ENCOUNTER_TYPE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/encounter-type';
export const RECORD_ORIGIN_SYSTEM = 'https://careweave.example/fhir/CodeSystem/record-origin';

// CareWeave's extensions
/** The job roles a sharing agreement or consent names as recipients. */
export const RECIPIENT_ROLE_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/recipient-job-role';
