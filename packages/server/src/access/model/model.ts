/**
 * Reference model of docs/ACCESS.md: who may see and change what, as plain functions over plain
 * in-memory data. It is written from the specification alone (not from the SQL in src/access/) so
 * that the property tests catch a misreading of the spec instead of copying it. Clarity beats speed:
 * every function mirrors one paragraph or numbered step of the spec.
 *
 * Points the spec leaves open are marked "Reading:" where they are decided. In short:
 * - "today" and date-only bounds are UTC days, inclusive at both ends;
 * - several sensitive labels: the spec's order wins (mental-health, sexual-health, safeguarding);
 * - "the organisation of the resource's encounter" is that Encounter's source organisation, and
 *   only the element named `encounter` counts; the registered practice is the first Organization
 *   among Patient.generalPractitioner;
 * - a consent naming a CareTeam matches when the team's status is `active` or absent and the
 *   actor's participation period (if any) covers now, as for the care-team relationship (settled
 *   in docs/ACCESS.md after the first model and the server read it differently);
 * - a provision's codes count only through the data-category system;
 * - outside the NHS, a permit "names" them only through Organization/O or Practitioner/Pr;
 * - writes: see decideWrite;
 * - data about no one patient (issue 9): a List or Basic with no patient is owned data, as a Group
 *   is; its owner is the person, role or organisation its owner element names, else its source
 *   organisation; a CareTeam share reaches the team's current members (as for consent rules, but
 *   a team of staff needs no subject); the public directory is decided per type and, for Slot and
 *   Schedule, by status.
 */
import type {
  CareTeam,
  Consent,
  ConsentProvision,
  Encounter,
  EpisodeOfCare,
  Organization,
  Patient,
  Period,
  Practitioner,
  Reference,
  RelatedPerson,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import {
  DATA_CATEGORY_SYSTEM,
  ORGANISATION_TYPE_SYSTEM,
  OUTSIDE_NHS,
  SENSITIVE_CATEGORIES,
  type Actor,
  type DataCategory,
  type OrganisationType,
  type PatientActor,
  type RelatedPersonActor,
  type StaffActor,
} from '../actor.ts';

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------

export type Purpose = 'direct-care' | 'care-coordination' | 'commissioning';
export const PURPOSES: readonly Purpose[] = ['direct-care', 'care-coordination', 'commissioning'];

export interface AgreementSignature {
  organizationId: string;
  /** Who signed (a person's name or user id). */
  signedBy: string;
  /** When (ISO instant). */
  signedAt: string;
}

/** An information-sharing agreement (docs/ACCESS.md, *Information-sharing agreements*). */
export interface Agreement {
  id: string;
  title: string;
  purposes: Purpose[];
  lawfulBasis: string;
  /** Inclusive dates, `YYYY-MM-DD`. */
  validFrom: string;
  validTo?: string;
  /** Organisation ids whose data flows. */
  providers: string[];
  /** Organisation ids receiving. */
  recipients: string[];
  /** RBAC job role codes; empty means any role. */
  recipientRoles: string[];
  categories: DataCategory[];
  signatures: AgreementSignature[];
  withdrawn: boolean;
}

/** Emergency access of one user to one patient (docs/ACCESS.md, *Break-glass*). */
export interface BreakGlassSession {
  userId: string;
  patientId: string;
  reason: string;
  /** ISO instant; the session is unexpired while now is before it. */
  expiresAt: string;
}

/**
 * Everything the policy depends on. The FHIR resources are the current versions in the record; the
 * lists by type are the order in which they are written (an Encounter before the resources that
 * point at it, a Patient before its data), so labels computed at write time equal labels computed
 * from the whole world.
 */
export interface World {
  /** The server's FHIR base, e.g. `http://careweave.test/fhir/R4` (references may be absolute). */
  fhirBase: string;
  organisations: Organization[];
  practitioners: Practitioner[];
  patients: Patient[];
  relatedPersons: RelatedPerson[];
  encounters: Encounter[];
  episodes: EpisodeOfCare[];
  careTeams: CareTeam[];
  serviceRequests: ServiceRequest[];
  consents: Consent[];
  /** Every other resource (clinical data and further directory data). */
  clinical: Resource[];
  agreements: Agreement[];
  breakGlass: BreakGlassSession[];
  /** Self-claimed relationships (docs/ACCESS.md, *Need to know*); none when absent. */
  declared?: DeclaredRelationship[];
}

/** A relationship a member of staff declared with a reason: the practitioner, until it expires. */
export interface DeclaredRelationship {
  practitionerId: string;
  patientId: string;
  /** ISO instant; the relationship holds while now is before it. */
  expiresAt: string;
}

/** Every FHIR resource of the world, in write order. */
export function allResources(world: World): Resource[] {
  return [
    ...world.organisations,
    ...world.practitioners,
    ...world.patients,
    ...world.relatedPersons,
    ...world.encounters,
    ...world.episodes,
    ...world.careTeams,
    ...world.serviceRequests,
    ...world.consents,
    ...world.clinical,
  ];
}

// ---------------------------------------------------------------------------------------------
// References and dates
// ---------------------------------------------------------------------------------------------

/** `Type/id` of a reference to this server (relative, or absolute under fhirBase); else undefined. */
export function localRef(world: World, reference: Reference | string | undefined): string | undefined {
  const value = typeof reference === 'string' ? reference : reference?.reference;
  if (!value) {
    return undefined;
  }
  const local = value.startsWith(world.fhirBase + '/') ? value.slice(world.fhirBase.length + 1) : value;
  return /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(local) ? local : undefined;
}

/** The id when the reference points at a resource of `type` on this server. */
function refId(world: World, reference: Reference | string | undefined, type: string): string | undefined {
  const local = localRef(world, reference);
  return local?.startsWith(type + '/') ? local.slice(type.length + 1) : undefined;
}

/** The earliest and latest instant (ms) a FHIR date/dateTime/instant can denote; partial dates in UTC. */
export function dateBounds(value: string): { low: number; high: number } {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (m) {
    const year = Number(m[1]);
    if (m[3]) {
      const low = Date.UTC(year, Number(m[2]) - 1, Number(m[3]));
      return { low, high: Date.UTC(year, Number(m[2]) - 1, Number(m[3]) + 1) - 1 };
    }
    if (m[2]) {
      return { low: Date.UTC(year, Number(m[2]) - 1, 1), high: Date.UTC(year, Number(m[2]), 1) - 1 };
    }
    return { low: Date.UTC(year, 0, 1), high: Date.UTC(year + 1, 0, 1) - 1 };
  }
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) {
    throw new Error(`Not a FHIR date/dateTime: ${value}`);
  }
  // Precision is the second unless milliseconds are given.
  return { low: instant, high: /\.\d+/.test(value) ? instant : instant + 999 };
}

/** A Period covers now when now lies within it; either end may be open; absent means always. */
export function periodCovers(period: Period | undefined, now: Date): boolean {
  if (!period) {
    return true;
  }
  const t = now.getTime();
  if (period.start && dateBounds(period.start).low > t) {
    return false;
  }
  if (period.end && dateBounds(period.end).high < t) {
    return false;
  }
  return true;
}

/** Today's date as `YYYY-MM-DD`. Reading: "today" is the UTC date. */
export function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// What each resource is: patient, source organisation, category
// ---------------------------------------------------------------------------------------------

