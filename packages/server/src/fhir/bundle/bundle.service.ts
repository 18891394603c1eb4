import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleEntryResponse, Resource } from '@medplum/fhirtypes';
import { badRequest, isOperationOutcomeError, notFound, outcome, issue, OperationOutcomeError } from '../outcome.ts';
import { assertValidResource } from '../validation/validate.ts';
import { fromDatabaseError } from '../database-errors.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { collectReferences, rewriteReferences } from './references.ts';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface PlannedEntry {
  index: number;
  method: Method;
  url: string;
  /** Path part of the request url, e.g. `Patient/123` or `Patient`. */
  path: string[];
  query: string;
  entry: BundleEntry;
  resource?: Resource;
}

/** FHIR processing order for transactions (R4 §3.1.0.11.2): DELETE, POST, PUT/PATCH, GET/HEAD. */
const ORDER: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/**
 * Processes `batch` and `transaction` Bundles. A transaction runs in one database transaction:
 * every entry succeeds or nothing is written. `urn:uuid:` and conditional references are resolved.
 */
export class BundleService {
  private readonly service: ResourceService;
  private readonly fhirBase: string;
  private readonly returnRepresentation: boolean;

  constructor(service: ResourceService, options: { returnRepresentation?: boolean } = {}) {
    this.service = service;
    this.fhirBase = service.options.fhirBase;
    this.returnRepresentation = options.returnRepresentation ?? true;
  }

  async process(bundle: unknown): Promise<Bundle> {
    if (!bundle || typeof bundle !== 'object' || (bundle as Resource).resourceType !== 'Bundle') {
      return badRequest('Expected a Bundle of type batch or transaction');
    }
    const { type, entry = [] } = bundle as Bundle;
    if (type !== 'batch' && type !== 'transaction') {
      return badRequest(`Bundle.type must be batch or transaction, not '${type ?? ''}'`, ['Bundle.type']);
    }
    const planned = entry.map((e, index) => this.plan(e, index, type === 'transaction'));
    return type === 'transaction' ? this.transaction(planned as PlannedEntry[]) : this.batch(planned);
  }

  private plan(entry: BundleEntry, index: number, strict: boolean): PlannedEntry | OperationOutcomeError {
    try {
      const method = entry.request?.method;
      if (!method || !(method in ORDER)) {
        return badRequest(`Bundle.entry[${index}].request.method is required`, [
          `Bundle.entry[${index}].request.method`,
        ]);
      }
      const url = (entry.request?.url ?? '').replace(`${this.fhirBase}/`, '');
      if (!url) {
        return badRequest(`Bundle.entry[${index}].request.url is required`, [`Bundle.entry[${index}].request.url`]);
      }
      const [pathPart = '', query = ''] = url.split('?', 2) as [string, string?];
      const path = pathPart.split('/').filter(Boolean);
      const resource = entry.resource;
      if ((method === 'POST' || method === 'PUT') && !resource) {
        return badRequest(`Bundle.entry[${index}].resource is required for ${method}`, [
          `Bundle.entry[${index}].resource`,
        ]);
      }
      if (resource && method !== 'PATCH') {
        assertValidResource(resource, {
          expectedType: path[0],
          ...(method === 'PUT' && path[1] ? { expectedId: path[1] } : {}),
        });
      }
      return { index, method, url, path, query, entry, resource };
    } catch (error) {
      if (strict || !isOperationOutcomeError(error)) {
        throw prefixError(error, index);
      }
      return error;
    }
  }

