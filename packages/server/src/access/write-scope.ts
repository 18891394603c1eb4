import { sameShard } from '../db/distributed.ts';
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import type { RowRestriction } from '../fhir/search/execute.ts';
import { SqlParams } from '../fhir/search/sql-params.ts';
import type { PendingWrite } from '../fhir/store/hooks.ts';
import { canHoldPatientData, localReferencesIn, patientOf } from './references.ts';

/** The current version of a resource being changed, as stored (labels and content). */
export interface Before {
  patientId: string | null;
  sourceOrg: string | null;
  resource: Resource;
  /** Whether the caller may see it (docs/ACCESS.md): a hidden one is answered as if absent. */
  visible: boolean;
}

/** What one write touches, for the write rule of docs/ACCESS.md. */
export interface WriteScope {
  write: PendingWrite;
  /** `Type/id` of the resource written. */
  key: string;
  before?: Before;
  /**
   * Every patient the write is about, before and after the change: the resource's own patient,
   * every Patient it references anywhere, and the patient of every resource it references.
   */
  patients: Set<string>;
  /**
   * A reference in the new content to something other than a Patient that can hold patient data
   * but that does not exist or that the caller may not see. `hidden` tells the audit trail it exists; the caller is
   * told the same in both cases.
   */
  unresolved?: { reference: string; hidden: boolean };
}

interface Row {
  resource_type: string;
  id: string;
  patient_id: string | null;
  source_org: string | null;
  visible: boolean;
  content: string | null;
}

/**
 * Works out, for a batch of writes, every patient each one is about and whether everything the new
 * content refers to exists and is visible to the caller (`restrict`, the caller's read policy).
 * Resources written in the same batch count as existing and are judged as written. Two queries per
 * batch: the current versions being replaced, and the targets of the references.
 */
export async function writeScopes(
  db: Queryable,
  writes: readonly PendingWrite[],
  fhirBase: string,
  restrict: RowRestriction | undefined,
): Promise<WriteScope[]> {
  const keyOf = (r: Resource): string => `${r.resourceType}/${r.id}`;
  const batch = new Map(writes.filter((w) => w.method !== 'delete').map((w) => [keyOf(w.resource), w.resource]));
  const previousKeys = writes.filter((w) => w.previous && !w.previous.deleted).map((w) => keyOf(w.resource));
  const previous = await lookup(db, previousKeys, restrict, true);

  const beforeOf = (key: string): Before | undefined => {
    const row = previous.get(key);
    return row?.content
      ? {
          patientId: row.patient_id,
          sourceOrg: row.source_org,
          resource: JSON.parse(row.content) as Resource,
          visible: row.visible,
        }
      : undefined;
  };
  const refsOf = (resource: Resource | undefined): string[] =>
    resource
      ? localReferencesIn(resource, fhirBase).filter((ref) => canHoldPatientData(ref.slice(0, ref.indexOf('/'))))
      : [];

  const scopes = writes.map((write) => {
    const key = keyOf(write.resource);
    const before = beforeOf(key);
    const after = write.method === 'delete' ? undefined : write.resource;
    return { write, key, before, after, afterRefs: refsOf(after), beforeRefs: refsOf(before?.resource) };
  });
  const wanted = [
    ...new Set(
      scopes
        .flatMap((s) => [...s.afterRefs, ...s.beforeRefs])
        .filter((ref) => !batch.has(ref) && !ref.startsWith('Patient/')),
    ),
  ];
  const targets = await lookup(db, wanted, restrict, false);

  const patientOfRef = (ref: string): string | null => {
    if (ref.startsWith('Patient/')) {
      return ref.slice('Patient/'.length);
    }
    const inBatch = batch.get(ref);
    if (inBatch) {
      return patientOf(inBatch, fhirBase);
    }
    return targets.get(ref)?.patient_id ?? null;
  };

  return scopes.map(({ write, key, before, after, afterRefs, beforeRefs }): WriteScope => {
    const patients = new Set<string>();
    const add = (id: string | null | undefined): void => {
      if (id) {
        patients.add(id);
      }
    };
    add(before?.patientId);
    add(after ? patientOf(after, fhirBase) : undefined);
    beforeRefs.forEach((ref) => add(patientOfRef(ref)));
    let unresolved: WriteScope['unresolved'];
    for (const ref of afterRefs) {
      if (ref.startsWith('Patient/')) {
        // A patient named is judged by the write rule itself (a relationship, or being that
        // patient), which answers the same whether the Patient exists, is hidden or is absent.
        add(ref.slice('Patient/'.length));
        continue;
      }
      const target = targets.get(ref);
      if (!batch.has(ref) && !target?.visible) {
        unresolved ??= { reference: ref, hidden: Boolean(target) };
        continue;
      }
      add(patientOfRef(ref));
    }
    return { write, key, ...(before ? { before } : {}), patients, ...(unresolved ? { unresolved } : {}) };
  });
}

/** Current, undeleted rows by `Type/id`, with whether `restrict` lets the caller see each. */
async function lookup(
  db: Queryable,
  keys: readonly string[],
  restrict: RowRestriction | undefined,
  withContent: boolean,
): Promise<Map<string, Row>> {
  if (!keys.length) {
    return new Map();
  }
  const params = new SqlParams();
  const types = params.add(keys.map((k) => k.slice(0, k.indexOf('/'))));
  const ids = params.add(keys.map((k) => k.slice(k.indexOf('/') + 1)));
  const visible = restrict ? `coalesce((${restrict('r', params)}), false)` : 'true';
  const content = withContent
    ? `(select v.content::text from resource_version v
          where v.resource_type = r.resource_type and v.id = r.id and v.version_id = r.version_id${sameShard('v', 'r', db.distributed)})`
    : 'null::text';
  const rows = await db.query<Row>(
    `select r.resource_type, r.id, r.patient_id, r.source_org, ${visible} as visible, ${content} as content
       from resource r join unnest(${types}::text[], ${ids}::text[]) as k(t, i) on r.resource_type = k.t and r.id = k.i
      where not r.deleted`,
    params.values as never,
  );
  return new Map(rows.map((row) => [`${row.resource_type}/${row.id}`, row]));
}