/**
 * Where each type of the R4 Patient CompartmentDefinition references its patient (the params of the
 * definition, written out as element paths) for the types the model knows; the generators produce
 * only these types and directory types.
 */
const COMPARTMENT_PATHS: Record<string, readonly string[]> = {
  AllergyIntolerance: ['patient', 'recorder', 'asserter'],
  Appointment: ['participant.actor'],
  AuditEvent: ['agent.who', 'entity.what'],
  Basic: ['subject', 'author'],
  CarePlan: ['subject', 'activity.detail.performer'],
  CareTeam: ['subject', 'participant.member'],
  Claim: ['patient', 'payee.party'],
  Communication: ['subject', 'sender', 'recipient'],
  Composition: ['subject', 'author', 'attester.party'],
  Condition: ['subject', 'asserter'],
  Consent: ['patient'],
  Coverage: ['policyHolder', 'subscriber', 'beneficiary', 'payor'],
  DiagnosticReport: ['subject'],
  DocumentReference: ['subject', 'author'],
  Encounter: ['subject'],
  EpisodeOfCare: ['patient'],
  Flag: ['subject'],
  Goal: ['subject'],
  ImagingStudy: ['subject'],
  List: ['subject', 'source'],
  Immunization: ['patient'],
  MedicationAdministration: ['subject', 'performer.actor'],
  MedicationDispense: ['subject', 'receiver'],
  MedicationRequest: ['subject'],
  MedicationStatement: ['subject'],
  Observation: ['subject', 'performer'],
  Person: ['link.target'],
  Procedure: ['subject', 'performer.actor'],
  RelatedPerson: ['patient'],
  RiskAssessment: ['subject'],
  Schedule: ['actor'],
  ServiceRequest: ['subject', 'performer'],
  Specimen: ['subject'],
};

/** The types whose place in a patient's compartment the model knows. */
export const COMPARTMENT_TYPES: readonly string[] = Object.keys(COMPARTMENT_PATHS);

/** Every value at a dotted path, flattening arrays on the way. */
function valuesAt(node: unknown, path: readonly string[]): unknown[] {
  if (node === undefined || node === null) {
    return [];
  }
  if (Array.isArray(node)) {
    return node.flatMap((item) => valuesAt(item, path));
  }
  const [head, ...rest] = path;
  if (head === undefined) {
    return [node];
  }
  return typeof node === 'object' ? valuesAt((node as Record<string, unknown>)[head], rest) : [];
}

/** The resource's patient: a Patient is its own; else the first Patient its compartment paths name. */
export function patientOf(world: World, resource: Resource): string | null {
  if (resource.resourceType === 'Patient') {
    return resource.id ?? null;
  }
  if (isCohort(resource)) {
    return null;
  }
  for (const path of COMPARTMENT_PATHS[resource.resourceType] ?? []) {
    for (const value of valuesAt(resource, path.split('.'))) {
      const id = refId(world, value as Reference, 'Patient');
      if (id) {
        return id;
      }
    }
  }
  return null;
}

/** Reading (docs/ACCESS.md, *Data about several patients*): a Group is about several patients, no one's. */
export function isCohort(resource: Resource): boolean {
  return resource.resourceType === 'Group';
}

/**
 * Reading (docs/ACCESS.md, *Owned data*): a worklist (List) or a draft (Basic) about no patient is
 * owned data, as a cohort is.
 */
export function isOwnedData(world: World, resource: Resource): boolean {
  return (
    isCohort(resource) || (['List', 'Basic'].includes(resource.resourceType) && patientOf(world, resource) === null)
  );
}

export function isDirectoryData(world: World, resource: Resource): boolean {
  return !isOwnedData(world, resource) && patientOf(world, resource) === null;
}

/**
 * The public directory (docs/ACCESS.md, *Directory data*): what NHS.UK publishes (organisations,
 * sites, services, clinicians and their roles), medicines, a Slot while it is free, a Schedule unless
 * inactive. Patients and carers read only this of the directory.
 */
export function isPublicDirectory(world: World, resource: Resource): boolean {
  if (!isDirectoryData(world, resource)) {
    return false;
  }
  switch (resource.resourceType) {
    case 'Slot':
      return resource.status === 'free';
    case 'Schedule':
      return resource.active !== false;
    default:
      return [
        'Organization',
        'Location',
        'HealthcareService',
        'Practitioner',
        'PractitionerRole',
        'Medication',
      ].includes(resource.resourceType);
  }
}

const SHARED_WITH = 'https://careweave.example/fhir/StructureDefinition/shared-with';

/**
 * Owners of owned data: whom Group.managingEntity, List.source or Basic.author names when it is a
 * Practitioner, PractitionerRole or Organization; else its source organisation (`sourceOrg`, which
 * for a staff write is the writer's organisation); else nobody.
 */
export function ownersOf(world: World, resource: Resource, sourceOrg: string | null): string[] {
  const element =
    resource.resourceType === 'Group'
      ? resource.managingEntity
      : resource.resourceType === 'List'
        ? resource.source
        : resource.resourceType === 'Basic'
          ? resource.author
          : undefined;
  const named = localRef(world, element);
  if (named && /^(Practitioner|PractitionerRole|Organization)\//.test(named)) {
    return [named];
  }
  return sourceOrg ? [`Organization/${sourceOrg}`] : [];
}

