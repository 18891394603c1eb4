import { searchParamsFor, type SearchParamDefinition } from '../definitions.ts';
import { normalizeString } from '../indexing/normalize.ts';
import { badRequest } from '../outcome.ts';
import { ID_PATTERN, parseReference } from '../references.ts';
import type { SearchFilter } from './model.ts';
import { splitPipes, unescapeValue } from './parse.ts';
import { dateCondition, numberCondition, splitPrefix } from './prefixes.ts';
import type { RowRestriction } from './execute.ts';
import type { SqlParams } from './sql-params.ts';

export interface FilterScope {
  /** Alias of the `resource` row being filtered. */
  alias: string;
  resourceType: string;
  fhirBase: string;
  params: SqlParams;
  depth: number;
  /**
   * The caller's access restriction. Chains and `_has` join other resources; each joined row must
   * pass it too, or a filter would answer yes/no questions about records the caller may not see.
   */
  restrict?: RowRestriction;
}

/** `and <the caller may see alias>`, or nothing for an unrestricted caller. */
function visibleTo(scope: FilterScope, alias: string): string {
  return scope.restrict ? ` and coalesce((${scope.restrict(alias, scope.params)}), false)` : '';
}

/** Translates one search filter into a SQL condition on `scope.alias`. */
export function filterToSql(filter: SearchFilter, scope: FilterScope): string {
  const { alias, params } = scope;
  if (filter.anyOf) {
    return `(${filter.anyOf.map((alternative) => filterToSql(alternative, scope)).join(' or ')})`;
  }
  if (filter.has) {
    return hasToSql(filter, scope);
  }
  if (filter.chain) {
    return chainToSql(filter, scope);
  }
  if (filter.name === '_id') {
    return idCondition(filter, scope);
  }
  if (filter.name === '_lastUpdated') {
    if (filter.modifier === 'missing') {
      return filter.values[0] === 'true' ? 'false' : 'true';
    }
    const column = `${alias}.last_updated`;
    return anyOf(
      filter.values.map((v) => {
        const { prefix, rest } = splitPrefix(v);
        return dateCondition(prefix, rest, column, column, (x) => params.add(x));
      }),
    );
  }
  const definition = searchParamsFor(scope.resourceType).get(filter.name);
  if (!definition) {
    return badRequest(`Unknown search parameter '${filter.name}' for ${scope.resourceType}`);
  }
  const table = `search_${definition.type}`;
  const t = `s${scope.depth}_${params.values.length}`;
  const owner = `${t}.resource_type = ${params.add(scope.resourceType)} and ${t}.id = ${alias}.id and ${t}.param = ${params.add(filter.name)}`;
  if (filter.modifier === 'missing') {
    const exists = `exists (select 1 from ${table} ${t} where ${owner})`;
    return filter.values[0] === 'true' ? `not ${exists}` : exists;
  }
  const negate = filter.modifier === 'not';
  const conditions = filter.values.map((value) => valueCondition(definition, filter.modifier, value, t, scope));
  const sql = `exists (select 1 from ${table} ${t} where ${owner} and ${anyOf(conditions)})`;
  return negate ? `not ${sql}` : sql;
}

function idCondition(filter: SearchFilter, { alias, params }: FilterScope): string {
  if (filter.modifier === 'missing') {
    return filter.values[0] === 'true' ? 'false' : 'true';
  }
  const condition = `${alias}.id = any(${params.add(filter.values.map(unescapeValue))}::text[])`;
  return filter.modifier === 'not' ? `not (${condition})` : condition;
}

function anyOf(conditions: string[]): string {
  return conditions.length === 1 ? conditions[0]! : `(${conditions.join(' or ')})`;
}

function valueCondition(
  definition: SearchParamDefinition,
  modifier: string | undefined,
  rawValue: string,
  t: string,
  scope: FilterScope,
): string {
  const add = (v: unknown): string => scope.params.add(v);
  switch (definition.type) {
    case 'string':
      return stringCondition(modifier, unescapeValue(rawValue), t, add);
    case 'token':
      return tokenCondition(modifier, rawValue, t, add);
    case 'date': {
      const { prefix, rest } = splitPrefix(rawValue);
      return dateCondition(prefix, rest, `${t}.low`, `${t}.high`, add);
    }
    case 'number': {
      const { prefix, rest } = splitPrefix(rawValue);
      return numberCondition(prefix, rest, `${t}.value`, add);
    }
    case 'quantity':
      return quantityCondition(rawValue, t, add);
    case 'reference':
      return referenceCondition(definition, modifier, unescapeValue(rawValue), t, scope);
    case 'uri':
      return uriCondition(modifier, unescapeValue(rawValue), t, add);
  }
}