  private async transaction(entries: PlannedEntry[]): Promise<Bundle> {
    const responses = await this.service.transaction(async (service) => {
      const ids = await this.assignIds(service, entries);
      const results = new Array<BundleEntry>(entries.length);
      const ordered = [...entries].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);
      const plainCreates = ordered.filter(
        (e) => e.method === 'POST' && !e.entry.request?.ifNoneExist && !ids.reused.has(e.index),
      );
      // Plain creates go in one batched write: this is what makes large imports fast.
      const created = await service.writeMany(
        plainCreates.map((e) => ({
          resource: this.resolved(e, ids.map, ids.assigned.get(e.index)),
          method: 'create' as const,
        })),
        new Map(), // fresh server-assigned ids: nothing to lock or look up
      );
      plainCreates.forEach((e, i) => (results[e.index] = this.response(created[i]!, '201 Created')));
      if (plainCreates.length && ordered.some((e) => !results[e.index])) {
        // The batched write is queued: sent now, so a failure of it is not reported as the next entry's.
        await service.flush();
      }
      for (const e of ordered) {
        if (results[e.index]) {
          continue;
        }
        try {
          results[e.index] = await this.execute(service, e, ids);
        } catch (error) {
          throw prefixError(error, e.index);
        }
      }
      return results;
    });
    return { resourceType: 'Bundle', type: 'transaction-response', entry: responses };
  }

  private async batch(entries: (PlannedEntry | OperationOutcomeError)[]): Promise<Bundle> {
    const results: BundleEntry[] = [];
    for (const e of entries) {
      if (e instanceof OperationOutcomeError) {
        results.push(errorEntry(e));
        continue;
      }
      try {
        results.push(
          await this.service.transaction((service) =>
            this.execute(service, e, { map: new Map(), assigned: new Map(), reused: new Set() }),
          ),
        );
      } catch (error) {
        // A database refusal of one entry's values (src/fhir/database-errors.ts) fails that entry only.
        const refused = isOperationOutcomeError(error) ? error : fromDatabaseError(error);
        if (!refused) {
          throw error;
        }
        results.push(errorEntry(refused));
      }
    }
    return { resourceType: 'Bundle', type: 'batch-response', entry: results };
  }

  /**
   * Gives each POST entry its id up front, so references between entries can be rewritten before
   * anything is written. A conditional create that matches reuses the existing resource's id.
   */
  private async assignIds(service: ResourceService, entries: PlannedEntry[]): Promise<IdPlan> {
    const plan: IdPlan = { map: new Map(), assigned: new Map(), reused: new Set() };
    for (const e of entries) {
      const fullUrl = e.entry.fullUrl;
      if (e.method === 'POST') {
        let id: string = randomUUID();
        if (e.entry.request?.ifNoneExist) {
          const matches = await service.conditionalMatch(e.path[0]!, e.entry.request.ifNoneExist);
          if (matches.length > 1) {
            throw prefixError(
              new OperationOutcomeError(
                outcome(issue('error', 'multiple-matches', `ifNoneExist matched ${matches.length} resources`)),
              ),
              e.index,
            );
          }
          if (matches[0]) {
            id = matches[0].id!;
            plan.reused.add(e.index);
          }
        }
        plan.assigned.set(e.index, id);
        if (fullUrl) {
          plan.map.set(fullUrl, `${e.path[0]}/${id}`);
        }
      } else if (e.method === 'PUT' && fullUrl && e.path[1]) {
        plan.map.set(fullUrl, `${e.path[0]}/${e.path[1]}`);
      }
    }
    await this.resolveConditionalReferences(service, entries, plan);
    return plan;
  }

  /** `Patient?identifier=x|y` references become `Patient/<id>` when exactly one resource matches. */
  private async resolveConditionalReferences(
    service: ResourceService,
    entries: PlannedEntry[],
    plan: IdPlan,
  ): Promise<void> {
    for (const e of entries) {
      for (const reference of collectReferences(e.resource)) {
        const match = /^([A-Z][A-Za-z]+)\?(.+)$/.exec(reference);
        if (!match || plan.map.has(reference)) {
          continue;
        }
        const found = await service.conditionalMatch(match[1]!, match[2]!);
        if (found.length !== 1) {
          throw prefixError(
            new OperationOutcomeError(
              outcome(
                issue(
                  'error',
                  found.length ? 'multiple-matches' : 'not-found',
                  `Conditional reference '${reference}' matched ${found.length} resources`,
                ),
              ),
            ),
            e.index,
          );
        }
        plan.map.set(reference, `${match[1]}/${found[0]!.id}`);
      }
    }
  }

  private resolved(e: PlannedEntry, map: Map<string, string>, id?: string): Resource {
    const resource = rewriteReferences(e.resource!, (reference) => map.get(reference));
    return id ? { ...resource, id } : resource;
  }

  private async execute(service: ResourceService, e: PlannedEntry, ids: IdPlan): Promise<BundleEntry> {
    const [type = '', id, historyKeyword, versionId] = e.path;
    const ifMatch = parseEtag(e.entry.request?.ifMatch);
    switch (e.method) {
      case 'POST': {
        if (ids.reused.has(e.index)) {
          const existing = await service.read(type, ids.assigned.get(e.index)!);
          return this.response(JSON.parse(existing.json!) as Resource, '200 OK');
        }
        const assigned = ids.assigned.get(e.index) ?? randomUUID();
        const [written] = await service.writeMany([
          { resource: this.resolved(e, ids.map, assigned), method: 'create' },
        ]);
        return this.response(written!, '201 Created');
      }
      case 'PUT': {
        const resource = this.resolved(e, ids.map);
        const result = id
          ? await service.update(type, id, resource, { ifMatch, skipValidation: true })
          : await service.conditionalUpdate(type, e.query, resource);
        return this.response(result.resource, result.outcome === 'created' ? '201 Created' : '200 OK');
      }
      case 'PATCH': {
        const operations = patchOperations(e.entry.resource);
        const result = await service.patch(type, id ?? '', operations, { ifMatch });
        return this.response(result.resource, '200 OK');
      }
      case 'DELETE':
        if (id) {
          await service.delete(type, id, { ifMatch });
        } else {
          await service.conditionalDelete(type, e.query);
        }
        return { response: { status: '204 No Content' } };
      case 'GET':
      case 'HEAD':
        return this.read(service, type, id, historyKeyword, versionId, e);
    }
  }

  private async read(
    service: ResourceService,
    type: string,
    id: string | undefined,
    historyKeyword: string | undefined,
    versionId: string | undefined,
    e: PlannedEntry,
  ): Promise<BundleEntry> {
    if (!id) {
      const bundle = await service.search(type, [...new URLSearchParams(e.query)]);
      return { resource: bundle, response: { status: '200 OK' } };
    }
    if (historyKeyword && historyKeyword !== '_history') {
      return notFound(`Unsupported request url '${e.url}'`);
    }
    const stored = versionId ? await service.vread(type, id, versionId) : await service.read(type, id);
    return this.response(JSON.parse(stored.json!) as Resource, '200 OK');
  }

  private response(resource: Resource, status: string): BundleEntry {
    const response: BundleEntryResponse = {
      status,
      location: `${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`,
      etag: `W/"${resource.meta?.versionId}"`,
      lastModified: resource.meta?.lastUpdated,
    };
    return {
      fullUrl: `${this.fhirBase}/${resource.resourceType}/${resource.id}`,
      ...(this.returnRepresentation ? { resource } : {}),
      response,
    };
  }
}

