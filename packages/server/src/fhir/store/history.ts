import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { isTimestampText } from '../calendar.ts';
import { badRequest, notFound } from '../outcome.ts';
import { ID_PATTERN } from '../references.ts';
import type { ResourceService } from './resource.service.ts';
import { ResourceRepository, type HistoryQuery, type StoredResource } from './resource.repository.ts';
import type { Queryable } from '../../db/database.ts';

export interface HistoryRequest {
  resourceType?: string;
  id?: string;
  query: [string, string][];
}

/**
 * Instance, type and system `_history`, newest first, paged with a keyset cursor so that new
 * writes never shift a page. Supports `_count`, `_since`, `_at`.
 */
export async function history(service: ResourceService, db: Queryable, request: HistoryRequest): Promise<Bundle> {
  const params = new Map(request.query);
  const count = Math.min(Number(params.get('_count') ?? service.options.defaultPageSize), service.options.maxPageSize);
  if (!Number.isInteger(count) || count < 1) {
    badRequest('_count must be a positive whole number');
  }
  const query: HistoryQuery = {
    resourceType: request.resourceType,
    id: request.id,
    since: instant(params.get('_since'), '_since'),
    at: instant(params.get('_at'), '_at'),
    count: count + 1,
    before: params.get('_cursor') ? decode(params.get('_cursor')!) : undefined,
    restrict: service.restrict,
  };
  if (request.id) {
    // 404 for an unknown resource rather than an empty history.
    const current = await new ResourceRepository(db).readCurrent(request.resourceType!, request.id, service.restrict);
    if (!current) {
      notFound(`${request.resourceType}/${request.id} is not known`);
    }
  }
  const rows = await new ResourceRepository(db).history(query);
  const page = rows.slice(0, count);
  await service.recordAccess({
    interaction: 'history',
    resources: [...new Set(page.map((row) => `${row.resourceType}/${row.id}`))],
    patients: [],
  });
  const base = service.options.fhirBase;
  const path = [request.resourceType, request.id, '_history'].filter(Boolean).join('/');
  const selfQuery = new URLSearchParams(request.query.filter(([k]) => k !== '_cursor'));
  const link = [{ relation: 'self', url: `${base}/${path}${selfQuery.size ? `?${selfQuery.toString()}` : ''}` }];
  const last = page[page.length - 1];
  if (rows.length > count && last) {
    const next = new URLSearchParams(selfQuery);
    next.set('_cursor', encode(last));
    link.push({ relation: 'next', url: `${base}/${path}?${next.toString()}` });
  }
  return {
    resourceType: 'Bundle',
    type: 'history',
    ...(query.before || rows.length > count ? {} : { total: page.length }),
    link,
    entry: page.map((row) => historyEntry(base, row)),
  };
}

function historyEntry(base: string, row: StoredResource): BundleEntry {
  const fullUrl = `${base}/${row.resourceType}/${row.id}`;
  const url = `${row.resourceType}/${row.id}`;
  if (row.deleted) {
    return {
      fullUrl,
      request: { method: 'DELETE', url },
      response: { status: '204 No Content', lastModified: row.lastUpdated.toISOString(), etag: `W/"${row.versionId}"` },
    };
  }
  const created = row.method === 'create';
  return {
    fullUrl,
    resource: JSON.parse(row.json!) as Resource,
    request: {
      method: created ? 'POST' : row.method === 'patch' ? 'PATCH' : 'PUT',
      url: created ? row.resourceType : url,
    },
    response: {
      status: created ? '201 Created' : '200 OK',
      etag: `W/"${row.versionId}"`,
      lastModified: row.lastUpdated.toISOString(),
    },
  };
}

function instant(value: string | undefined, name: string): Date | undefined {
  if (!value) {
    return undefined;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? badRequest(`${name} '${value}' is not an instant`) : date;
}

function encode(row: StoredResource): string {
  return Buffer.from(JSON.stringify([row.lastUpdated.toISOString(), row.resourceType, row.id, row.versionId])).toString(
    'base64url',
  );
}

function decode(value: string): HistoryQuery['before'] {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString()) as unknown;
    // The values go into SQL casts: a tampered cursor must be a 400 here, not a SQL error later.
    if (Array.isArray(parsed) && parsed.length === 4) {
      const [lastUpdated, resourceType, id, versionId] = parsed as unknown[];
      if (
        typeof lastUpdated === 'string' &&
        isTimestampText(lastUpdated) &&
        typeof resourceType === 'string' &&
        typeof id === 'string' &&
        ID_PATTERN.test(id) &&
        /^[A-Za-z]{1,64}$/.test(resourceType) &&
        Number.isSafeInteger(versionId)
      ) {
        return { lastUpdated, resourceType, id, versionId: versionId as number };
      }
    }
  } catch {
    // fall through to the error below
  }
  return badRequest('Invalid _cursor: use the next link exactly as returned');
}
