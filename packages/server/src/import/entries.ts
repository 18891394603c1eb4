import { createHash } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { rewriteReferences } from '../fhir/bundle/references.ts';
import { isKnownResourceType } from '../fhir/definitions.ts';
import { ID_PATTERN } from '../fhir/references.ts';

/** What to do with one Bundle entry or NDJSON line. */
export type EntryPlan =
  | { kind: 'resource'; resourceType: string; id: string; fullUrl?: string; resource: Record<string, unknown> }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; message: string; resourceType?: string; id?: string };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Namespace of the name-based (version 5) UUIDs given to resources that arrive without an id. */
const ID_NAMESPACE = Buffer.from('6f1d3c8e9a2b4d5e8f7a1b2c3d4e5f60', 'hex');

/**
 * A stable id for a resource that has none: a name-based UUID of the absolute file path and the
 * entry index (or line number), so importing the same file again addresses the same resources.
 */
export function deterministicId(file: string, position: number): string {
  const hash = createHash('sha1').update(ID_NAMESPACE).update(`${file}#${position}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const URN_UUID = /^urn:uuid:([0-9a-fA-F-]{1,64})$/;
const ABSOLUTE_TYPE_ID = /^https?:\/\/.+\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/** Checks the envelope (an object of a known type with a valid id, if any): needed even without validation. */
function checkEnvelope(
  resource: unknown,
): { resourceType: string; ownId?: string } | { error: string; resourceType?: string } {
  if (!isObject(resource)) {
    return { error: 'Not a JSON object holding a FHIR resource' };
  }
  const { resourceType, id } = resource;
  if (typeof resourceType !== 'string' || !resourceType) {
    return { error: 'The resource has no resourceType' };
  }
  if (!isKnownResourceType(resourceType)) {
    return { error: `Unknown resource type '${resourceType}'`, resourceType };
  }
  if (id === undefined) {
    return { resourceType };
  }
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    return { error: `Invalid resource id ${JSON.stringify(id)}: 1-64 of A-Z a-z 0-9 - .`, resourceType };
  }
  return { resourceType, ownId: id };
}

/** A resource standing on its own (an NDJSON line, a single-resource file): own id, else a derived one. */
export function planResource(resource: unknown, file: string, position: number): EntryPlan {
  const envelope = checkEnvelope(resource);
  if ('error' in envelope) {
    return { kind: 'error', message: envelope.error, resourceType: envelope.resourceType };
  }
  const id = envelope.ownId ?? deterministicId(file, position);
  return { kind: 'resource', resourceType: envelope.resourceType, id, resource: resource as JsonObject };
}

/**
 * A Bundle entry. The id is, in order: the resource's own id; the id of a `PUT Type/id` request;
 * the uuid of a `urn:uuid:` fullUrl; the id of an absolute `.../Type/id` fullUrl; else derived
 * from file and index. Conditional requests (ifNoneExist, `PUT Type?query`) are not evaluated:
 * import identifies resources by id only.
 */
export function planEntry(entry: unknown, file: string, index: number): EntryPlan {
  if (!isObject(entry)) {
    return { kind: 'error', message: 'The Bundle entry is not a JSON object' };
  }
  const request = isObject(entry.request) ? entry.request : undefined;
  const method = typeof request?.method === 'string' ? request.method.toUpperCase() : undefined;
  const url = typeof request?.url === 'string' ? request.url : undefined;
  const fullUrl = typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
  if (entry.resource === undefined) {
    return {
      kind: 'skip',
      reason: method === 'DELETE' ? 'DELETE entries are not imported' : 'The entry has no resource',
    };
  }
  if (method === 'PATCH' || method === 'DELETE') {
    return { kind: 'error', message: `${method} entries are not supported by import` };
  }
  const envelope = checkEnvelope(entry.resource);
  if ('error' in envelope) {
    return { kind: 'error', message: envelope.error, resourceType: envelope.resourceType };
  }
  const { resourceType, ownId } = envelope;
  let requestId: string | undefined;
  if (url !== undefined && (method === 'POST' || method === 'PUT')) {
    const target = requestTarget(method, url);
    if (target.type !== resourceType) {
      return {
        kind: 'error',
        message: `request.url '${url}' does not match the resource type ${resourceType}`,
        resourceType,
        id: ownId,
      };
    }
    if (target.id !== undefined && ID_PATTERN.test(target.id)) {
      requestId = target.id;
      if (ownId !== undefined && ownId !== requestId) {
        return {
          kind: 'error',
          message: `Resource id '${ownId}' does not match request.url '${url}'`,
          resourceType,
          id: ownId,
        };
      }
    }
  }
  let id = ownId ?? requestId;
  if (id === undefined && fullUrl !== undefined) {
    const uuid = URN_UUID.exec(fullUrl);
    const absolute = ABSOLUTE_TYPE_ID.exec(fullUrl);
    if (uuid && ID_PATTERN.test(uuid[1]!)) {
      id = uuid[1];
    } else if (absolute && absolute[1] === resourceType) {
      id = absolute[2];
    }
  }
  id ??= deterministicId(file, index);
  return { kind: 'resource', resourceType, id, fullUrl, resource: entry.resource as JsonObject };
}

/**
 * A copy of a string that shares no memory with the text it was cut from. Strings parsed out of
 * a file (by stream-json, and by JSON.parse) can be slices of a whole read chunk or file: kept in
 * a long-lived map, each would keep its chunk alive, making the map as big as the input.
 */
export function detach(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

/**
 * The type (and, for `PUT Type/id`, the id) a Bundle entry's request addresses. Accepts relative
 * (`Patient`, `Patient/1`, `Patient?identifier=x`) and absolute (`https://x/fhir/Patient/1`) URLs.
 */
function requestTarget(method: 'POST' | 'PUT', url: string): { type?: string; id?: string } {
  const conditional = url.includes('?');
  const segments = url.split('?')[0]!.split('/').filter(Boolean);
  if (method === 'PUT' && !conditional && segments.length >= 2) {
    return { type: segments[segments.length - 2], id: segments[segments.length - 1] };
  }
  return { type: segments[segments.length - 1] };
}

/** Adds `fullUrl -> Type/id` for a planned entry (the map a Bundle's references resolve against). */
export function addFullUrl(map: Map<string, string>, plan: EntryPlan): void {
  if (plan.kind === 'resource' && plan.fullUrl !== undefined) {
    map.set(detach(plan.fullUrl), detach(`${plan.resourceType}/${plan.id}`));
  }
}

const isUrn = (reference: string): boolean => reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:');

/**
 * The resource as it will be stored: its id set, and every reference to a fullUrl of its Bundle
 * rewritten to `Type/id`. Returns also the number of `urn:` references that matched nothing.
 */
export function finalResource(
  plan: Extract<EntryPlan, { kind: 'resource' }>,
  fullUrls?: ReadonlyMap<string, string>,
): {
  resource: Resource;
  unresolved: number;
} {
  let unresolved = 0;
  let resource = plan.resource;
  if (fullUrls && fullUrls.size > 0) {
    resource = rewriteReferences(resource, (reference) => {
      const target = fullUrls.get(reference);
      if (target === undefined && isUrn(reference)) {
        unresolved++;
      }
      return target;
    });
  }
  if (resource.id !== plan.id) {
    resource = { ...resource, id: plan.id };
  }
  return { resource: resource as unknown as Resource, unresolved };
}

/**
 * How a Bundle in a `.json` file is imported: its entries one by one (transaction, batch,
 * collection, searchset, or no type), the Bundle itself as one resource (document, message: FHIR
 * stores those whole), or not at all (history: newest-first versions and deletions, which an
 * upsert of each entry would get wrong).
 */
export function bundleHandling(type: unknown): 'entries' | 'whole' | { error: string } {
  if (type === 'document' || type === 'message') {
    return 'whole';
  }
  if (type === 'history') {
    return {
      error: "Bundles of type 'history' are not imported: export the current versions (e.g. as NDJSON or a collection)",
    };
  }
  return 'entries';
}
