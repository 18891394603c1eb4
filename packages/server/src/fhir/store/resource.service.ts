import { randomUUID } from 'node:crypto';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import jsonPatch, { type Operation } from 'fast-json-patch';
import type { Database, Queryable } from '../../db/database.ts';
import { isKnownResourceType } from '../definitions.ts';
import { extractIndex } from '../indexing/extract.ts';
import { badRequest, fail, gone, notFound, OperationOutcomeError, preconditionError, tooCostly } from '../outcome.ts';
import { countJsonValues, MAX_PATCH_OPERATIONS, MAX_RESOURCE_NODES } from '../limits.ts';
import { localReferencesIn } from '../references.ts';
import { executeSearch, type RowRestriction } from '../search/execute.ts';
import { patientsNamedIn } from '../search/named-patients.ts';
import type { SearchRequest } from '../search/model.ts';
import { parseSearch } from '../search/parse.ts';
import { assertValidResource } from '../validation/validate.ts';
import type { AccessEvent, CallerAccess, StoreHooks } from './hooks.ts';
import {
  ResourceRepository,
  type ResourceLabels,
  type StoredResource,
  type VersionWrite,
} from './resource.repository.ts';

export interface WriteResult {
  resource: Resource;
  /** 'created' (201), 'updated' (200), 'unchanged' (conditional create that matched: 200). */
  outcome: 'created' | 'updated' | 'unchanged';
}

export interface ServiceOptions {
  fhirBase: string;
  defaultPageSize: number;
  maxPageSize: number;
  hooks?: StoreHooks;
  /** Modules' write effects (src/fhir/store/write-effects.ts), run in every write's transaction. */
  effects?: WriteEffectRunner;
}

/** One resource a write stored (`resource`) or deleted (`resource` absent). */
export interface WrittenResource {
  resourceType: string;
  id: string;
  /** The version just stored; undefined for a deletion. */
  resource?: Resource;
}

/** Runs the modules' write effects (`WriteEffects`, src/fhir/store/write-effects.ts). */
export interface WriteEffectRunner {
  run(tx: Queryable, store: ResourceService, written: readonly WrittenResource[]): Promise<void>;
}

export interface WriteOptions {
  /** `If-Match: W/"3"`: reject with 412 unless the current version is this one. */
  ifMatch?: number;
  /** Bundle processing validates and stamps resources itself; this skips a second validation. */
  skipValidation?: boolean;
}

/**
 * The FHIR record: every create, update, patch, delete and read goes through here. Every write is
 * one transaction that appends a version, replaces the current row and its search index rows.
 */
export class ResourceService {
  private readonly db: Database | Queryable;
  readonly options: ServiceOptions;
  /** Set by the access layer for one caller; undefined means unrestricted (internal jobs, tests). */
  readonly access?: CallerAccess;
  private readonly inTransaction: boolean;

  constructor(db: Database | Queryable, options: ServiceOptions, access?: CallerAccess, inTransaction = false) {
    this.db = db;
    this.options = options;
    this.access = access;
    this.inTransaction = inTransaction;
  }

  get restrict(): RowRestriction | undefined {
    return this.access?.restrict;
  }

  /** Hidden rows the caller must not be told about (CallerAccess.unmentioned). */
  get unmentioned(): ((alias: string) => string) | undefined {
    return this.access?.unmentioned;
  }

  /** Sends this transaction's queued writes, so that a failure of them is reported now (`Queryable.flush`). */
  async flush(): Promise<void> {
    await this.db.flush();
  }

  /** Adds to the caller's audit trail (nothing for an unrestricted service or when nothing was touched). */
  async recordAccess(event: AccessEvent): Promise<void> {
    if (this.access?.recordAccess && (event.resources.length || event.patients.length)) {
      await this.access.recordAccess(this.db, event);
    }
  }

  /** The same record, seen and changed by one caller. */
  forCaller(access: CallerAccess): ResourceService {
    return new ResourceService(this.db, this.options, access, this.inTransaction);
  }