/** Whom owned data is shared with: each shared-with extension naming a Practitioner, CareTeam or Organization. */
export function sharesOf(world: World, resource: Resource): string[] {
  return ((resource as { extension?: { url: string; valueReference?: Reference }[] }).extension ?? [])
    .filter((e) => e.url === SHARED_WITH)
    .flatMap((e) => localRef(world, e.valueReference) ?? [])
    .filter((ref) => /^(Practitioner|CareTeam|Organization)\//.test(ref));
}

/** The staff actor is a current member of CareTeam `ref`: the team in force, a participant naming them or their organisation. */
function onTeam(world: World, actor: StaffActor, ref: string, now: Date): boolean {
  const team = world.careTeams.find((t) => `CareTeam/${t.id}` === ref);
  return (
    team !== undefined &&
    (team.status === undefined || team.status === 'active') &&
    (team.participant ?? []).some((p) => {
      const member = localRef(world, p.member);
      return (
        (member === `Organization/${actor.organizationId}` || member === `Practitioner/${actor.practitionerId}`) &&
        periodCovers(p.period, now)
      );
    })
  );
}

/** Names under which owned data may name a member of staff: them, their role profile, their organisation. */
function ownedNamesOf(actor: StaffActor): string[] {
  return [
    `Practitioner/${actor.practitionerId}`,
    `Organization/${actor.organizationId}`,
    ...(actor.practitionerRoleId ? [`PractitionerRole/${actor.practitionerRoleId}`] : []),
  ];
}

/** Staff reading owned data: its owners, then whom it is shared with; nobody else. */
function decideOwnedRead(
  world: World,
  actor: StaffActor,
  resource: Resource,
  sourceOrg: string | null,
  now: Date,
): Decision {
  const what = isCohort(resource) ? 'a cohort' : `owned ${resource.resourceType}`;
  const names = ownedNamesOf(actor);
  if (ownersOf(world, resource, sourceOrg).some((o) => names.includes(o))) {
    return { allow: true, rule: 'staff 1: owned data, its owner', detail: what };
  }
  const shares = sharesOf(world, resource);
  if (shares.includes(`Practitioner/${actor.practitionerId}`)) {
    return { allow: true, rule: 'staff 1: owned data, shared with them', detail: what };
  }
  if (shares.includes(`Organization/${actor.organizationId}`)) {
    return { allow: true, rule: 'staff 1: owned data, shared with their organisation', detail: what };
  }
  if (shares.some((ref) => ref.startsWith('CareTeam/') && onTeam(world, actor, ref, now))) {
    return { allow: true, rule: 'staff 1: owned data, shared with a team they are on', detail: what };
  }
  return { allow: false, rule: 'staff 1: owned data, not theirs nor shared with them', detail: what };
}

/** `meta.source` when it is `…/Organization/{id}` or `Organization/{id}`. */
function metaSourceOrganisation(resource: Resource): string | undefined {
  const source = resource.meta?.source;
  const m = source ? /(?:^|\/)Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(source) : null;
  return m?.[1];
}

function findPatient(world: World, id: string | null): Patient | undefined {
  return id ? world.patients.find((p) => p.id === id) : undefined;
}

/** The registered practice: the first Organization among `Patient.generalPractitioner`. */
function registeredPractice(world: World, patient: Patient | undefined): string | undefined {
  for (const gp of patient?.generalPractitioner ?? []) {
    const id = refId(world, gp, 'Organization');
    if (id) {
      return id;
    }
  }
  return undefined;
}

/**
 * The organisation whose record this is, for a write that is not by a staff actor (a staff actor's
 * writes are always their organisation's). In order: meta.source; Encounter.serviceProvider; the
 * organisation of the resource's `encounter`; a Patient's managingOrganization; the patient's
 * registered practice; none.
 *
 * Reading: "the organisation of the resource's encounter" is that Encounter's own source
 * organisation (computed by these same rules), and only the element named `encounter` counts
 * (not DocumentReference.context.encounter). A Consent has none; a portal resource does not take
 * its encounter's.
 */
export function sourceOrganisationOf(world: World, resource: Resource): string | null {
  // A Consent is the patient's own: no organisation's record.
  if (resource.resourceType === 'Consent') {
    return null;
  }
  const fromMeta = metaSourceOrganisation(resource);
  if (fromMeta) {
    return fromMeta;
  }
  if (resource.resourceType === 'Encounter') {
    const provider = refId(world, resource.serviceProvider, 'Organization');
    if (provider) {
      return provider;
    }
  }
  const encounterRef = (resource as { encounter?: Reference }).encounter;
  // What the portal wrote (tagged record-origin|patient-portal) never borrows an encounter's source.
  const encounterId =
    resource.resourceType === 'Encounter' || isFromPortal(resource)
      ? undefined
      : refId(world, encounterRef, 'Encounter');
  const encounter = encounterId ? world.encounters.find((e) => e.id === encounterId) : undefined;
  if (encounter) {
    const viaEncounter = sourceOrganisationOf(world, encounter);
    if (viaEncounter) {
      return viaEncounter;
    }
  }
  if (resource.resourceType === 'Patient') {
    const managing = refId(world, resource.managingOrganization, 'Organization');
    if (managing) {
      return managing;
    }
  }
  const patient = resource.resourceType === 'Patient' ? resource : findPatient(world, patientOf(world, resource));
  return registeredPractice(world, patient) ?? null;
}

export const PORTAL_ORIGIN_TAG = {
  system: 'https://careweave.example/fhir/CodeSystem/record-origin',
  code: 'patient-portal',
};

/** Written through the portal: tagged `record-origin|patient-portal`. */
export function isFromPortal(resource: Resource): boolean {
  return (resource.meta?.tag ?? []).some(
    (t) => t.system === PORTAL_ORIGIN_TAG.system && t.code === PORTAL_ORIGIN_TAG.code,
  );
}

export function organisationType(world: World, organisationId: string | null): OrganisationType | undefined {
  const organisation = world.organisations.find((o) => o.id === organisationId);
  for (const type of organisation?.type ?? []) {
    for (const coding of type.coding ?? []) {
      if (coding.system === ORGANISATION_TYPE_SYSTEM && coding.code) {
        return coding.code as OrganisationType;
      }
    }
  }
  return undefined;
}

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const SENSITIVITY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/sensitivity';

const BASE_CATEGORY: Record<string, DataCategory> = {
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
 * Documented role rules (docs/ACCESS.md, *Need to know*): R8010 clerical sees who the patient is and
 * their appointments only.
 */
const ROLE_LIMITS: Readonly<Record<string, readonly DataCategory[]>> = { R8010: ['demographics', 'appointments'] };

const RECIPIENT_ROLE_URL = 'https://careweave.example/fhir/StructureDefinition/recipient-job-role';

/**
 * Not for online view (docs/ACCESS.md, *What the patient sees*): marked `not-for-online-view`, or
 * carrying any safeguarding label (even when another label decides the category) and not marked
 * `online-view-released`.
 */
export function isWithheldOnline(resource: Resource): boolean {
  const labels = resource.meta?.security ?? [];
  const marked = (code: string): boolean => labels.some((l) => l.system === SENSITIVITY_SYSTEM && l.code === code);
  if (marked('not-for-online-view')) {
    return true;
  }
  // Any safeguarding label counts, whatever category the labels give the resource.
  const safeguarding = labels.some(
    (l) =>
      (l.system === ACT_CODE && (l.code === 'SDV' || l.code === 'SOC')) ||
      (l.system === SENSITIVITY_SYSTEM && l.code === 'safeguarding'),
  );
  return safeguarding && !marked('online-view-released');
}

function isLaboratoryObservation(resource: Resource): boolean {
  return (
    resource.resourceType === 'Observation' &&
    (resource.category ?? []).some((c) => (c.coding ?? []).some((coding) => coding.code === 'laboratory'))
  );
}

/**
 * The sensitive category a security label puts the resource in, if any. Reading: with several
 * sensitive labels, the first in the spec's order wins (mental-health, sexual-health, safeguarding).
 */
function labelledCategory(resource: Resource): DataCategory | undefined {
  const labels = resource.meta?.security ?? [];
  const has = (system: string, codes: string[]): boolean =>
    labels.some((l) => l.system === system && l.code !== undefined && codes.includes(l.code));
  if (has(ACT_CODE, ['PSY', 'PSYTHPN', 'MH'])) {
    return 'mental-health';
  }
  if (has(ACT_CODE, ['SEX', 'STD', 'HIV'])) {
    return 'sexual-health';
  }
  if (has(ACT_CODE, ['SDV', 'SOC']) || has(SENSITIVITY_SYSTEM, ['safeguarding'])) {
    return 'safeguarding';
  }
  return undefined;
}

/** Labels of what is about no one patient: a cohort, owned data, the public directory (else null). */
export type NoPatientCategory = 'cohort' | 'owned' | 'public-directory';

/**
 * The resource's data category; for what is about no one patient: `cohort` (data about several
 * patients), `owned` (a worklist or draft), `public-directory`, or null (the rest of the directory).
 */
export function categoryOf(world: World, resource: Resource): DataCategory | NoPatientCategory | null {
  if (isCohort(resource)) {
    return 'cohort';
  }
  if (isOwnedData(world, resource)) {
    return 'owned';
  }
  if (isDirectoryData(world, resource)) {
    return isPublicDirectory(world, resource) ? 'public-directory' : null;
  }
  const labelled = labelledCategory(resource);
  if (labelled) {
    return labelled;
  }
  const sourceType = organisationType(world, sourceOrganisationOf(world, resource));
  if (sourceType === 'mental-health') {
    return 'mental-health';
  }
  if (sourceType === 'social-care') {
    return 'social-care';
  }
  if (isLaboratoryObservation(resource)) {
    return 'results';
  }
  return BASE_CATEGORY[resource.resourceType] ?? 'other';
}

export interface ResourceLabels {
  patientId: string | null;
  sourceOrg: string | null;
  category: DataCategory | NoPatientCategory | null;
}

export function labelsOf(world: World, resource: Resource): ResourceLabels {
  return {
    patientId: patientOf(world, resource),
    sourceOrg: sourceOrganisationOf(world, resource),
    category: categoryOf(world, resource),
  };
}

/** Categories the patient must permit explicitly: sexual health (docs/ACCESS.md, *Sensitive information*). */
export function needsExplicitPermit(category: DataCategory | null): boolean {
  return category === 'sexual-health';
}

export function isSensitive(category: DataCategory | null): boolean {
  return category !== null && SENSITIVE_CATEGORIES.includes(category);
}

export function isOutsideNhs(type: OrganisationType | undefined): boolean {
  return type !== undefined && OUTSIDE_NHS.includes(type);
}

// ---------------------------------------------------------------------------------------------
// Legitimate relationships (staff only)
// ---------------------------------------------------------------------------------------------

export type RelationshipKind =
  'registered-practice' | 'care-team' | 'referral' | 'open-encounter' | 'open-episode' | 'declared';

const OPEN_ENCOUNTER_STATUSES = ['in-progress', 'arrived', 'triaged', 'onleave'];

/** The first relationship (in the spec's order) between (O or Pr) and patient P now, if any. */
export function relationshipWith(
  world: World,
  actor: StaffActor,
  patientId: string,
  now: Date,
): RelationshipKind | undefined {
  const org = `Organization/${actor.organizationId}`;
  const practitioner = `Practitioner/${actor.practitionerId}`;
  const isPatient = (ref: Reference | undefined): boolean => refId(world, ref, 'Patient') === patientId;
  const isOrg = (ref: Reference | undefined): boolean => localRef(world, ref) === org;
  const isOrgOrPractitioner = (ref: Reference | undefined): boolean => {
    const local = localRef(world, ref);
    return local === org || local === practitioner;
  };

  // 1. registered practice
  const patient = findPatient(world, patientId);
  if (patient && ((patient.generalPractitioner ?? []).some(isOrg) || isOrg(patient.managingOrganization))) {
    return 'registered-practice';
  }
  // 2. care team
  const onCareTeam = world.careTeams.some(
    (team) =>
      isPatient(team.subject) &&
      (team.status === undefined || team.status === 'active') &&
      (team.participant ?? []).some((p) => isOrgOrPractitioner(p.member) && periodCovers(p.period, now)),
  );
  if (onCareTeam) {
    return 'care-team';
  }
  // 3. referral
  const referred = world.serviceRequests.some(
    (request) =>
      isPatient(request.subject) && request.status === 'active' && (request.performer ?? []).some(isOrgOrPractitioner),
  );
  if (referred) {
    return 'referral';
  }
  // 4. open episode
  const openEncounter = world.encounters.some(
    (encounter) =>
      isPatient(encounter.subject) &&
      OPEN_ENCOUNTER_STATUSES.includes(encounter.status) &&
      isOrg(encounter.serviceProvider),
  );
  if (openEncounter) {
    return 'open-encounter';
  }
  const openEpisode = world.episodes.some(
    (episode) => isPatient(episode.patient) && episode.status === 'active' && isOrg(episode.managingOrganization),
  );
  if (openEpisode) {
    return 'open-episode';
  }
  // 5. declared by the practitioner, with a reason, until it expires
  const declared = (world.declared ?? []).some(
    (d) =>
      d.practitionerId === actor.practitionerId && d.patientId === patientId && Date.parse(d.expiresAt) > now.getTime(),
  );
  return declared ? 'declared' : undefined;
}

// ---------------------------------------------------------------------------------------------
// Information-sharing agreements
// ---------------------------------------------------------------------------------------------

export interface GrantQuestion {
  provider: string | null;
  recipient: string;
  category: DataCategory;
  role: string;
  purpose: Purpose;
}

/** Why an agreement does not grant, or undefined when it does. */
export function agreementRefusal(agreement: Agreement, q: GrantQuestion, now: Date): string | undefined {
  const day = today(now);
  const parties = new Set([...agreement.providers, ...agreement.recipients]);
  const signed = new Set(agreement.signatures.map((s) => s.organizationId));
  if (agreement.withdrawn) {
    return 'withdrawn';
  }
  if (day < agreement.validFrom || (agreement.validTo !== undefined && day > agreement.validTo)) {
    return 'not valid today';
  }
  if ([...parties].some((party) => !signed.has(party))) {
    return 'not signed by every party';
  }
  if (q.provider === null || !agreement.providers.includes(q.provider)) {
    return 'source is not a provider';
  }
  if (!agreement.recipients.includes(q.recipient)) {
    return 'not a recipient';
  }
  if (q.recipient === q.provider) {
    return 'recipient is the provider';
  }
  if (!agreement.categories.includes(q.category)) {
    return 'category not covered';
  }
  if (agreement.recipientRoles.length > 0 && !agreement.recipientRoles.includes(q.role)) {
    return 'role not covered';
  }
  if (!agreement.purposes.includes(q.purpose)) {
    return 'purpose not covered';
  }
  return undefined;
}

export function grantingAgreement(world: World, q: GrantQuestion, now: Date): Agreement | undefined {
  return world.agreements.find((agreement) => agreementRefusal(agreement, q, now) === undefined);
}

// ---------------------------------------------------------------------------------------------
// Patient consent
// ---------------------------------------------------------------------------------------------

/** One provision of an active privacy Consent, flattened: nested provisions inherit nothing. */
export interface ConsentRule {
  consentId: string;
  type: 'deny' | 'permit';
  /** `Type/id` of each actor; empty means everyone. */
  actors: string[];
  /** The categories; undefined means all categories. */
  categories?: string[];
  period?: Period;
}

function isPrivacyConsent(consent: Consent): boolean {
  return (consent.scope?.coding ?? []).some((c) => c.code === 'patient-privacy');
}

/**
 * The rules of patient P in force now: provisions (top level and nested, any depth) with a type, of
 * Consents with patient P, scope patient-privacy and status active, whose period covers now.
 * Reading: a code[] entry counts only through codings of the data-category system; a rule whose
 * codes have none of them covers no category.
 */
export function consentRules(world: World, patientId: string, now: Date): ConsentRule[] {
  const rules: ConsentRule[] = [];
  const visit = (consentId: string, provision: ConsentProvision): void => {
    if (provision.type && periodCovers(provision.period, now)) {
      const codes = provision.code ?? [];
      rules.push({
        consentId,
        type: provision.type,
        actors: (provision.actor ?? []).map((a) => {
          // Reading: only a well-formed local reference names anyone (a crafted `Organization/x|R8000`
          // names nobody; only the extension qualifies an organisation by role).
          const local = localRef(world, a.reference);
          const ref = local && /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(local) ? local : '(unresolvable)';
          const role = a.extension?.find((e) => e.url === RECIPIENT_ROLE_URL)?.valueCoding?.code;
          // Reading: a job role narrows an organisation to its staff in that role; a person is named
          // whatever their role.
          return role !== undefined && ref.startsWith('Organization/') ? `${ref}|${role}` : ref;
        }),
        categories:
          codes.length === 0
            ? undefined
            : codes.flatMap((c) =>
                (c.coding ?? []).filter((x) => x.system === DATA_CATEGORY_SYSTEM).map((x) => x.code ?? ''),
              ),
        period: provision.period,
      });
    }
    for (const nested of provision.provision ?? []) {
      visit(consentId, nested);
    }
  };
  for (const consent of world.consents) {
    if (
      refId(world, consent.patient, 'Patient') === patientId &&
      consent.status === 'active' &&
      isPrivacyConsent(consent) &&
      consent.provision
    ) {
      visit(consent.id ?? '?', consent.provision);
    }
  }
  return rules;
}

function covers(rule: ConsentRule, category: DataCategory): boolean {
  return rule.categories === undefined || rule.categories.includes(category);
}

/**
 * A rule matches a staff actor when it has no actors, or names the actor's organisation or
 * practitioner, or names a CareTeam (active, subject P) with the organisation or practitioner as a
 * participant. As the spec settles it: "active" is status `active` or no status, and a participant
 * counts only while its `participant.period` (if any) covers now — as for the care-team relationship.
 */
export function ruleMatchesStaff(
  world: World,
  rule: ConsentRule,
  actor: StaffActor,
  patientId: string,
  now: Date,
): boolean {
  if (rule.actors.length === 0) {
    return true;
  }
  const org = `Organization/${actor.organizationId}`;
  const practitioner = `Practitioner/${actor.practitionerId}`;
  return rule.actors.some((ref) => {
    if (namesStaff(ref, actor)) {
      return true;
    }
    const teamId = ref.startsWith('CareTeam/') ? ref.slice('CareTeam/'.length) : undefined;
    const team = teamId ? world.careTeams.find((t) => t.id === teamId) : undefined;
    return (
      team !== undefined &&
      (team.status === undefined || team.status === 'active') &&
      refId(world, team.subject, 'Patient') === patientId &&
      (team.participant ?? []).some((p) => {
        const member = localRef(world, p.member);
        return (member === org || member === practitioner) && periodCovers(p.period, now);
      })
    );
  });
}

/** A rule names the staff actor when one of its actors is their organisation or practitioner. */
/**
 * The Consent whose active permit names the actor's organisation or the actor and covers C, when no
 * matching deny (nor an opt-out) withholds C: the patient's own choice to share with them, a reason
 * to see in itself (docs/ACCESS.md, rule 3b).
 */
function permitNaming(
  world: World,
  actor: StaffActor,
  patientId: string,
  category: DataCategory,
  now: Date,
): string | undefined {
  if (consentWithholds(world, actor, patientId, category, now, false)) {
    return undefined;
  }
  return consentRules(world, patientId, now).find(
    (r) => r.type === 'permit' && covers(r, category) && ruleNamesStaff(r, actor),
  )?.consentId;
}

/** An actor of a rule names the staff actor: their organisation, its staff in their role, or them. */
function namesStaff(ref: string, actor: StaffActor): boolean {
  return (
    ref === `Organization/${actor.organizationId}` ||
    ref === `Organization/${actor.organizationId}|${actor.roleCode}` ||
    ref === `Practitioner/${actor.practitionerId}`
  );
}

function ruleNamesStaff(rule: ConsentRule, actor: StaffActor): boolean {
  return rule.actors.some((ref) => namesStaff(ref, actor));
}

/** Matches a related person only when it names them; rules without actors never do. */
function ruleMatchesRelatedPerson(rule: ConsentRule, actor: RelatedPersonActor): boolean {
  return rule.actors.includes(`RelatedPerson/${actor.relatedPersonId}`);
}

export type Withholding = 'opt-out' | 'deny' | 'explicit-permit-missing';

/**
 * Consent rules 1–3 for staff viewing another organisation's data about P in category C. Rule 1
 * (opt-out) and rule 2 (deny) are checked always; rule 3 only when `includeSensitive`.
 */
export function consentWithholds(
  world: World,
  actor: StaffActor,
  patientId: string,
  category: DataCategory,
  now: Date,
  includeSensitive: boolean,
): Withholding | undefined {
  const matching = consentRules(world, patientId, now).filter((rule) =>
    ruleMatchesStaff(world, rule, actor, patientId, now),
  );
  // 1. Opt-out: a matching deny with no actors and no codes withholds everything.
  if (matching.some((r) => r.type === 'deny' && r.actors.length === 0 && r.categories === undefined)) {
    return 'opt-out';
  }
  // 2. A matching deny covering C.
  if (matching.some((r) => r.type === 'deny' && covers(r, category))) {
    return 'deny';
  }
  // 3. Sexual health needs the patient's explicit permit; the other sensitive categories are shared
  //    for direct care under an agreement naming them (implied consent) unless the patient objects.
  if (
    includeSensitive &&
    needsExplicitPermit(category) &&
    !matching.some((r) => r.type === 'permit' && covers(r, category))
  ) {
    return 'explicit-permit-missing';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The decision
// ---------------------------------------------------------------------------------------------

export interface Decision {
  allow: boolean;
  /** The step of docs/ACCESS.md *The decision* that decided, e.g. `staff 6: no agreement`. */
  rule: string;
  /** Details for a reader: labels, relationship, agreement, consent rule. */
  detail?: string;
}

function unexpiredBreakGlass(
  world: World,
  actor: StaffActor,
  patientId: string,
  now: Date,
): BreakGlassSession | undefined {
  return world.breakGlass.find(
    (s) => s.userId === actor.userId && s.patientId === patientId && Date.parse(s.expiresAt) > now.getTime(),
  );
}

function decideStaff(world: World, actor: StaffActor, resource: Resource, now: Date): Decision {
  const { patientId, sourceOrg, category } = labelsOf(world, resource);
  const labels = `patient ${patientId}, source ${sourceOrg}, category ${category}`;
  // 1. directory data, public or not; owned data (a cohort, a worklist) only for its owners and sharees
  if (category === 'cohort' || category === 'owned') {
    return decideOwnedRead(world, actor, resource, sourceOrg, now);
  }
  if (patientId === null || category === null || category === 'public-directory') {
    return { allow: true, rule: `staff 1: directory data${category ? ' (public)' : ''}` };
  }
  // 1a. a documented role rule limits the categories the role ever sees
  const limit = ROLE_LIMITS[actor.roleCode];
  if (limit && !limit.includes(category)) {
    return { allow: false, rule: `staff 1a: role ${actor.roleCode} never sees ${category}`, detail: labels };
  }
  // 3. break-glass
  const session = unexpiredBreakGlass(world, actor, patientId, now);
  if (session) {
    return { allow: true, rule: 'staff 3: break-glass', detail: `until ${session.expiresAt}` };
  }
  // 3b. the patient's own permission naming them: exactly the categories and period it covers
  const namedPermit = permitNaming(world, actor, patientId, category, now);
  if (namedPermit) {
    return { allow: true, rule: 'staff 3b: a permit naming them', detail: `Consent/${namedPermit}; ${labels}` };
  }
  // 4. legitimate relationship
  const relationship = relationshipWith(world, actor, patientId, now);
  if (!relationship) {
    return { allow: false, rule: 'staff 4: no legitimate relationship', detail: labels };
  }
  // 2. own organisation's record, seen by its staff with a relationship (need to know)
  if (sourceOrg === actor.organizationId) {
    return {
      allow: true,
      rule: "staff 2: own organisation's record",
      detail: `${labels}; relationship ${relationship}`,
    };
  }
  // 4a. the patient's Consents, for NHS staff with a relationship
  if (resource.resourceType === 'Consent' && !isOutsideNhs(actor.organizationType)) {
    return { allow: true, rule: "staff 4a: the patient's consent, with a relationship", detail: labels };
  }
  // 5. outside the NHS: consent alone decides
  if (isOutsideNhs(actor.organizationType)) {
    const withheld = consentWithholds(world, actor, patientId, category, now, false);
    if (withheld) {
      return { allow: false, rule: `staff 5: outside NHS, consent ${withheld}`, detail: labels };
    }
    const permit = consentRules(world, patientId, now).find(
      (r) => r.type === 'permit' && covers(r, category) && ruleNamesStaff(r, actor),
    );
    return permit
      ? {
          allow: true,
          rule: 'staff 5: outside NHS with a permit naming them',
          detail: `Consent/${permit.consentId}; ${labels}`,
        }
      : { allow: false, rule: 'staff 5: outside NHS without a permit naming them', detail: labels };
  }
  // 6. an agreement must grant (S -> O, C, R, direct-care)
  const agreement = grantingAgreement(
    world,
    { provider: sourceOrg, recipient: actor.organizationId, category, role: actor.roleCode, purpose: 'direct-care' },
    now,
  );
  if (!agreement) {
    return { allow: false, rule: 'staff 6: no agreement grants', detail: `${labels}; relationship ${relationship}` };
  }
  // 7. consent
  const withheld = consentWithholds(world, actor, patientId, category, now, true);
  if (withheld) {
    return { allow: false, rule: `staff 7: consent ${withheld}`, detail: `${labels}; agreement ${agreement.id}` };
  }
  // 8.
  return {
    allow: true,
    rule: 'staff 8: agreement, relationship and consent',
    detail: `${labels}; agreement ${agreement.id}`,
  };
}

function decideRelatedPerson(world: World, actor: RelatedPersonActor, resource: Resource, now: Date): Decision {
  const { patientId, category } = labelsOf(world, resource);
  if (category === 'cohort') {
    return { allow: false, rule: 'related-person: a cohort is no one patient’s record' };
  }
  if (category === 'owned') {
    return { allow: false, rule: 'related-person: owned data is its owner’s' };
  }
  if (patientId === null || category === null || category === 'public-directory') {
    return directoryForCitizen('related-person', world, resource);
  }
  if (resource.resourceType === 'RelatedPerson' && resource.id === actor.relatedPersonId) {
    return { allow: true, rule: 'related-person: themselves' };
  }
  if (patientId !== actor.patientId) {
    return { allow: false, rule: 'related-person: another patient' };
  }
  if (isWithheldOnline(resource)) {
    return { allow: false, rule: 'related-person: not for online view' };
  }
  const naming = consentRules(world, patientId, now).filter(
    (r) => ruleMatchesRelatedPerson(r, actor) && covers(r, category),
  );
  if (naming.some((r) => r.type === 'deny')) {
    return { allow: false, rule: 'related-person: a deny naming them', detail: `category ${category}` };
  }
  return naming.some((r) => r.type === 'permit')
    ? { allow: true, rule: 'related-person: a permit naming them', detail: `category ${category}` }
    : { allow: false, rule: 'related-person: no permit naming them', detail: `category ${category}` };
}

/** The decision on reading `resource` (its current version), with the rule that made it. */
export function decideRead(world: World, actor: Actor, resource: Resource, now: Date): Decision {
  switch (actor.kind) {
    case 'staff':
      return decideStaff(world, actor, resource, now);
    case 'patient': {
      const patientId = patientOf(world, resource);
      if (isCohort(resource)) {
        return { allow: false, rule: 'patient: a cohort is no one patient’s record' };
      }
      if (isOwnedData(world, resource)) {
        return { allow: false, rule: 'patient: owned data is its owner’s' };
      }
      if (patientId === null) {
        return directoryForCitizen('patient', world, resource);
      }
      if (patientId !== actor.patientId) {
        return { allow: false, rule: "patient: another patient's record" };
      }
      return isWithheldOnline(resource)
        ? { allow: false, rule: 'patient: not for online view' }
        : { allow: true, rule: 'patient: their own record' };
    }
    case 'related-person':
      return decideRelatedPerson(world, actor, resource, now);
    case 'system': {
      const patientId = patientOf(world, resource);
      if ((actor.purpose === 'planning' || actor.purpose === 'research') && patientId === null) {
        // Reading (docs/ACCESS.md, *Directory data*): the directory is public (ODS), and owned data
        // is no one patient's record, so the National Data Opt-out does not apply to either.
        return isOwnedData(world, resource)
          ? { allow: true, rule: `system: ${actor.purpose}, owned data` }
          : { allow: true, rule: `system: ${actor.purpose}, directory data` };
      }
      if ((actor.purpose === 'planning' || actor.purpose === 'research') && patientId !== null) {
        return hasDataOptOut(world, patientId, now)
          ? { allow: false, rule: `system: ${actor.purpose}, the patient opted out (National Data Opt-out)` }
          : { allow: true, rule: `system: ${actor.purpose}, no opt-out` };
      }
      return { allow: true, rule: 'system: trusted' };
    }
  }
}

/**
 * A patient or carer reads the public directory — and a Subscription, whose own owner rule applies
 * elsewhere (fhir/subscriptions) — but no other directory data.
 */
function directoryForCitizen(who: 'patient' | 'related-person', world: World, resource: Resource): Decision {
  if (isPublicDirectory(world, resource)) {
    return { allow: true, rule: `${who}: directory data (public)` };
  }
  return resource.resourceType === 'Subscription'
    ? { allow: true, rule: `${who}: a Subscription (its owner rule applies)` }
    : { allow: false, rule: `${who}: directory data not published to patients` };
}

/**
 * The patient has a National Data Opt-out in force (docs/ACCESS.md, *Two kinds of opt-out*): an
 * active Consent with policy uri the national opt-out, scope `research`, a top-level `deny` whose
 * period covers now.
 */
function hasDataOptOut(world: World, patientId: string, now: Date): boolean {
  return world.consents.some(
    (c) =>
      refId(world, c.patient, 'Patient') === patientId &&
      c.status === 'active' &&
      (c.policy ?? []).some((p) => p.uri === 'https://digital.nhs.uk/services/national-data-opt-out') &&
      (c.scope?.coding ?? []).some((x) => x.code === 'research') &&
      c.provision?.type === 'deny' &&
      periodCovers(c.provision.period, now),
  );
}

export function canRead(world: World, actor: Actor, resource: Resource, now: Date): boolean {
  return decideRead(world, actor, resource, now).allow;
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

export interface WriteRequest {
  method: 'create' | 'update' | 'patch' | 'delete';
  /** The new content; for a delete, the resource being deleted. */
  resource: Resource;
  /** The current version, for update, patch and delete of an existing resource. */
  previous?: Resource;
}

/** A portal resource: Appointment, MedicationRequest with intent `proposal`, Observation from a device. */
export function isPortalResource(resource: Resource): boolean {
  switch (resource.resourceType) {
    case 'Appointment':
      return true;
    case 'MedicationRequest':
      return resource.intent === 'proposal';
    case 'Observation':
      return resource.device !== undefined; // Reading: "from a device" = Observation.device is set.
    default:
      return false;
  }
}

/** Every `reference` string anywhere in the content, as a local `Type/id` where it is one. */
function referencesIn(world: World, node: unknown): string[] {
  if (Array.isArray(node)) {
    return node.flatMap((item) => referencesIn(world, item));
  }
  if (!node || typeof node !== 'object') {
    return [];
  }
  return Object.entries(node).flatMap(([key, value]) => {
    if (key === 'reference' && typeof value === 'string') {
      const local = value.startsWith('#') ? undefined : localRef(world, value);
      return local ? [local] : [];
    }
    return referencesIn(world, value);
  });
}

/** Types whose instances can be a patient's data. Reading: Patient and the compartment's types. */
function canHoldPatientData(type: string): boolean {
  return type === 'Patient' || COMPARTMENT_TYPES.includes(type);
}

function findResource(world: World, ref: string): Resource | undefined {
  return allResources(world).find((r) => `${r.resourceType}/${r.id}` === ref);
}

/**
 * The write's references to what can hold patient data, and every patient it is about: its own
 * patient before and after, every Patient either version names, and the patient of everything else
 * either version references. `unresolved` is the first reference of the new content (to something
 * other than a Patient) that does not exist or that the actor may not read.
 */
function writeScope(
  world: World,
  actor: Actor,
  write: WriteRequest,
  now: Date,
): { patients: Set<string>; unresolved?: string } {
  const patients = new Set<string>();
  const add = (id: string | null | undefined): void => void (id && patients.add(id));
  const after = write.method === 'delete' ? undefined : write.resource;
  const targetPatient = (ref: string): string | null => {
    const target = findResource(world, ref);
    return target ? patientOf(world, target) : null;
  };
  let unresolved: string | undefined;
  for (const content of [after, write.previous]) {
    if (!content) {
      continue;
    }
    add(patientOf(world, content));
    for (const ref of referencesIn(world, content).filter((r) => canHoldPatientData(r.split('/')[0]!))) {
      if (ref.startsWith('Patient/')) {
        add(ref.slice('Patient/'.length)); // judged by the write rule, whether it exists or not
        continue;
      }
      const target = findResource(world, ref);
      if (content === after && !(target && canRead(world, actor, target, now))) {
        unresolved ??= ref;
        continue;
      }
      add(targetPatient(ref));
    }
  }
  return { patients, ...(unresolved ? { unresolved } : {}) };
}

/** RBAC roles that administer their organisation's directory entries (docs/ACCESS.md, *Directory data*). */
const DIRECTORY_ADMINS = ['R8008', 'R8013'];

/** The organisation owning a directory entry of these types. */
function directoryOwner(world: World, resource: Resource): string | null | undefined {
  switch (resource.resourceType) {
    case 'Organization':
      return resource.id ?? null;
    case 'PractitionerRole':
      return refId(world, resource.organization, 'Organization') ?? null;
    case 'Location':
      return refId(world, resource.managingOrganization, 'Organization') ?? null;
    case 'HealthcareService':
      return refId(world, resource.providedBy, 'Organization') ?? null;
    case 'Endpoint':
      return refId(world, resource.managingOrganization, 'Organization') ?? null;
    default:
      return undefined;
  }
}

function decideDirectoryWrite(world: World, actor: StaffActor, write: WriteRequest): Decision | undefined {
  const type = write.resource.resourceType;
  const owned = directoryOwner(world, write.resource) !== undefined;
  if (!owned && type !== 'Practitioner') {
    return undefined;
  }
  if (!DIRECTORY_ADMINS.includes(actor.roleCode)) {
    return { allow: false, rule: 'staff write: directory entries need a directory administrator' };
  }
  if (type === 'Organization') {
    const previous = write.previous;
    // Reading: every organisation-type coding counts, as a set.
    const typeOf = (r: Resource): string =>
      ((r as Organization).type ?? [])
        .flatMap((t) => t.coding ?? [])
        .filter((c) => c.system === ORGANISATION_TYPE_SYSTEM)
        .map((c) => c.code ?? '')
        .sort()
        .join(' ');
    if (write.method === 'create' || write.method === 'delete' || !previous || previous.id !== actor.organizationId) {
      return { allow: false, rule: 'staff write: only their own Organization, updated, by its administrators' };
    }
    return typeOf(previous) === typeOf(write.resource)
      ? { allow: true, rule: 'staff write: their own Organization' }
      : { allow: false, rule: "staff write: an organisation's type is the platform's to change" };
  }
  const owners = owned
    ? [write.method === 'delete' ? undefined : write.resource, write.previous].flatMap((r) =>
        r ? [directoryOwner(world, r)] : [],
      )
    : write.previous
      ? [sourceOrganisationOf(world, write.previous)]
      : [];
  return owners.every((o) => o === actor.organizationId)
    ? { allow: true, rule: "staff write: their organisation's directory entry" }
    : { allow: false, rule: "staff write: another organisation's directory entry" };
}

/**
 * Owned data (docs/ACCESS.md, *Owned data*): an owner changes or deletes it, and may hand it over or
 * share it with anyone; whom it is shared with may change its content but not its owners or shares,
 * nor delete it; a member of staff creates only what they own. A staff write makes the actor's
 * organisation the source, so a list owned by its source organisation changes hands when a sharee
 * from elsewhere rewrites it. Undefined when no version is owned data.
 */
function decideOwnedWrite(world: World, actor: StaffActor, write: WriteRequest): Decision | undefined {
  const after = write.method === 'delete' ? undefined : write.resource;
  const before = write.previous;
  const afterOwned = after !== undefined && isOwnedData(world, after);
  const beforeOwned = before !== undefined && isOwnedData(world, before);
  if (!afterOwned && !beforeOwned) {
    return undefined;
  }
  const names = ownedNamesOf(actor);
  const owns = (owners: string[]): boolean => owners.some((o) => names.includes(o));
  const principals = (r: Resource, source: string | null): string =>
    [...new Set([...ownersOf(world, r, source), ...sharesOf(world, r)])].sort().join(' ');
  if (before && beforeOwned) {
    const source = sourceOrganisationOf(world, before);
    if (owns(ownersOf(world, before, source))) {
      return { allow: true, rule: 'staff write: owned data, its owner' }; // then a cohort's members' relationships
    }
    if (!after) {
      return { allow: false, rule: 'staff write: owned data shared with them, only its owner deletes' };
    }
    return afterOwned && principals(after, actor.organizationId) === principals(before, source)
      ? { allow: true, rule: 'staff write: owned data shared with them, its content' }
      : { allow: false, rule: 'staff write: owned data shared with them, only its owner changes owners or shares' };
  }
  if (before && sourceOrganisationOf(world, before) !== actor.organizationId) {
    return { allow: false, rule: "staff write: not their organisation's resource" };
  }
  return after && !owns(ownersOf(world, after, actor.organizationId))
    ? { allow: false, rule: 'staff write: owned data they would not own' }
    : { allow: true, rule: 'staff write: owned data they own' };
}

/**
 * Staff record a Consent only on the patient's documented instruction, and never record or change a
 * rule naming themselves: their organisation, themselves, or a care team they are currently on.
 */
function decideConsentOnInstruction(world: World, actor: StaffActor, write: WriteRequest, now: Date): Decision {
  if (write.method === 'delete') {
    return { allow: false, rule: 'staff write: a Consent is never deleted by staff' };
  }
  const consent = write.resource as Consent;
  const instructed = (consent.verification ?? []).some(
    (v) =>
      v.verified &&
      v.verificationDate &&
      (refId(world, v.verifiedWith, 'Patient') !== undefined ||
        refId(world, v.verifiedWith, 'RelatedPerson') !== undefined),
  );
  if (!instructed) {
    return { allow: false, rule: "staff write: a Consent without the patient's instruction" };
  }
  const actorsOf = (provision: ConsentProvision | undefined): string[] =>
    provision
      ? [
          ...(provision.actor ?? []).flatMap((a) => localRef(world, a.reference) ?? []),
          ...(provision.provision ?? []).flatMap(actorsOf),
        ]
      : [];
  const org = `Organization/${actor.organizationId}`;
  const practitioner = `Practitioner/${actor.practitionerId}`;
  const onTeam = (ref: string): boolean =>
    world.careTeams.some(
      (team) =>
        `CareTeam/${team.id}` === ref &&
        refId(world, team.subject, 'Patient') !== undefined &&
        (team.status === undefined || team.status === 'active') &&
        (team.participant ?? []).some((p) => {
          const member = localRef(world, p.member);
          return (member === org || member === practitioner) && periodCovers(p.period, now);
        }),
    );
  const named = [consent, write.previous as Consent | undefined].flatMap((c) => (c ? actorsOf(c.provision) : []));
  return named.some((ref) => ref === org || ref === practitioner || onTeam(ref))
    ? { allow: false, rule: 'staff write: a consent rule about their own organisation, team or themselves' }
    : { allow: true, rule: "staff write: a Consent on the patient's instruction" };
}

function decideStaffWrite(
  world: World,
  actor: StaffActor,
  write: WriteRequest,
  patients: Set<string>,
  now: Date,
): Decision {
  const type = write.resource.resourceType;
  const kindRule =
    type === 'Consent'
      ? decideConsentOnInstruction(world, actor, write, now)
      : (decideDirectoryWrite(world, actor, write) ??
        decideOwnedWrite(world, actor, write) ??
        // Otherwise only the actor's organisation's own records change. Reading: a resource with no
        // source organisation is the platform's, changed by system clients only.
        (write.previous && sourceOrganisationOf(world, write.previous) !== actor.organizationId
          ? { allow: false, rule: "staff write: not their organisation's resource" }
          : undefined));
  if (kindRule && !kindRule.allow) {
    return kindRule;
  }
  // Every patient the write is about: a relationship or break-glass. A Patient created with the
  // actor's organisation as its practice is judged as written (registering is a relationship).
  const created =
    write.method === 'create' && type === 'Patient' ? { ...write.resource, id: 'new-patient' } : undefined;
  const judged = created ? { ...world, patients: [...world.patients, created] } : world;
  for (const patientId of created ? [...patients, 'new-patient'] : patients) {
    if (relationshipWith(judged, actor, patientId, now)) {
      continue;
    }
    if (!unexpiredBreakGlass(world, actor, patientId, now)) {
      return { allow: false, rule: 'staff write: no relationship or break-glass', detail: `patient ${patientId}` };
    }
    // Under break-glass alone, the write may not give the actor a relationship it did not have.
    if (write.method !== 'delete' && relationshipWith(withWritten(world, write.resource), actor, patientId, now)) {
      return { allow: false, rule: 'staff write: break-glass never becomes a relationship', detail: patientId };
    }
  }
  return kindRule ?? { allow: true, rule: 'staff write: directory data or relationship with every patient' };
}

/** The world with `resource` written (replacing its current version) in the list of its type. */
function withWritten(world: World, resource: Resource): World {
  const put = <T extends Resource>(list: T[]): T[] => [
    ...list.filter((r) => !(resource.id && r.id === resource.id)),
    resource as T,
  ];
  switch (resource.resourceType) {
    case 'CareTeam':
      return { ...world, careTeams: put(world.careTeams) };
    case 'ServiceRequest':
      return { ...world, serviceRequests: put(world.serviceRequests) };
    case 'Encounter':
      return { ...world, encounters: put(world.encounters) };
    case 'EpisodeOfCare':
      return { ...world, episodes: put(world.episodes) };
    case 'Patient':
      return { ...world, patients: put(world.patients) };
    default:
      return world;
  }
}

/** What a patient or carer writes, as the portal stores it: tagged, with no source claim. */
function asPortalWrite(resource: Resource): Resource {
  if (resource.resourceType === 'Consent') {
    return resource;
  }
  const { source: _source, ...meta } = resource.meta ?? {};
  void _source;
  return { ...resource, meta: { ...meta, tag: [...(meta.tag ?? []), PORTAL_ORIGIN_TAG] } };
}

function decidePortalWrite(
  world: World,
  actor: PatientActor | RelatedPersonActor,
  write: WriteRequest,
  patients: Set<string>,
  now: Date,
): Decision {
  const rule = actor.kind === 'patient' ? 'patient write' : 'related-person write';
  if (write.method === 'delete') {
    return { allow: false, rule: `${rule}: no deletes` };
  }
  const kind = (content: Resource): boolean =>
    content.resourceType === 'Consent'
      ? actor.kind === 'patient' && refId(world, content.patient, 'Patient') === actor.patientId
      : isPortalResource(content);
  if (![write.resource, ...(write.previous ? [write.previous] : [])].every(kind)) {
    return { allow: false, rule: `${rule}: not their Consent or a portal resource` };
  }
  if (patients.size !== 1 || !patients.has(actor.patientId)) {
    return { allow: false, rule: `${rule}: about another patient too`, detail: [...patients].join(', ') };
  }
  if (actor.kind === 'related-person') {
    const read = decideRelatedPerson(world, actor, asPortalWrite(write.resource), now);
    if (!read.allow) {
      return { allow: false, rule: `${rule}: ${read.rule}` };
    }
  }
  return { allow: true, rule: `${rule}: their Consent or portal resource` };
}

/**
 * The decision on a write (docs/ACCESS.md, *Writes*). Readings: patients and related persons may
 * not delete; a related person writes only the portal resources (not Consent), in categories a
 * permit naming them covers; the audit trail (AuditEvent) is read-only to everyone.
 */
export function decideWrite(world: World, actor: Actor, write: WriteRequest, now: Date): Decision {
  if (write.resource.resourceType === 'AuditEvent') {
    return { allow: false, rule: 'write: the audit trail is read-only' };
  }
  if (actor.kind === 'system') {
    return actor.purpose === 'planning' || actor.purpose === 'research'
      ? { allow: false, rule: `system: ${actor.purpose} clients only read` }
      : { allow: true, rule: 'system: trusted' };
  }
  if (write.previous && !canRead(world, actor, write.previous, now)) {
    return { allow: false, rule: 'write: hidden from the actor (answered as absent)' };
  }
  const { patients, unresolved } = writeScope(world, actor, write, now);
  if (unresolved) {
    return { allow: false, rule: 'write: a reference the actor cannot resolve', detail: unresolved };
  }
  return actor.kind === 'staff'
    ? decideStaffWrite(world, actor, write, patients, now)
    : decidePortalWrite(world, actor, write, patients, now);
}

export function canWrite(world: World, actor: Actor, write: WriteRequest, now: Date): boolean {
  return decideWrite(world, actor, write, now).allow;
}
