import type { Bundle, BundleEntry, BundleLink, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/database.ts';
import { badRequest } from '../outcome.ts';
import { ID_PATTERN, parseReference } from '../references.ts';
import { applyElements, applySummary } from '../representation.ts';
import { filterToSql } from './filters.ts';
import type { IncludeRule, SearchRequest } from './model.ts';
import { planIsReusable } from './plan-reuse.ts';
import { afterRow, orderBy, sortKeys } from './sort.ts';
import { SqlParams } from './sql-params.ts';

export type { RestrictionHint, RowRestriction } from './filter-scope.ts';
import { sameShard } from '../../db/distributed.ts';
import type { RowRestriction } from './filter-scope.ts';

export interface SearchContext {
  db: Queryable;
  fhirBase: string;
  restrict?: RowRestriction;
}

interface ResourceRow {
  resource_type: string;
  id: string;
  content: string;
  [cursor: `cursor_${number}`]: string;
}

interface Cursor {
  values: string[];
  reverse: boolean;
}

/** Runs a parsed search and returns the searchset Bundle with paging links that survive writes. */
export async function executeSearch(
  ctx: SearchContext,
  request: SearchRequest,
  linkBase: { path: string; query: readonly [string, string][] },
): Promise<Bundle> {
  const params = new SqlParams();
  const where = whereClause(ctx, request, 'r', params);
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };

  if (request.summary === 'count' || request.count === 0 || request.total === 'accurate') {
    const countParams = new SqlParams();
    const countWhere = whereClause(ctx, request, 'r', countParams);
    const rows = await ctx.db.query<{ n: string }>(
      `select count(*) as n from resource r where ${countWhere}`,
      countParams.values as never,
      { reusePlan: planIsReusable(request) },
    );
    bundle.total = Number(rows[0]?.n ?? 0);
  }
  if (request.summary === 'count' || request.count === 0) {
    addIgnoredWarning(bundle, request);
    bundle.link = [{ relation: 'self', url: linkUrl(ctx, linkBase, undefined) }];
    return bundle;
  }

  const cursor = request.cursor ? decodeCursor(request.cursor) : undefined;
  const keys = sortKeys(request.resourceType, request.sort, 'r', params, ctx.db.distributed);
  const reverse = cursor?.reverse ?? false;
  const conditions = [where];
  if (cursor) {
    if (cursor.values.length !== keys.length) {
      badRequest('The _cursor does not belong to this search');
    }
    conditions.push(afterRow(keys, cursor.values, reverse, params));
  }
  const sortColumns = keys.map((key, i) => `${key.expression} as sort_${i}, (${key.expression})::text as cursor_${i}`);
  // Sort and limit on the narrow `resource` rows first; only the page's content is fetched.
  const sql = `select page.*, v.content from (
      select r.resource_type, r.id, r.version_id, ${ctx.db.distributed ? 'r.shard_key, ' : ''}${sortColumns.join(', ')}
        from resource r where ${conditions.join(' and ')}
        order by ${orderBy(keys, reverse)} limit ${params.add(request.count + 1)}
    ) page
    join resource_version v on v.resource_type = page.resource_type and v.id = page.id and v.version_id = page.version_id${sameShard('v', 'page', ctx.db.distributed)}
    order by ${orderBy(keys, reverse)}`;
  const rows = await ctx.db.query<ResourceRow>(sql, params.values as never, { reusePlan: planIsReusable(request) });
  const hasMore = rows.length > request.count;
  const page = rows.slice(0, request.count);
  if (reverse) {
    page.reverse();
  }
  const links: BundleLink[] = [{ relation: 'self', url: linkUrl(ctx, linkBase, request.cursor) }];
  const cursorOf = (row: ResourceRow, back: boolean): string =>
    encodeCursor({ values: keys.map((_, i) => String(row[`cursor_${i}`])), reverse: back });
  const first = page[0];
  const last = page[page.length - 1];
  const moreForward = reverse ? Boolean(cursor) : hasMore;
  const moreBackward = reverse ? hasMore : Boolean(cursor);
  if (first) {
    links.unshift({ relation: 'first', url: linkUrl(ctx, linkBase, undefined) });
  }
  if (last && moreForward) {
    links.push({ relation: 'next', url: linkUrl(ctx, linkBase, cursorOf(last, false)) });
  }
  if (first && moreBackward) {
    links.push({ relation: 'previous', url: linkUrl(ctx, linkBase, cursorOf(first, true)) });
  }
  bundle.link = links;
  if (bundle.total === undefined && !cursor && !hasMore) {
    bundle.total = page.length; // The whole result is on this page, so the total is free.
  }

  const matches = page.map((row) => JSON.parse(row.content) as Resource);
  const included = await resolveIncludes(ctx, request, matches);
  bundle.entry = [
    ...matches.map((resource) => entry(ctx, shape(request, resource), 'match')),
    ...included.map((resource) => entry(ctx, shape(request, resource), 'include')),
  ];
  addIgnoredWarning(bundle, request);
  return bundle;
}