  /** Runs `work` with a service bound to one transaction (for transaction Bundles). */
  async transaction<T>(work: (service: ResourceService) => Promise<T>): Promise<T> {
    if (this.inTransaction || !('transaction' in this.db)) {
      return work(this);
    }
    try {
      return await this.db.transaction((tx) => work(new ResourceService(tx, this.options, this.access, true)));
    } finally {
      await this.access?.flushRefusals?.();
    }
  }

  /**
   * The resource a restricted caller asks to change or delete, as they may see it: one the policy
   * hides is answered exactly like one that does not exist (404, nothing about its version or
   * owner), before any If-Match is compared, and the attempt is audited as a refusal.
   */
  private async visibleForWrite(
    resourceType: string,
    id: string,
    current: StoredResource | undefined,
    interaction: 'update' | 'patch' | 'delete',
  ): Promise<StoredResource | undefined> {
    if (!this.restrict || !current) {
      return current;
    }
    if (await this.repository().readCurrent(resourceType, id, this.restrict)) {
      return current;
    }
    if (!current.deleted) {
      this.access?.recordRefusal?.({
        interaction,
        resources: [`${resourceType}/${id}`],
        patients: [],
        decision: 'deny',
      });
    }
    return notKnown(`${resourceType}/${id}`, interaction);
  }

  /**
   * A read by id the access policy refused (the caller gets the same 404 as for an unknown id):
   * audited as a denial when the resource exists, so attempts show in the patient's access log.
   */
  private async recordRefusal(interaction: 'read' | 'vread', resourceType: string, id: string): Promise<void> {
    if (!this.restrict || !this.access?.recordAccess) {
      return;
    }
    const hidden = await this.repository().readCurrent(resourceType, id);
    if (hidden && !hidden.deleted) {
      const event: AccessEvent = { interaction, resources: [`${resourceType}/${id}`], patients: [], decision: 'deny' };
      if (this.inTransaction && this.access.recordRefusal) {
        // Inside a transaction (a patch, a Bundle, a portal operation) the refusal is kept back and
        // audited once it ends, so a rollback does not take the evidence with it.
        this.access.recordRefusal(event);
      } else {
        await this.recordAccess(event);
      }
    }
  }

  private repository(db: Queryable = this.db): ResourceRepository {
    return new ResourceRepository(db);
  }

  async read(resourceType: string, id: string): Promise<StoredResource> {
    assertType(resourceType);
    const stored = await this.repository().readCurrent(resourceType, id, this.restrict);
    if (!stored) {
      await this.recordRefusal('read', resourceType, id);
      return notFound(`${resourceType}/${id} is not known`);
    }
    if (stored.deleted) {
      return gone(`${resourceType}/${id} was deleted`);
    }
    await this.recordAccess({ interaction: 'read', resources: [`${resourceType}/${id}`], patients: [] });
    return stored;
  }

  async vread(resourceType: string, id: string, versionId: string): Promise<StoredResource> {
    assertType(resourceType);
    const version = Number(versionId);
    if (!Number.isInteger(version) || version < 1) {
      return notFound(`${resourceType}/${id} has no version '${versionId}'`);
    }
    if (this.restrict && !(await this.repository().readCurrent(resourceType, id, this.restrict))) {
      await this.recordRefusal('vread', resourceType, id);
      return notFound(`${resourceType}/${id} has no version ${versionId}`);
    }
    const stored = await this.repository().readVersion(resourceType, id, version, this.restrict);
    if (!stored) {
      return notFound(`${resourceType}/${id} has no version ${versionId}`);
    }
    if (stored.deleted) {
      return gone(`${resourceType}/${id} version ${versionId} is a deletion`);
    }
    await this.recordAccess({ interaction: 'vread', resources: [`${resourceType}/${id}`], patients: [] });
    return stored;
  }

