import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import { issue, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import type { PendingWrite } from '../fhir/store/hooks.ts';
import { SqlParams } from '../fhir/search/sql-params.ts';
import type { Actor, PatientActor, RelatedPersonActor, StaffActor } from './actor.ts';
import { labelResources } from './labels.ts';
import { breakGlassFor, relationshipExists, restrictionFor } from './policy.ts';
import { patientOf, targetId } from './references.ts';

export function forbidden(message: string): OperationOutcomeError {
  return new OperationOutcomeError(outcome(issue('error', 'forbidden', message)));
}

interface StoredLabels {
  patient_id: string | null;
  source_org: string | null;
  category: string | null;
  deleted: boolean;
  /** `meta.tag` of the current version, as JSON text (only read for portal writes). */
  tags?: string | null;
}

/** Marks what patients and carers write through the portal, so they may later update only that. */
export const ORIGIN_SYSTEM = 'https://careweave.example/fhir/CodeSystem/record-origin';
export const PORTAL_ORIGIN = 'patient-portal';

async function storedLabels(
  db: Queryable,
  writes: readonly PendingWrite[],
  withTags = false,
): Promise<Map<string, StoredLabels>> {
  const keys = writes.filter((w) => w.previous).map((w) => w.resource);
  if (!keys.length) {
    return new Map();
  }
  const rows = await db.query<StoredLabels & { resource_type: string; id: string }>(
    `select r.resource_type, r.id, r.patient_id, r.source_org, r.category, r.deleted
            ${
              withTags
                ? `, (select (v.content->'meta'->'tag')::text from resource_version v
                 where v.resource_type = r.resource_type and v.id = r.id and v.version_id = r.version_id) as tags`
                : ''
            }
       from resource r join unnest($1::text[], $2::text[]) as k(t, i) on r.resource_type = k.t and r.id = k.i`,
    [keys.map((r) => r.resourceType), keys.map((r) => r.id!)],
  );
  return new Map(rows.map((row) => [`${row.resource_type}/${row.id}`, row]));
}

function fromPortal(tags: string | null | undefined): boolean {
  const parsed = tags ? (JSON.parse(tags) as unknown) : [];
  return (
    Array.isArray(parsed) &&
    parsed.some((t: { system?: unknown; code?: unknown }) => t.system === ORIGIN_SYSTEM && t.code === PORTAL_ORIGIN)
  );
}

function tagPortal(resource: Resource): Resource {
  const { meta } = withoutSourceClaim(resource);
  const tags = meta?.tag ?? [];
  if (tags.some((t) => t.system === ORIGIN_SYSTEM && t.code === PORTAL_ORIGIN)) {
    return { ...resource, meta };
  }
  return { ...resource, meta: { ...meta, tag: [...tags, { system: ORIGIN_SYSTEM, code: PORTAL_ORIGIN }] } };
}

/**
 * Only staff writes name a source organisation: a patient or carer may not present what they write
 * as an organisation's record (which that organisation's staff would then see as their own), so
 * any `meta.source` they send is dropped and the source is derived as for any other resource.
 */
function withoutSourceClaim(resource: Resource): Resource {
  if (!resource.meta?.source) {
    return resource;
  }
  const { source: _claimed, ...meta } = resource.meta;
  void _claimed;
  return { ...resource, meta };
}

/**
 * The write rules of docs/ACCESS.md. Returns the resources to write: what a patient or carer writes
 * (other than Consent) is tagged `record-origin|patient-portal`, and only resources so tagged may
 * be updated from the portal later; for a staff actor each one
 * gets `meta.source = {fhirBase}/Organization/{actor's organisation}`, which the label hook then
 * takes as the source organisation (it comes first in the resolution order), so a client can never
 * claim another organisation's record. Throws 403 (OperationOutcome `forbidden`) otherwise.
 */
export async function authorizeWrites(
  db: Queryable,
  actor: Actor,
  writes: readonly PendingWrite[],
  fhirBase: string,
): Promise<Resource[]> {
  switch (actor.kind) {
    case 'system':
      return writes.map((w) => w.resource);
    case 'staff':
      return authorizeStaff(db, actor, writes, fhirBase);
    case 'patient':
    case 'related-person':
      return authorizePortal(db, actor, writes, fhirBase);
  }
}

async function authorizeStaff(
  db: Queryable,
  actor: StaffActor,
  writes: readonly PendingWrite[],
  fhirBase: string,
): Promise<Resource[]> {
  const previous = await storedLabels(db, writes);
  const patients = new Set<string>();
  // A new Patient registered with the actor's organisation is a relationship in itself.
  const registering = new Set<string>();
  for (const write of writes) {
    const key = `${write.resource.resourceType}/${write.resource.id}`;
    const before = previous.get(key);
    if (before && !before.deleted && before.source_org && before.source_org !== actor.organizationId) {
      throw forbidden(`${key} is another organisation's record (${before.source_org}); it cannot be changed`);
    }
    if (before?.patient_id) {
      patients.add(before.patient_id);
    }
    if (write.method !== 'delete') {
      const patientId = patientOf(write.resource, fhirBase);
      if (patientId) {
        patients.add(patientId);
      }
      const resource = write.resource;
      if (
        resource.resourceType === 'Patient' &&
        (!before || before.deleted) &&
        [...(resource.generalPractitioner ?? []), resource.managingOrganization].some(
          (ref) => targetId(ref, 'Organization', fhirBase) === actor.organizationId,
        )
      ) {
        registering.add(resource.id!);
      }
    }
  }
  const toCheck = [...patients].filter((p) => !registering.has(p));
  if (toCheck.length) {
    const params = new SqlParams();
    const list = params.add(toCheck);
    const org = `${params.add(actor.organizationId)}::text`;
    const practitioner = `${params.add(actor.practitionerId)}::text`;
    const user = `${params.add(actor.userId)}::text`;
    const rows = await db.query<{ p: string }>(
      `select p from unnest(${list}::text[]) as p
        where not (${relationshipExists('p', org, practitioner)} or ${breakGlassFor('p', user)})`,
      params.values as never,
    );
    if (rows.length) {
      throw forbidden(
        `No legitimate relationship with Patient/${rows[0]!.p}: records about this patient cannot be written`,
      );
    }
  }
  const source = `${fhirBase}/Organization/${actor.organizationId}`;
  return writes.map(({ resource, method }) =>
    method === 'delete' ? resource : { ...resource, meta: { ...(resource.meta ?? {}), source } },
  );
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

async function authorizePortal(
  db: Queryable,
  actor: PatientActor | RelatedPersonActor,
  writes: readonly PendingWrite[],
  fhirBase: string,
): Promise<Resource[]> {
  const previous = await storedLabels(db, writes, true);
  for (const write of writes) {
    const key = `${write.resource.resourceType}/${write.resource.id}`;
    if (write.method === 'delete') {
      throw forbidden(`${actor.kind === 'patient' ? 'Patients' : 'Related persons'} cannot delete ${key}`);
    }
    if (!portalResource(write.resource, actor)) {
      throw forbidden(`${key}: this kind of resource cannot be written from the portal`);
    }
    const patientId = patientOf(write.resource, fhirBase);
    const before = previous.get(key);
    if (patientId !== actor.patientId || (before && !before.deleted && before.patient_id !== actor.patientId)) {
      throw forbidden(`${key} is not about Patient/${actor.patientId}`);
    }
    // Consents about themselves, whoever recorded them; otherwise only what the portal created.
    if (before && !before.deleted && write.resource.resourceType !== 'Consent' && !fromPortal(before.tags)) {
      throw forbidden(`${key} was not created through the portal; it cannot be changed there`);
    }
  }
  if (actor.kind === 'related-person') {
    // Within what the patient's permits allow: the new version, and any current one, must be visible.
    const labelled = await labelResources(
      db,
      writes.map((w) => w.resource),
      fhirBase,
    );
    const rows = [
      ...labelled.map(({ resource, labels }) => ({ type: resource.resourceType, id: resource.id!, ...labels })),
      ...writes.flatMap((w) => {
        const before = previous.get(`${w.resource.resourceType}/${w.resource.id}`);
        return before && !before.deleted
          ? [
              {
                type: w.resource.resourceType,
                id: w.resource.id!,
                patientId: before.patient_id,
                sourceOrg: before.source_org,
                category: before.category,
              },
            ]
          : [];
      }),
    ];
    const hidden = await invisible(db, actor, rows);
    if (hidden) {
      throw forbidden(`${hidden}: the patient has not permitted this related person to record this`);
    }
  }
  return writes.map((w) =>
    w.resource.resourceType === 'Consent' ? withoutSourceClaim(w.resource) : tagPortal(w.resource),
  );
}

/** The first of these labelled rows the actor could not see, if any: the read policy applied to values. */
async function invisible(
  db: Queryable,
  actor: Actor,
  rows: { type: string; id: string; patientId: string | null; sourceOrg: string | null; category: string | null }[],
): Promise<string | undefined> {
  const restrict = restrictionFor(actor);
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
