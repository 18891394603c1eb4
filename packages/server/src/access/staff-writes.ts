import type { Consent, ConsentProvision, Organization, Reference, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import { SqlParams } from '../fhir/search/sql-params.ts';
import { DIRECTORY_ADMIN_ROLES, ORGANISATION_TYPE_SYSTEM, type StaffActor } from './actor.ts';
import { forbidden, refuse } from './refusal.ts';
import { relationshipsOf } from './derived.ts';
import { breakGlassFor, relationshipExists } from './policy.ts';
import { isOwnedData, ownedNames, ownersOf, principalsOf } from './owned.ts';
import { localReference, patientOf, targetId } from './references.ts';
import type { WriteScope } from './write-scope.ts';

/**
 * The organisation that owns a directory entry of these types: only its directory administrators
 * (or the platform) may change it (docs/ACCESS.md, *Directory data*).
 */
const DIRECTORY_OWNER: Readonly<Record<string, (resource: Resource) => Reference | undefined>> = {
  Organization: (r) => ({ reference: `Organization/${r.id}` }),
  PractitionerRole: (r) => (r.resourceType === 'PractitionerRole' ? r.organization : undefined),
  Location: (r) => (r.resourceType === 'Location' ? r.managingOrganization : undefined),
  HealthcareService: (r) => (r.resourceType === 'HealthcareService' ? r.providedBy : undefined),
  Endpoint: (r) => (r.resourceType === 'Endpoint' ? r.managingOrganization : undefined),
};

/**
 * Staff writes (docs/ACCESS.md, *Writes*): every patient the write is about needs a legitimate
 * relationship or break-glass; a patient's Consent is recorded only on their instruction; directory
 * entries change only through their owners; otherwise only the actor's organisation's own records
 * change. Each resource is stamped with the actor's organisation as its source.
 */
export async function authorizeStaff(
  db: Queryable,
  actor: StaffActor,
  scopes: readonly WriteScope[],
  fhirBase: string,
): Promise<Resource[]> {
  const own = await ownNames(db, actor, scopes, fhirBase);
  for (const scope of scopes) {
    const type = scope.write.resource.resourceType;
    if (type === 'Consent') {
      checkConsentOnInstruction(scope, own, fhirBase);
    } else if (type in DIRECTORY_OWNER || type === 'Practitioner') {
      checkDirectoryEntry(actor, scope, fhirBase);
    } else if (touchesOwnedData(scope, fhirBase)) {
      checkOwnedWrite(actor, scope, fhirBase);
    } else if (scope.before && scope.before.sourceOrg !== actor.organizationId) {
      refuse(scope, forbidden(`${scope.key} is not your organisation's record; it cannot be changed`));
    }
  }
  await checkRelationships(db, actor, scopes, fhirBase);
  const source = `${fhirBase}/Organization/${actor.organizationId}`;
  // A Consent stays the patient's own: it gets no source (labels.ts drops any it carries).
  return scopes.map(({ write: { resource, method } }) =>
    method === 'delete' || resource.resourceType === 'Consent'
      ? resource
      : { ...resource, meta: { ...(resource.meta ?? {}), source } },
  );
}

/** Every patient of every write: a relationship or break-glass, except a Patient being registered here. */
async function checkRelationships(
  db: Queryable,
  actor: StaffActor,
  scopes: readonly WriteScope[],
  fhirBase: string,
): Promise<void> {
  const registering = new Set(scopes.filter((s) => registersHere(actor, s, fhirBase)).map((s) => s.write.resource.id!));
  const toCheck = [...new Set(scopes.flatMap((s) => [...s.patients]))].filter((p) => !registering.has(p));
  if (!toCheck.length) {
    return;
  }
  const params = new SqlParams();
  const list = params.add(toCheck);
  const org = `${params.add(actor.organizationId)}::text`;
  const practitioner = `${params.add(actor.practitionerId)}::text`;
  const user = `${params.add(actor.userId)}::text`;
  const rows = await db.query<{ p: string; glass: boolean }>(
    `select p, ${breakGlassFor('p', user)} as glass from unnest(${list}::text[]) as p
      where not ${relationshipExists('p', org, practitioner)}`,
    params.values as never,
  );
  const unrelated = rows.find((row) => !row.glass)?.p;
  if (unrelated) {
    const scope = scopes.find((s) => s.patients.has(unrelated))!;
    refuse(
      scope,
      forbidden(`No legitimate relationship with Patient/${unrelated}: records about this patient cannot be written`),
    );
  }
  checkNoStandingRelationship(actor, scopes, new Set(rows.map((row) => row.p)), fhirBase);
}

/**
 * Break-glass opens one patient's record for a few hours; it never turns into a standing
 * relationship. A write made only under break-glass may not derive a relationship for the actor's
 * own organisation or themselves (a care team, referral, open encounter or episode naming them):
 * that comes from someone who already has one, or from the organisation's own systems.
 */
function checkNoStandingRelationship(
  actor: StaffActor,
  scopes: readonly WriteScope[],
  glassOnly: ReadonlySet<string>,
  fhirBase: string,
): void {
  if (!glassOnly.size) {
    return;
  }
  const now = Date.now();
  for (const scope of scopes) {
    if (scope.write.method === 'delete') {
      continue;
    }
    const derived = relationshipsOf(scope.write.resource, fhirBase).find(
      (row) =>
        glassOnly.has(row.patientId) &&
        (row.organizationId === actor.organizationId || row.practitionerId === actor.practitionerId) &&
        (row.validFrom === null || Date.parse(row.validFrom) <= now) &&
        (row.validTo === null || Date.parse(row.validTo) >= now),
    );
    if (derived) {
      refuse(
        scope,
        forbidden(
          `${scope.key}: emergency access does not create a lasting relationship with Patient/${derived.patientId} ` +
            'for your organisation or yourself',
        ),
      );
    }
  }
}

/** A new Patient registered with the actor's organisation is a relationship in itself. */
function registersHere(actor: StaffActor, scope: WriteScope, fhirBase: string): boolean {
  const resource = scope.write.resource;
  return (
    resource.resourceType === 'Patient' &&
    scope.write.method !== 'delete' &&
    !scope.before &&
    [...(resource.generalPractitioner ?? []), resource.managingOrganization].some(
      (ref) => targetId(ref, 'Organization', fhirBase) === actor.organizationId,
    )
  );
}

/**
 * The references a consent rule could name the actor by: their organisation, themselves, and the
 * care teams named in the batch's Consents on which they are a current participant (a rule naming
 * such a team matches them, docs/ACCESS.md).
 */
async function ownNames(
  db: Queryable,
  actor: StaffActor,
  scopes: readonly WriteScope[],
  fhirBase: string,
): Promise<Set<string>> {
  const own = new Set([`Organization/${actor.organizationId}`, `Practitioner/${actor.practitionerId}`]);
  const teams = scopes
    .filter((s) => s.write.resource.resourceType === 'Consent')
    .flatMap((s) =>
      [s.write.resource, s.before?.resource].flatMap((c) => (c ? ruleActors(c as Consent, fhirBase) : [])),
    )
    .filter((ref) => ref.startsWith('CareTeam/'))
    .map((ref) => ref.slice('CareTeam/'.length));
  if (teams.length) {
    const rows = await db.query<{ id: string }>(
      `select distinct ar.care_team_id as id from access_relationship ar
        where ar.kind = 'care-team' and ar.care_team_id = any($1::text[])
          and (ar.organization_id = $2 or ar.practitioner_id = $3)
          and (ar.valid_from is null or ar.valid_from <= now()) and (ar.valid_to is null or ar.valid_to >= now())`,
      [[...new Set(teams)], actor.organizationId, actor.practitionerId],
    );
    rows.forEach((row) => own.add(`CareTeam/${row.id}`));
  }
  return own;
}

/**
 * A patient's Consent is theirs: staff record or change it only on the patient's documented
 * instruction (`verification` with `verified` true, `verifiedWith` the patient or their carer, and a
 * date), never delete it, and never record or change a rule that names themselves (their
 * organisation, themselves, or a care team they are on), before or after: a permit for themselves
 * would open what the patient withheld, and lifting a deny aimed at them the same.
 */
function checkConsentOnInstruction(scope: WriteScope, own: ReadonlySet<string>, fhirBase: string): void {
  const { write, key, before } = scope;
  if (write.method === 'delete') {
    refuse(
      scope,
      forbidden(`${key}: a patient's consent is withdrawn on their instruction (status inactive), not deleted`),
    );
  }
  const consent = write.resource as Consent;
  const instructed = (consent.verification ?? []).some(
    (v) =>
      v.verified &&
      v.verificationDate &&
      ['Patient', 'RelatedPerson'].some((type) => targetId(v.verifiedWith, type, fhirBase)),
  );
  if (!instructed) {
    refuse(
      scope,
      forbidden(
        `${key}: a Consent is the patient's own choice; staff record it only on the patient's instruction, ` +
          'given as Consent.verification (verified, verifiedWith the patient or their carer, verificationDate)',
      ),
    );
  }
  const named = [consent, before?.resource as Consent | undefined].flatMap((c) => (c ? ruleActors(c, fhirBase) : []));
  if (named.some((ref) => own.has(ref))) {
    refuse(
      scope,
      forbidden(
        `${key}: staff may not record or change a consent rule about their own organisation, a care team they are on, ` +
          'or themselves; the patient does that in the portal, or another organisation records their instruction',
      ),
    );
  }
}

/** Every actor named by any rule of a Consent, nested rules included, as local references. */
function ruleActors(consent: Consent, fhirBase: string): string[] {
  const visit = (provision: ConsentProvision | undefined): string[] =>
    provision
      ? [
          ...(provision.actor ?? []).flatMap((a) => localReference(a.reference, fhirBase) ?? []),
          ...(provision.provision ?? []).flatMap(visit),
        ]
      : [];
  return visit(consent.provision);
}

/**
 * Directory entries: an Organization, and the PractitionerRoles, Locations, HealthcareServices and
 * Endpoints it owns, change only through that organisation's directory administrators; a
 * Practitioner through the administrators of the organisation that added it. Organisations are
 * added and removed, and their type changed, only by the platform (a system client).
 */
function checkDirectoryEntry(actor: StaffActor, scope: WriteScope, fhirBase: string): void {
  const { write, key, before } = scope;
  const type = write.resource.resourceType;
  if (!DIRECTORY_ADMIN_ROLES.includes(actor.roleCode)) {
    refuse(scope, forbidden(`${key}: only your organisation's directory administrators may change directory entries`));
  }
  if (type === 'Organization') {
    if (write.method !== 'update' && write.method !== 'patch') {
      refuse(scope, forbidden(`${key}: organisations are added and removed by the platform administrator`));
    }
    if (!before || write.resource.id !== actor.organizationId) {
      refuse(scope, forbidden(`${key} is not your organisation`));
    }
    // Every organisation-type coding counts: adding a second type would relabel later records too.
    if (organisationTypes(before.resource) !== organisationTypes(write.resource)) {
      refuse(scope, forbidden(`${key}: an organisation's type is changed only by the platform administrator`));
    }
    return;
  }
  const owner = DIRECTORY_OWNER[type];
  const owners = owner
    ? [write.method === 'delete' ? undefined : write.resource, before?.resource].flatMap((r) =>
        r ? [targetId(owner(r), 'Organization', fhirBase) ?? null] : [],
      )
    : before
      ? [before.sourceOrg]
      : [];
  if (owners.some((org) => org !== actor.organizationId)) {
    refuse(scope, forbidden(`${key} belongs to another organisation's directory`));
  }
}

/** An Organization's CareWeave organisation-type codes, as one comparable text. */
function organisationTypes(org: Resource): string {
  return ((org as Organization).type ?? [])
    .flatMap((t) => t.coding ?? [])
    .filter((c) => c.system === ORGANISATION_TYPE_SYSTEM)
    .map((c) => c.code ?? '')
    .sort()
    .join(' ');
}

/** The write's current or new version is owned data (a cohort, a worklist, a draft about no one patient). */
function touchesOwnedData(scope: WriteScope, fhirBase: string): boolean {
  const { write, before } = scope;
  const type = write.resource.resourceType;
  return (
    (before !== undefined && isOwnedData(type, before.patientId)) ||
    (write.method !== 'delete' && isOwnedData(type, multiPatientAware(write.resource, fhirBase)))
  );
}

/** The patient a new version will be labelled with: none for a cohort Group (labels.ts). */
function multiPatientAware(resource: Resource, fhirBase: string): string | null {
  return resource.resourceType === 'Group' ? null : patientOf(resource, fhirBase);
}

/**
 * Owned data (docs/ACCESS.md, *Owned data*) changes only through its owners and whom they shared it
 * with — reading it is already required (hidden is absent) — and only an owner deletes it or changes
 * who owns it or whom it is shared with (a sharee changes its content). A member of staff creates
 * only what they own. The new version's source is the actor's organisation, so a list owned by its
 * source organisation (no owner named) that a sharee from elsewhere rewrites would change hands:
 * that is a change of owner too.
 */
function checkOwnedWrite(actor: StaffActor, scope: WriteScope, fhirBase: string): void {
  const { write, key, before } = scope;
  const names = new Set(ownedNames(actor));
  const owns = (owners: string[]): boolean => owners.some((owner) => names.has(owner));
  const after = write.method === 'delete' ? undefined : write.resource;
  const afterOwned = after !== undefined && isOwnedData(after.resourceType, multiPatientAware(after, fhirBase));
  if (before && isOwnedData(before.resource.resourceType, before.patientId)) {
    if (owns(ownersOf(before.resource, before.sourceOrg, fhirBase))) {
      return;
    }
    if (!after) {
      refuse(scope, forbidden(`${key} is shared with you; only its owner may delete it`));
    }
    const was = principalsOf(before.resource, before.sourceOrg, fhirBase).join(' ');
    const will = afterOwned ? principalsOf(after, actor.organizationId, fhirBase).join(' ') : '';
    if (was !== will) {
      refuse(
        scope,
        forbidden(`${key} is shared with you; only its owner may change who owns it or whom it is shared with`),
      );
    }
    return;
  }
  if (before && before.sourceOrg !== actor.organizationId) {
    refuse(scope, forbidden(`${key} is not your organisation's record; it cannot be changed`));
  }
  if (afterOwned && !owns(ownersOf(after, actor.organizationId, fhirBase))) {
    refuse(scope, forbidden(`${key}: you may write only lists, cohorts and drafts that you own`));
  }
}