  async create(
    resourceType: string,
    resource: Resource,
    options: WriteOptions & { ifNoneExist?: string } = {},
  ): Promise<WriteResult> {
    if (!options.skipValidation) {
      assertValidResource(resource, { expectedType: resourceType });
    }
    return this.transaction(async (service) => {
      if (options.ifNoneExist !== undefined) {
        // Serialise conditional creates with the same criteria across processes.
        await service.repository().lock([`conditional:${resource.resourceType}?${options.ifNoneExist}`]);
        const existing = await service.conditionalMatch(resource.resourceType, options.ifNoneExist);
        if (existing.length > 1) {
          return fail(
            'multiple-matches',
            `If-None-Exist '${options.ifNoneExist}' matched ${existing.length} resources`,
            ['If-None-Exist'],
          );
        }
        if (existing[0]) {
          return { resource: existing[0], outcome: 'unchanged' as const };
        }
      }
      const id = randomUUID();
      // A new random id has no current version and no other writer: nothing to lock or look up.
      const [written] = await service.writeMany([{ resource: { ...resource, id }, method: 'create' }], new Map());
      return { resource: written!, outcome: 'created' as const };
    });
  }

  async update(resourceType: string, id: string, resource: Resource, options: WriteOptions = {}): Promise<WriteResult> {
    if (!options.skipValidation) {
      assertValidResource(resource, { expectedType: resourceType, expectedId: id, requireId: true });
    }
    return this.transaction(async (service) => {
      const [written, created] = await service.writeOne(resource, 'update', options.ifMatch);
      return { resource: written, outcome: created ? 'created' : 'updated' };
    });
  }

  async conditionalUpdate(resourceType: string, query: string, resource: Resource): Promise<WriteResult> {
    assertValidResource(resource, { expectedType: resourceType });
    return this.transaction(async (service) => {
      await service.repository().lock([`conditional:${resourceType}?${query}`]);
      const matches = await service.conditionalMatch(resourceType, query);
      if (matches.length > 1) {
        return fail('multiple-matches', `Conditional update '${query}' matched ${matches.length} resources`);
      }
      const match = matches[0];
      if (match && resource.id && resource.id !== match.id) {
        return badRequest(`Resource id '${resource.id}' does not match the resource found by '${query}' (${match.id})`);
      }
      if (!match && service.restrict) {
        // No match: a create. Only trusted integrations choose the new id (update as create); for
        // anyone else the server does, so an id that is hidden from them answers like a free one.
        const [written] = await service.writeMany([{ resource: { ...resource, id: randomUUID() }, method: 'create' }]);
        return { resource: written!, outcome: 'created' as const };
      }
      const id = match?.id ?? resource.id ?? randomUUID();
      const [written, created] = await service.writeOne({ ...resource, id }, 'update');
      return { resource: written, outcome: created ? ('created' as const) : ('updated' as const) };
    });
  }

  async patch(resourceType: string, id: string, operations: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    if (!Array.isArray(operations)) {
      return badRequest('A JSON Patch body must be an array of operations');
    }
    return this.transaction(async (service) => {
      const current = await service.read(resourceType, id);
      const before = JSON.parse(current.json!) as Resource;
      let patched: Resource;
      try {
        // Validated operation by operation as it is applied (applyBoundedPatch): validating the
        // whole patch first would apply it to a copy without the bound.
        patched = applyBoundedPatch(before, operations as Operation[]);
      } catch (error) {
        if (error instanceof OperationOutcomeError) {
          throw error;
        }
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        return fail('processing', `JSON Patch could not be applied: ${message}`);
      }
      if (patched.resourceType !== resourceType || patched.id !== id) {
        return badRequest('A patch may not change resourceType or id');
      }
      assertValidResource(patched, { expectedType: resourceType, expectedId: id });
      const [written] = await service.writeOne(patched, 'patch', options.ifMatch ?? current.versionId);
      return { resource: written, outcome: 'updated' as const };
    });
  }