function whereClause(ctx: SearchContext, request: SearchRequest, alias: string, params: SqlParams): string {
  const conditions = [`${alias}.resource_type = ${params.add(request.resourceType)}`, `not ${alias}.deleted`];
  for (const filter of request.filters) {
    conditions.push(
      filterToSql(filter, {
        alias,
        resourceType: request.resourceType,
        fhirBase: ctx.fhirBase,
        params,
        depth: 0,
        ...(ctx.restrict ? { restrict: ctx.restrict } : {}),
        distributed: ctx.db.distributed,
      }),
    );
  }
  if (ctx.restrict) {
    const patient = pinnedPatient(request, ctx.fhirBase);
    conditions.push(
      patient ? restrictionForPatient(ctx.restrict, alias, params, params.add(patient)) : ctx.restrict(alias, params),
    );
  }
  return conditions.join(' and ');
}

/**
 * The access restriction for rows that (nearly) all belong to one patient, `patient` (a SQL
 * expression): rows of that patient get the restriction with the patient known, so their
 * relationships and consent rules are looked up once per query; any other row gets the general one.
 */
export function restrictionForPatient(
  restrict: RowRestriction,
  alias: string,
  params: SqlParams,
  patient: string,
): string {
  return `(case when ${alias}.patient_id = ${patient} then coalesce((${restrict(alias, params, { patient })}), false)
    else coalesce((${restrict(alias, params)}), false) end)`;
}

/** The one patient a search is pinned to by a plain `patient=` (or `subject=Patient/…`) filter. */
function pinnedPatient(request: SearchRequest, fhirBase: string): string | undefined {
  for (const filter of request.filters) {
    if (filter.modifier || filter.chain || filter.has || filter.anyOf || filter.values.length !== 1) {
      continue;
    }
    const value = filter.values[0]!;
    if (filter.name === 'patient' && ID_PATTERN.test(value)) {
      return value;
    }
    const ref = parseReference(value, fhirBase);
    if ((filter.name === 'patient' || filter.name === 'subject') && ref.type === 'Patient' && !ref.url && ref.id) {
      return ref.id;
    }
  }
  return undefined;
}

function shape(request: SearchRequest, resource: Resource): Resource {
  return applyElements(applySummary(resource, request.summary), request.elements);
}

function entry(ctx: SearchContext, resource: Resource, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `${ctx.fhirBase}/${resource.resourceType}/${resource.id}`, resource, search: { mode } };
}

function addIgnoredWarning(bundle: Bundle, request: SearchRequest): void {
  if (request.ignored.length === 0) {
    return;
  }
  const outcome: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: request.ignored.map(({ name, reason }) => ({
      severity: 'warning',
      code: 'not-supported',
      diagnostics: `Search parameter '${name}' was ignored: ${reason}`,
      expression: [name],
    })),
  };
  bundle.entry = [...(bundle.entry ?? []), { resource: outcome, search: { mode: 'outcome' } }];
}

const INCLUDE_LIMIT = 1000;

