import { compositeParamsFor, searchParamsFor } from '../definitions.ts';
import { badRequest } from '../outcome.ts';
import { compositeToSql } from './composite.ts';
import type { SearchFilter } from './model.ts';
import { unescapeValue } from './parse.ts';
import { dateCondition, splitPrefix } from './prefixes.ts';
import { valueCondition } from './values.ts';
import { paramIs } from './param-rows.ts';
import { sameShard } from '../../db/distributed.ts';
import type { FilterScope } from './filter-scope.ts';

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
  const composite = definition ? undefined : compositeParamsFor(scope.resourceType).get(filter.name);
  if (composite) {
    return compositeToSql(filter, composite, scope);
  }
  if (!definition) {
    return badRequest(`Unknown search parameter '${filter.name}' for ${scope.resourceType}`);
  }
  const table = `search_${definition.type}`;
  const t = `s${scope.depth}_${params.values.length}`;
  const owner = `${t}.resource_type = ${params.add(scope.resourceType)} and ${t}.id = ${alias}.id${sameShard(t, alias, scope.distributed)} and ${paramIs(t, definition, params)}`;
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
  if (scope.distributed) {
    // The referenced resource usually lives on another shard: find the matching targets first, then
    // the references to them, then this resource; Citus runs each uncorrelated step on its own.
    return `${scope.alias}.id in (select ${t}.id from search_reference ${t}
      where ${t}.resource_type = ${params.add(scope.resourceType)} and ${t}.param = ${params.add(filter.name)}
        and ${t}.target_type = ${params.add(chain.targetType)}
        and ${t}.target_id in (select ${target}.id from resource ${target}
          where ${target}.resource_type = ${params.add(chain.targetType)} and not ${target}.deleted and ${inner}${visibleTo(scope, target)}))`;
  }
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
  if (scope.distributed) {
    // The referring resources live on their own shards: find them (each joined to its own index rows)
    // first, then this resource among their targets.
    return `${scope.alias}.id in (select ${t}.target_id from search_reference ${t} join resource ${source}
        on ${source}.resource_type = ${t}.resource_type and ${source}.id = ${t}.id and ${source}.shard_key = ${t}.shard_key
       and not ${source}.deleted
      where ${t}.target_type = ${params.add(scope.resourceType)} and ${t}.resource_type = ${params.add(has.sourceType)}
        and ${t}.param = ${params.add(has.referenceParam)} and ${inner}${visibleTo(scope, source)})`;
  }
  return `exists (select 1 from search_reference ${t} join resource ${source}
      on ${source}.resource_type = ${t}.resource_type and ${source}.id = ${t}.id and not ${source}.deleted
    where ${t}.target_type = ${params.add(scope.resourceType)} and ${t}.target_id = ${scope.alias}.id
      and ${t}.resource_type = ${params.add(has.sourceType)} and ${t}.param = ${params.add(has.referenceParam)} and ${inner}${visibleTo(scope, source)})`;
}