  /** Deletes (keeping history). Deleting what is not there, or already deleted, succeeds. */
  async delete(resourceType: string, id: string, options: WriteOptions = {}): Promise<void> {
    assertType(resourceType);
    await this.transaction(async (service) => {
      const repository = service.repository();
      await repository.lock([`${resourceType}/${id}`]);
      const current = await service.visibleForWrite(
        resourceType,
        id,
        await repository.readCurrent(resourceType, id),
        'delete',
      );
      if (!current && service.restrict) {
        // Hidden and absent look the same to a restricted caller: both are 404.
        return notFound(`${resourceType}/${id} is not known`);
      }
      checkIfMatch(current, options.ifMatch, `${resourceType}/${id}`);
      if (!current || current.deleted) {
        return;
      }
      if (service.access?.authorizeWrite) {
        const before = JSON.parse(
          (await repository.readVersion(resourceType, id, current.versionId))!.json!,
        ) as Resource;
        await service.access.authorizeWrite(service.db, [{ resource: before, method: 'delete', previous: current }]);
      }
      const deletion: VersionWrite = {
        resourceType,
        id,
        versionId: current.versionId + 1,
        lastUpdated: new Date(),
        deleted: true,
        method: 'delete',
        json: null,
        index: null,
        replacesExisting: true,
      };
      await repository.writeVersions([deletion]);
      await service.options.hooks?.afterWrite?.(service.db, [deletion], new Map());
      await service.runEffects([{ resourceType, id }]);
      await service.recordAccess({ interaction: 'delete', resources: [`${resourceType}/${id}`], patients: [] });
    });
  }

  async conditionalDelete(resourceType: string, query: string): Promise<number> {
    return this.transaction(async (service) => {
      const matches = await service.conditionalMatch(resourceType, query);
      if (matches.length > 1) {
        return fail('multiple-matches', `Conditional delete '${query}' matched ${matches.length} resources`);
      }
      for (const match of matches) {
        await service.delete(resourceType, match.id!);
      }
      return matches.length;
    });
  }

  async search(resourceType: string, query: [string, string][], options: { strict?: boolean } = {}): Promise<Bundle> {
    assertType(resourceType);
    const request = parseSearch(resourceType, query, {
      defaultCount: this.options.defaultPageSize,
      maxCount: this.options.maxPageSize,
      strict: options.strict ?? false,
    });
    const bundle = await executeSearch(this.searchContext(), request, { path: resourceType, query });
    const returned = (bundle.entry ?? []).flatMap((e) =>
      e.resource && e.search?.mode !== 'outcome' ? [e.resource] : [],
    );
    await this.auditSearch(request, query, returned);
    return bundle;
  }

  /**
   * Every search is audited, also when it returns nothing or only directory data (a probe for
   * hidden records is evidence), against every patient it returned or asked about. Conditional
   * interactions' searches too.
   */
  private async auditSearch(request: SearchRequest, query: [string, string][], returned: Resource[]): Promise<void> {
    if (!this.access?.recordAccess) {
      return;
    }
    const named = await patientsNamedIn(this.db, request, this.options.fhirBase);
    await this.access.recordAccess(this.db, {
      interaction: 'search',
      resources: [...new Set(returned.map((r) => `${r.resourceType}/${r.id}`))],
      patients: [...new Set([...returned.filter((r) => r.resourceType === 'Patient').map((r) => r.id!), ...named])],
      query: `${request.resourceType}?${new URLSearchParams(query).toString()}`,
    });
  }

  searchContext(): { db: Queryable; fhirBase: string; restrict?: RowRestriction } {
    return { db: this.db, fhirBase: this.options.fhirBase, restrict: this.restrict };
  }

