export { ORIGIN_SYSTEM, PORTAL_ORIGIN } from './origin.ts';
export { forbidden, WriteRefusal, refusalEvent } from './refusal.ts';
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import { issue, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import type { PendingWrite } from '../fhir/store/hooks.ts';
import { SqlParams } from '../fhir/search/sql-params.ts';
import type { Actor, PatientActor, RelatedPersonActor } from './actor.ts';
import { labelResources, withoutMetaSource } from './labels.ts';
import { restrictionFor } from './policy.ts';
import { isSecondaryUse } from './secondary-use.ts';
import { fromPortal, ORIGIN_SYSTEM, PORTAL_ORIGIN } from './origin.ts';
import { forbidden, refuse, WriteRefusal } from './refusal.ts';
import { authorizeStaff } from './staff-writes.ts';
import { writeScopes, type WriteScope } from './write-scope.ts';

function tagPortal(resource: Resource): Resource {
  const { meta } = withoutMetaSource(resource);
  const tags = meta?.tag ?? [];
  if (tags.some((t) => t.system === ORIGIN_SYSTEM && t.code === PORTAL_ORIGIN)) {
    return { ...resource, meta };
  }
  return { ...resource, meta: { ...meta, tag: [...tags, { system: ORIGIN_SYSTEM, code: PORTAL_ORIGIN }] } };
}

/** What a hidden resource and an absent one both get: the same 404, naming nothing else. */
function notKnown(scope: WriteScope): never {
  throw new WriteRefusal(new OperationOutcomeError(outcome(issue('error', 'not-found', `${scope.key} is not known`))), {
    patients: scope.patients,
    resources: [scope.key],
  });
}

/**
 * Checks shared by every caller but a system client: the resource being changed must be one the
 * caller may see (a hidden one is answered exactly as an absent one), and everything the new content
 * refers to that can hold patient data must exist and be visible to them, so a reference can neither
 * probe for hidden records nor borrow them. Refusals carry the hidden target for the audit trail.
 */
function checkVisibility(scope: WriteScope): void {
  if (scope.before && !scope.before.visible) {
    notKnown(scope);
  }
  if (scope.unresolved) {
    const { reference, hidden } = scope.unresolved;
    throw new WriteRefusal(
      new OperationOutcomeError(
        outcome(
          issue('error', 'processing', `Reference ${reference} does not resolve to a resource you may see`, [
            scope.write.resource.resourceType,
          ]),
        ),
      ),
      { patients: scope.patients, resources: hidden ? [scope.key, reference] : [scope.key] },
    );
  }
}

/**
 * The write rules of docs/ACCESS.md (*Writes*). Returns the resources to write: what a patient or
 * carer writes (other than Consent) is tagged `record-origin|patient-portal`, and only resources so
 * tagged may be updated from the portal later; a staff write gets
 * `meta.source = {fhirBase}/Organization/{actor's organisation}`, which the label hook takes as the
 * source organisation, so a client can never claim another organisation's record. Throws a
 * `WriteRefusal` (403, 404 for what the caller may not see, 422 for a reference that does not
 * resolve) otherwise. The audit trail is read-only to everyone, system clients included.
 */
export async function authorizeWrites(
  db: Queryable,
  actor: Actor,
  writes: readonly PendingWrite[],
  fhirBase: string,
): Promise<Resource[]> {
  const audit = writes.find((w) => w.resource.resourceType === 'AuditEvent');
  if (audit) {
    throw new WriteRefusal(forbidden('AuditEvent is read-only: the audit trail is written by the server itself'), {
      resources: [`AuditEvent/${audit.resource.id}`],
    });
  }
  if (actor.kind === 'system') {
    if (isSecondaryUse(actor)) {
      // Planning and research analyse the record; they never change it (docs/ACCESS.md).
      const first = writes[0]!.resource;
      throw new WriteRefusal(forbidden(`A ${actor.purpose} client cannot change the record`), {
        resources: [`${first.resourceType}/${first.id}`],
      });
    }
    return writes.map((w) => w.resource);
  }
  const scopes = await writeScopes(db, writes, fhirBase, restrictionFor(actor, { distributed: db.distributed }));
  scopes.forEach(checkVisibility);
  return actor.kind === 'staff'
    ? authorizeStaff(db, actor, scopes, fhirBase)
    : authorizePortal(db, actor, scopes, fhirBase);
}

/** What the portal writes: Consents (patients only), bookings, repeat requests, device readings. */
function portalResource(resource: Resource, actor: PatientActor | RelatedPersonActor): boolean {
  switch (resource.resourceType) {
    case 'Consent':
      return actor.kind === 'patient';
    case 'Appointment':
    case 'Observation':
      return true;
    case 'MedicationRequest':
      return resource.intent === 'proposal';
    default:
      return false;
  }
}

function checkPortalWrite(actor: PatientActor | RelatedPersonActor, scope: WriteScope): void {
  const { write, key, before } = scope;
  const who = actor.kind === 'patient' ? 'Patients' : 'Related persons';
  if (write.method === 'delete') {
    refuse(scope, forbidden(`${who} cannot delete ${key}`));
  }
  if (!portalResource(write.resource, actor)) {
    refuse(scope, forbidden(`${key}: this kind of resource cannot be written from the portal`));
  }
  // Every patient the write is about, before and after, must be the one the actor is.
  const others = [...scope.patients].filter((p) => p !== actor.patientId);
  if (others.length || !scope.patients.has(actor.patientId)) {
    refuse(scope, forbidden(`${key} is not only about Patient/${actor.patientId}`));
  }
  // Consents about themselves, whoever recorded them; otherwise only what the portal created.
  if (before && write.resource.resourceType !== 'Consent' && !fromPortal(before.resource)) {
    refuse(scope, forbidden(`${key} was not created through the portal; it cannot be changed there`));
  }
}

async function authorizePortal(
  db: Queryable,
  actor: PatientActor | RelatedPersonActor,
  scopes: readonly WriteScope[],
  fhirBase: string,
): Promise<Resource[]> {
  scopes.forEach((scope) => checkPortalWrite(actor, scope));
  if (actor.kind === 'related-person') {
    await checkCarerPermits(db, actor, scopes, fhirBase);
  }
  return scopes.map(({ write }) =>
    write.resource.resourceType === 'Consent' ? withoutMetaSource(write.resource) : tagPortal(write.resource),
  );
}

/** A carer writes within what the patient's permits allow: the new version, and the current one, must be visible. */
async function checkCarerPermits(
  db: Queryable,
  actor: RelatedPersonActor,
  scopes: readonly WriteScope[],
  fhirBase: string,
): Promise<void> {
  const labelled = await labelResources(
    db,
    scopes.map((s) => tagPortal(s.write.resource)),
    fhirBase,
  );
  const rows = labelled.map(({ resource, labels }) => ({ type: resource.resourceType, id: resource.id!, ...labels }));
  const hidden = await invisible(db, actor, rows);
  if (hidden) {
    const scope = scopes.find((s) => s.key === hidden)!;
    refuse(scope, forbidden(`${hidden}: the patient has not permitted this related person to record this`));
  }
}
async function invisible(
  db: Queryable,
  actor: Actor,
  rows: { type: string; id: string; patientId: string | null; sourceOrg: string | null; category: string | null }[],
): Promise<string | undefined> {
  const restrict = restrictionFor(actor, { distributed: db.distributed });
  if (!restrict || !rows.length) {
    return undefined;
  }
  const params = new SqlParams();
  const values = params.add(JSON.stringify(rows.map((r) => [r.type, r.id, r.patientId, r.sourceOrg, r.category])));
  const result = await db.query<{ ref: string }>(
    `select v.resource_type || '/' || v.id as ref
       from (select x->>0 as resource_type, x->>1 as id, x->>2 as patient_id, x->>3 as source_org, x->>4 as category
               from json_array_elements(${values}::json) as x) v
      where (${restrict('v', params)}) is not true
      limit 1`,
    params.values as never,
  );
  return result[0]?.ref;
}