async function resolveIncludes(ctx: SearchContext, request: SearchRequest, matches: Resource[]): Promise<Resource[]> {
  if (!request.include.length && !request.revinclude.length) {
    return [];
  }
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const found: Resource[] = [];
  const runLevel = async (sources: Resource[], iterateOnly: boolean): Promise<Resource[]> => {
    const level: Resource[] = [];
    for (const rule of request.include) {
      if (!iterateOnly || rule.iterate) {
        level.push(...(await includeTargets(ctx, rule, sources)));
      }
    }
    for (const rule of request.revinclude) {
      if (!iterateOnly || rule.iterate) {
        level.push(...(await revincludeSources(ctx, rule, sources)));
      }
    }
    const fresh = level.filter((r) => {
      const key = `${r.resourceType}/${r.id}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
    found.push(...fresh);
    return fresh;
  };
  const firstLevel = await runLevel(matches, false);
  if (firstLevel.length) {
    await runLevel(firstLevel, true); // :iterate, one level further
  }
  return found;
}

/** `_include`: the resources that `sources` reference through the rule's parameter. */
function includeTargets(ctx: SearchContext, rule: IncludeRule, sources: Resource[]): Promise<Resource[]> {
  const matching = sources.filter((r) => r.resourceType === rule.sourceType);
  return followReferences(ctx, rule, matching, {
    join: 'r.resource_type = ref.target_type and r.id = ref.target_id',
    keys: 'ref.resource_type = k.t and ref.id = k.i',
  });
}

/** `_revinclude`: the resources of the rule's type that reference `targets` through its parameter. */
function revincludeSources(ctx: SearchContext, rule: IncludeRule, targets: Resource[]): Promise<Resource[]> {
  return followReferences(ctx, rule, targets, {
    join: 'r.resource_type = ref.resource_type and r.id = ref.id',
    keys: 'ref.target_type = k.t and ref.target_id = k.i',
  });
}

async function followReferences(
  ctx: SearchContext,
  rule: IncludeRule,
  from: Resource[],
  direction: { join: string; keys: string },
): Promise<Resource[]> {
  if (!from.length) {
    return [];
  }
  const params = new SqlParams();
  const types = params.add(from.map((r) => r.resourceType));
  const ids = params.add(from.map((r) => r.id!));
  const restriction = ctx.restrict ? ` and ${ctx.restrict('r', params)}` : '';
  const param = rule.param === '*' ? '' : ` and ref.param = ${params.add(rule.param)}`;
  const target = rule.targetType ? ` and ref.target_type = ${params.add(rule.targetType)}` : '';
  const rows = await ctx.db.query<{ content: string }>(
    `select distinct on (r.resource_type, r.id) r.resource_type, r.id, r.content
       from unnest(${types}::text[], ${ids}::text[]) as k(t, i)
       join search_reference ref on ${direction.keys}
       join current_resource r on ${direction.join} and not r.deleted
      where ref.resource_type = ${params.add(rule.sourceType)}${param}${target}${restriction}
      limit ${INCLUDE_LIMIT}`,
    params.values as never,
  );
  return rows.map((row) => JSON.parse(row.content) as Resource);
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.reverse ? 1 : 0, ...cursor.values])).toString('base64url');
}

function decodeCursor(value: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    // NUL cannot be a PostgreSQL text value: a cursor holding one was not written by this server.
    if (
      Array.isArray(parsed) &&
      parsed.length >= 2 &&
      parsed.slice(1).every((v) => typeof v === 'string' && !v.includes('\0'))
    ) {
      return { reverse: parsed[0] === 1, values: parsed.slice(1) as string[] };
    }
  } catch {
    // fall through to the error below
  }
  return badRequest('Invalid _cursor: use the next/previous links exactly as returned');
}

function linkUrl(
  ctx: SearchContext,
  base: { path: string; query: readonly [string, string][] },
  cursor: string | undefined,
): string {
  const query = new URLSearchParams(base.query.filter(([name]) => name !== '_cursor'));
  if (cursor) {
    query.set('_cursor', cursor);
  }
  const text = query.toString();
  return `${ctx.fhirBase}/${base.path}${text ? `?${text}` : ''}`;
}
