import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import type { StoredResource } from '../store/resource.repository.ts';
import { badRequest, outcome, issue, preconditionError } from '../outcome.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function etag(versionId: number | string): string {
  return `W/"${versionId}"`;
}

/** `If-Match: W/"3"` → 3. A malformed header is a client error, not a silent no-op. */
export function parseIfMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) {
    return undefined;
  }
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(String(header).trim());
  if (!match) {
    throw preconditionError(`If-Match '${String(header)}' is not a version ETag such as W/"3"`);
  }
  return Number(match[1]);
}

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

export function preferences(request: FastifyRequest): { return: ReturnPreference; strict: boolean } {
  const header = String(request.headers.prefer ?? '');
  const returnMatch = /return=(minimal|representation|OperationOutcome)/.exec(header);
  return {
    return: (returnMatch?.[1] as ReturnPreference | undefined) ?? 'representation',
    strict: /handling=strict/.test(header),
  };
}

/** Sends a stored version as is: the JSON text goes out without a parse/stringify round trip. */
export function sendStored(reply: FastifyReply, stored: StoredResource): FastifyReply {
  return reply
    .header('content-type', FHIR_JSON)
    .header('etag', etag(stored.versionId))
    .header('last-modified', stored.lastUpdated.toUTCString())
    .send(stored.json);
}

export function sendResource(reply: FastifyReply, resource: Resource, status = 200): FastifyReply {
  reply.code(status).header('content-type', FHIR_JSON);
  if (resource.meta?.versionId) {
    reply.header('etag', etag(resource.meta.versionId));
  }
  if (resource.meta?.lastUpdated) {
    reply.header('last-modified', new Date(resource.meta.lastUpdated).toUTCString());
  }
  return reply.send(JSON.stringify(resource));
}

/** Replies to a write as `Prefer: return=` asks, with Location/ETag/Last-Modified set. */
export function sendWriteResult(
  request: FastifyRequest,
  reply: FastifyReply,
  fhirBase: string,
  resource: Resource,
  status: number,
): FastifyReply {
  const preference = preferences(request).return;
  if (status === 201) {
    reply.header(
      'location',
      `${fhirBase}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`,
    );
  }
  if (preference === 'minimal') {
    reply.code(status);
    if (resource.meta?.versionId) {
      reply.header('etag', etag(resource.meta.versionId));
      reply.header('last-modified', new Date(resource.meta.lastUpdated!).toUTCString());
    }
    return reply.send();
  }
  if (preference === 'OperationOutcome') {
    const message = `${status === 201 ? 'Created' : 'Updated'} ${resource.resourceType}/${resource.id} version ${resource.meta?.versionId}`;
    reply.code(status).header('content-type', FHIR_JSON);
    if (resource.meta?.versionId) {
      reply.header('etag', etag(resource.meta.versionId));
    }
    return reply.send(JSON.stringify(outcome(issue('information', 'informational', message))));
  }
  return sendResource(reply, resource, status);
}

/** The query string as ordered pairs (repeated names kept), from the raw URL. */
export function queryPairs(request: FastifyRequest): [string, string][] {
  const index = request.url.indexOf('?');
  return index < 0 ? [] : [...new URLSearchParams(request.url.slice(index + 1))];
}

export function rawQuery(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index < 0 ? '' : request.url.slice(index + 1);
}

export function requireBody(body: unknown): Resource {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return badRequest('The request body must be a FHIR resource as a JSON object');
  }
  return body as Resource;
}