  /** Resources matching a conditional-interaction query (strict: unknown parameters are errors). */
  async conditionalMatch(resourceType: string, query: string): Promise<Resource[]> {
    const pairs = [...new URLSearchParams(query.replace(/^\?/, ''))];
    if (pairs.length === 0) {
      return badRequest('A conditional interaction needs search parameters');
    }
    const request = parseSearch(resourceType, pairs, { defaultCount: 2, maxCount: 2, strict: true });
    request.count = 2;
    const bundle = await executeSearch(this.searchContext(), request, { path: resourceType, query: pairs });
    const matches = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!);
    await this.auditSearch(request, pairs, matches);
    return matches;
  }

  private async writeOne(
    resource: Resource,
    method: 'update' | 'patch',
    ifMatch?: number,
  ): Promise<[Resource, boolean]> {
    const key = `${resource.resourceType}/${resource.id}`;
    const repository = this.repository();
    // The lock makes read-check-write atomic across every process sharing the database.
    await repository.lock([key]);
    const current = await this.visibleForWrite(
      resource.resourceType,
      resource.id!,
      await repository.readCurrent(resource.resourceType, resource.id!),
      method,
    );
    if (this.restrict && (!current || current.deleted)) {
      // Update as create is for trusted integrations only: for anyone else a PUT to an id that is
      // not there would answer differently from a PUT to one that is hidden from them.
      return notKnown(key, method);
    }
    checkIfMatch(current, ifMatch, key);
    const [written] = await this.writeMany([{ resource, method }], current ? new Map([[key, current]]) : new Map());
    return [written!, !current || current.deleted];
  }

  /**
   * Modules' write effects, in this write's transaction, with the unrestricted record bound to it (an
   * effect writes as its module's system actor, not as the caller).
   */
  private async runEffects(written: readonly WrittenResource[]): Promise<void> {
    if (this.options.effects) {
      await this.options.effects.run(
        this.db,
        new ResourceService(this.db, this.options, undefined, this.inTransaction),
        written,
      );
    }
  }

  /**
   * Stamps, indexes and writes many resources at once (import, seeding, Bundles). Ids must be set.
   * Versions follow whatever is stored; the caller holds the transaction.
   */
  async writeMany(
    items: readonly { resource: Resource; method: VersionWrite['method'] }[],
    knownCurrent?: Map<string, StoredResource>,
  ): Promise<Resource[]> {
    const repository = this.repository();
    const keys = items.map(({ resource }) => ({ resourceType: resource.resourceType, id: resource.id! }));
    if (!knownCurrent) {
      await repository.lock(keys.map((k) => `${k.resourceType}/${k.id}`));
    }
    const current = knownCurrent ?? (await repository.currentVersions(keys));
    const authorized = this.access?.authorizeWrite
      ? await this.access.authorizeWrite(
          this.db,
          items.map((item) => ({
            ...item,
            previous: current.get(`${item.resource.resourceType}/${item.resource.id}`),
          })),
        )
      : items.map((item) => item.resource);
    await this.options.hooks?.check?.(this.db, authorized);
    const labelled = this.options.hooks?.label
      ? await this.options.hooks.label(this.db, authorized)
      : authorized.map((resource) => ({ resource, labels: undefined as ResourceLabels | undefined }));
    const now = new Date();
    const writes: VersionWrite[] = [];
    const results: Resource[] = [];
    for (let i = 0; i < items.length; i++) {
      const { method } = items[i]!;
      const { resource, labels } = labelled[i]!;
      const previous = current.get(`${resource.resourceType}/${resource.id}`);
      const versionId = (previous?.versionId ?? 0) + 1;
      const stamped = stampMeta(resource, versionId, now);
      writes.push({
        labels,
        resourceType: resource.resourceType,
        id: resource.id!,
        versionId,
        lastUpdated: now,
        deleted: false,
        method: previous && !previous.deleted ? method : method === 'create' ? 'create' : 'update',
        json: JSON.stringify(stamped),
        index: extractIndex(stamped, this.options.fhirBase),
        replacesExisting: Boolean(previous),
      });
      results.push(stamped);
      // Two entries for the same resource in one batch become consecutive versions.
      current.set(`${resource.resourceType}/${resource.id}`, { ...writes[writes.length - 1]!, json: null });
    }
    const finalWrites = dedupeCurrent(writes);
    await repository.writeVersions(finalWrites);
    const byKey = new Map(results.map((r) => [`${r.resourceType}/${r.id}`, r]));
    await this.options.hooks?.afterWrite?.(this.db, finalWrites, byKey);
    await this.runEffects(
      finalWrites.map((w) => ({
        resourceType: w.resourceType,
        id: w.id,
        resource: byKey.get(`${w.resourceType}/${w.id}`),
      })),
    );
    // Recorded against every patient the write names, not only the one it is filed under.
    const named = results.flatMap((r) =>
      localReferencesIn(r, this.options.fhirBase).flatMap((ref) =>
        ref.startsWith('Patient/') ? [ref.slice('Patient/'.length)] : [],
      ),
    );
    await this.recordAccess({
      interaction: items[0]?.method ?? 'update',
      resources: [...new Set(results.map((r) => `${r.resourceType}/${r.id}`))],
      patients: [...new Set([...writes.flatMap((w) => (w.labels?.patientId ? [w.labels.patientId] : [])), ...named])],
    });
    return results;
  }
}