interface IdPlan {
  /** fullUrl (e.g. urn:uuid:…) or conditional reference → `Type/id`. */
  map: Map<string, string>;
  assigned: Map<number, string>;
  /** POST entries whose ifNoneExist matched an existing resource. */
  reused: Set<number>;
}

function parseEtag(value: string | undefined): number | undefined {
  if (!value) {
    return undefined;
  }
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(value.trim());
  return match ? Number(match[1]) : badRequest(`ifMatch '${value}' is not a version ETag`);
}

/** A PATCH entry carries its JSON Patch as a Binary resource (base64 data), per R4. */
function patchOperations(resource: Resource | undefined): unknown {
  if (resource?.resourceType === 'Binary' && resource.data) {
    try {
      return JSON.parse(Buffer.from(resource.data, 'base64').toString('utf8'));
    } catch {
      return badRequest('PATCH entry Binary.data is not a base64 JSON Patch');
    }
  }
  if (resource?.resourceType === 'Parameters') {
    return badRequest('FHIRPath Patch (Parameters) is not supported; use JSON Patch in a Binary');
  }
  return badRequest('PATCH entry needs a Binary resource holding a JSON Patch');
}

function errorEntry(error: OperationOutcomeError): BundleEntry {
  return { response: { status: String(error.status), outcome: error.outcome } };
}

function prefixError(error: unknown, index: number): unknown {
  if (!isOperationOutcomeError(error)) {
    return error;
  }
  const issues = (error.outcome.issue ?? []).map((i) => ({
    ...i,
    diagnostics: `Bundle.entry[${index}]: ${i.diagnostics ?? i.details?.text ?? i.code}`,
    expression: i.expression?.map((x) => `Bundle.entry[${index}].resource.${x.replace(/^[A-Z][A-Za-z]+\./, '')}`),
  }));
  return new OperationOutcomeError({ ...error.outcome, issue: issues }, error.status);
}
