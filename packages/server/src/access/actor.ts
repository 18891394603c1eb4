/**
 * Who is making a request, as established by a verified access token (src/auth/) and used by the
 * policy (src/access/). See docs/ACCESS.md.
 */

import { DATA_CATEGORY_SYSTEM, ORGANISATION_TYPE_SYSTEM, RECIPIENT_ROLE_EXTENSION } from '@careweave/vocabulary';

/** Every kind of organisation in the local health economy (docs/ACCESS.md). */
export const ORGANISATION_TYPES = [
  'gp-practice',
  'acute-trust',
  'community',
  'mental-health',
  'social-care',
  'ambulance',
  'voluntary-sector',
  'commissioner',
  'care-home',
  'non-nhs-app',
] as const;

export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export { ORGANISATION_TYPE_SYSTEM };
export { DATA_CATEGORY_SYSTEM };

/** Organisation types outside the NHS: they receive data only where the patient consents. */
export const OUTSIDE_NHS: readonly OrganisationType[] = ['care-home', 'non-nhs-app', 'voluntary-sector'];

export const DATA_CATEGORIES = [
  'demographics',
  'problems',
  'medications',
  'allergies',
  'encounters',
  'appointments',
  'observations',
  'results',
  'documents',
  'care-plans',
  'other',
  'mental-health',
  'sexual-health',
  'safeguarding',
  'social-care',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];
/**
 * Sensitive categories that staff see only with the patient's explicit permit, even for direct care
 * under an agreement naming them: sexual health, under the stricter statutory regime (the NHS
 * (Venereal Diseases) Regulations and their successors). The other sensitive categories are shared
 * for direct care by the treating team under a signed agreement that names them (implied consent,
 * Caldicott principle 7), unless the patient objects (docs/ACCESS.md, *Sensitive information*).
 */
export const EXPLICIT_PERMIT_CATEGORIES: readonly DataCategory[] = ['sexual-health'];

export const SENSITIVE_CATEGORIES: readonly DataCategory[] = [
  'mental-health',
  'sexual-health',
  'safeguarding',
  'social-care',
];

/**
 * Documented role rules (docs/ACCESS.md, *Need to know*): staff in these RBAC job roles see only
 * these categories of patient data, whatever the reason they may see the patient (their own
 * organisation's record, an agreement, a permit, break-glass). R8010 clerical (receptionists,
 * booking clerks): who the patient is and their appointments, never clinical detail. Roles not
 * listed see every category their reasons open.
 */
export const ROLE_CATEGORY_LIMITS: Readonly<Record<string, readonly DataCategory[]>> = {
  R8010: ['demographics', 'appointments'],
};

/** The categories a role may ever see, or undefined when the role is not limited. */
export function roleCategoryLimit(roleCode: string): readonly DataCategory[] | undefined {
  return Object.hasOwn(ROLE_CATEGORY_LIMITS, roleCode) ? ROLE_CATEGORY_LIMITS[roleCode] : undefined;
}

/**
 * How a Consent rule names an organisation's staff in one job role only: the rule's actor is
 * `Organization/{id}` and carries this extension with the RBAC code. Stored as `Organization/{id}|{role}`.
 */
export { RECIPIENT_ROLE_EXTENSION };

/** The names under which Consent rules may name a staff actor (docs/ACCESS.md, *Patient consent*). */
export function staffNames(actor: Pick<StaffActor, 'organizationId' | 'practitionerId' | 'roleCode'>): string[] {
  return [
    `Organization/${actor.organizationId}`,
    `Organization/${actor.organizationId}|${actor.roleCode}`,
    `Practitioner/${actor.practitionerId}`,
  ];
}

/**
 * RBAC job roles that administer their organisation's directory entries (docs/ACCESS.md,
 * *Directory data*): R8008 admin and clinical support, R8013 health records manager.
 */
export const DIRECTORY_ADMIN_ROLES: readonly string[] = ['R8008', 'R8013'];

/** SMART on FHIR v2 scopes granted to the token, e.g. `user/*.cruds`, `patient/Observation.rs`. */
export type Scopes = readonly string[];

export interface StaffActor {
  kind: 'staff';
  userId: string;
  practitionerId: string;
  organizationId: string;
  organizationType: OrganisationType;
  /** National RBAC job role code of the selected role profile, e.g. R8000. */
  roleCode: string;
  practitionerRoleId?: string;
  scopes: Scopes;
}

export interface PatientActor {
  kind: 'patient';
  userId: string;
  patientId: string;
  scopes: Scopes;
}

export interface RelatedPersonActor {
  kind: 'related-person';
  userId: string;
  relatedPersonId: string;
  /** The person cared for. */
  patientId: string;
  scopes: Scopes;
}

/**
 * Why a system client processes patient data: `direct-care` (the default, an integration that serves
 * the care of each patient) or a secondary use (`planning`: commissioning and service planning;
 * `research`), to which the National Data Opt-out applies (docs/ACCESS.md, *Two kinds of opt-out*).
 */
export type SystemPurpose = 'direct-care' | 'planning' | 'research';

export interface SystemActor {
  kind: 'system';
  clientId: string;
  scopes: Scopes;
  /** Absent means `direct-care`. */
  purpose?: SystemPurpose;
}

export type Actor = StaffActor | PatientActor | RelatedPersonActor | SystemActor;

/**
 * The identity that work started by an actor belongs to (a bulk export, a Subscription): the person
 * in the same role profile for staff, since the work runs under that profile's access, or the
 * system client. Kept with the work so that only its owner can see or change it.
 */
export function actorKey(actor: Actor): string {
  switch (actor.kind) {
    case 'staff':
      return `staff:${actor.userId}:${actor.organizationId}:${actor.roleCode}`;
    case 'patient':
      return `patient:${actor.userId}:${actor.patientId}`;
    case 'related-person':
      return `related-person:${actor.userId}:${actor.relatedPersonId}`;
    case 'system':
      return `system:${actor.clientId}`;
  }
}