/**
 * Applies a JSON Patch one operation at a time, refusing it once the document could have grown past
 * the per-resource limit: `copy` doubles a subtree in a few bytes of patch, so thirty of them would
 * otherwise build a resource of a billion values before validation ever saw it.
 */
function applyBoundedPatch(document: Resource, operations: Operation[]): Resource {
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw tooCostly(`A JSON Patch may have at most ${MAX_PATCH_OPERATIONS} operations`, 413);
  }
  let size = countJsonValues(document, MAX_RESOURCE_NODES);
  let current = document;
  for (const operation of operations) {
    const added: unknown =
      operation.op === 'copy'
        ? (jsonPatch.getValueByPointer(current, operation.from) as unknown)
        : operation.op === 'add' || operation.op === 'replace'
          ? operation.value
          : undefined;
    size += added === undefined ? 0 : countJsonValues(added, MAX_RESOURCE_NODES);
    if (size > MAX_RESOURCE_NODES) {
      throw tooCostly(`The patched resource would have more than ${MAX_RESOURCE_NODES} JSON values`, 413);
    }
    current = jsonPatch.applyOperation(current, operation, true, true).newDocument;
  }
  return current;
}

/** Within a batch only the last write of a resource may become its current row. */
function dedupeCurrent(writes: VersionWrite[]): VersionWrite[] {
  const seen = new Map<string, number>();
  writes.forEach((w, i) => seen.set(`${w.resourceType}/${w.id}`, i));
  if (seen.size === writes.length) {
    return writes;
  }
  return writes.filter((w, i) => seen.get(`${w.resourceType}/${w.id}`) === i);
}

function stampMeta(resource: Resource, versionId: number, now: Date): Resource {
  const meta = { ...(resource.meta ?? {}), versionId: String(versionId), lastUpdated: now.toISOString() };
  // Put id and meta first so stored JSON reads naturally.
  const { resourceType, id, meta: _ignored, ...rest } = resource;
  void _ignored;
  return { resourceType, id, meta, ...rest } as Resource;
}

/** The one answer for a resource a restricted caller may not change, whether hidden or absent. */
function notKnown(key: string, interaction: 'update' | 'patch' | 'delete'): never {
  return notFound(
    interaction === 'update' ? `${key} is not known; create new resources with POST` : `${key} is not known`,
  );
}

function checkIfMatch(current: StoredResource | undefined, ifMatch: number | undefined, key: string): void {
  if (ifMatch === undefined) {
    return;
  }
  if (!current || current.deleted) {
    throw preconditionError(`If-Match: ${key} does not exist`);
  }
  if (current.versionId !== ifMatch) {
    throw preconditionError(`If-Match: ${key} is at version ${current.versionId}, not ${ifMatch}`);
  }
}

function assertType(resourceType: string): void {
  if (!isKnownResourceType(resourceType)) {
    // R4 http: "404 Not Found - resource type not supported"; 501 would say the interaction is.
    fail('not-found', `Unknown resource type '${resourceType}'`);
  }
}