function likePrefix(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

function stringCondition(modifier: string | undefined, value: string, t: string, add: (v: unknown) => string): string {
  if (modifier === 'exact') {
    return `${t}.raw = ${add(value)}`;
  }
  const normalized = likePrefix(normalizeString(value));
  if (modifier === 'contains') {
    return `${t}.value like ${add(`%${normalized}%`)}`;
  }
  return `${t}.value like ${add(`${normalized}%`)}`;
}

function tokenCondition(
  modifier: string | undefined,
  rawValue: string,
  t: string,
  add: (v: unknown) => string,
): string {
  if (modifier === 'text') {
    return `lower(${t}.display) like ${add(`${likePrefix(unescapeValue(rawValue).toLowerCase())}%`)}`;
  }
  const parts = splitPipes(rawValue);
  if (parts.length === 1) {
    return `${t}.code = ${add(parts[0])}`;
  }
  const [system = '', code = ''] = parts;
  if (system === '') {
    return `(${t}.system is null and ${t}.code = ${add(code)})`;
  }
  if (code === '') {
    return `${t}.system = ${add(system)}`;
  }
  return `(${t}.system = ${add(system)} and ${t}.code = ${add(code)})`;
}

function quantityCondition(rawValue: string, t: string, add: (v: unknown) => string): string {
  const [numberPart = '', system = '', code = ''] = splitPipes(rawValue);
  const { prefix, rest } = splitPrefix(numberPart);
  const conditions = [numberCondition(prefix, rest, `${t}.value`, add)];
  if (system) {
    conditions.push(`${t}.system = ${add(system)}`);
  }
  if (code) {
    conditions.push(system ? `${t}.code = ${add(code)}` : `(${t}.code = ${add(code)} or ${t}.unit = ${add(code)})`);
  }
  return `(${conditions.join(' and ')})`;
}

function uriCondition(modifier: string | undefined, value: string, t: string, add: (v: unknown) => string): string {
  if (modifier === 'below') {
    return `${t}.value like ${add(`${likePrefix(value)}%`)}`;
  }
  if (modifier === 'above') {
    return `${add(value)} like (replace(replace(${t}.value, '%', '\\%'), '_', '\\_') || '%')`;
  }
  return `${t}.value = ${add(value)}`;
}

function referenceCondition(
  definition: SearchParamDefinition,
  modifier: string | undefined,
  value: string,
  t: string,
  scope: FilterScope,
): string {
  const add = (v: unknown): string => scope.params.add(v);
  if (ID_PATTERN.test(value)) {
    // A bare id: the type comes from the :Type modifier or the parameter's only target type.
    const type = modifier ?? (definition.targets.length === 1 ? definition.targets[0] : undefined);
    return type
      ? `(${t}.target_type = ${add(type)} and ${t}.target_id = ${add(value)})`
      : `${t}.target_id = ${add(value)}`;
  }
  const parsed = parseReference(value, scope.fhirBase);
  if (parsed.url && !parsed.id) {
    return `${t}.target_url = ${add(value)}`;
  }
  if (parsed.url) {
    return `(${t}.target_url = ${add(value)} or (${t}.target_type = ${add(parsed.type)} and ${t}.target_id = ${add(parsed.id)}))`;
  }
  if (parsed.type && parsed.id) {
    if (modifier && modifier !== parsed.type) {
      return 'false';
    }
    return `(${t}.target_type = ${add(parsed.type)} and ${t}.target_id = ${add(parsed.id)})`;
  }
  return badRequest(`'${value}' is not a valid reference for ${definition.name}`);
}

/** `subject:Patient.name=smith`: references to Patients that themselves match `name=smith`. */
function chainToSql(filter: SearchFilter, scope: FilterScope): string {
  const chain = filter.chain!;
  const { params } = scope;
  const t = `c${scope.depth}_${params.values.length}`;
  const target = `ct${scope.depth}_${params.values.length}`;
  const inner = filterToSql(chain.filter, {
    ...scope,
    alias: target,
    resourceType: chain.targetType!,
    depth: scope.depth + 1,
  });
  return `exists (select 1 from search_reference ${t} join resource ${target}
      on ${target}.resource_type = ${t}.target_type and ${target}.id = ${t}.target_id and not ${target}.deleted
    where ${t}.resource_type = ${params.add(scope.resourceType)} and ${t}.id = ${scope.alias}.id
      and ${t}.param = ${params.add(filter.name)} and ${t}.target_type = ${params.add(chain.targetType)} and ${inner}${visibleTo(scope, target)})`;
}

/** `_has:Observation:patient:code=x`: this resource is referenced by a matching Observation. */
function hasToSql(filter: SearchFilter, scope: FilterScope): string {
  const has = filter.has!;
  const { params } = scope;
  const t = `h${scope.depth}_${params.values.length}`;
  const source = `hs${scope.depth}_${params.values.length}`;
  const inner = filterToSql(has.filter, {
    ...scope,
    alias: source,
    resourceType: has.sourceType,
    depth: scope.depth + 1,
  });
  return `exists (select 1 from search_reference ${t} join resource ${source}
      on ${source}.resource_type = ${t}.resource_type and ${source}.id = ${t}.id and not ${source}.deleted
    where ${t}.target_type = ${params.add(scope.resourceType)} and ${t}.target_id = ${scope.alias}.id
      and ${t}.resource_type = ${params.add(has.sourceType)} and ${t}.param = ${params.add(has.referenceParam)} and ${inner}${visibleTo(scope, source)})`;
}
