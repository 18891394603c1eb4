import { compositeParamsFor, type CompositeParamDefinition } from '../definitions.ts';
import { compositePartName } from '../indexing/extract.ts';
import { badRequest } from '../outcome.ts';
import { sameShard } from '../../db/distributed.ts';
import type { FilterScope } from './filter-scope.ts';
import type { SearchFilter } from './model.ts';
import { splitUnescaped } from './parse.ts';
import { valueCondition } from './values.ts';

/**
 * `code-value-quantity=http://loinc.org|8480-6$gt140`: resources with one item (the Observation
 * itself, or one of its components) whose parts match every value between the `$`s. The parts are
 * index rows of their own types sharing the item's number (src/fhir/indexing/extract.ts), joined on it.
 * Comma-separated values are alternatives, as for any parameter.
 */
export function compositeToSql(filter: SearchFilter, composite: CompositeParamDefinition, scope: FilterScope): string {
  if (composite.unionOf) {
    const parts = composite.unionOf.map((name) =>
      compositeToSql({ ...filter, name }, compositeParamsFor(scope.resourceType).get(name)!, scope),
    );
    // `:missing=true` means missing from every part; otherwise any part may match.
    return `(${parts.join(filter.modifier === 'missing' && filter.values[0] === 'true' ? ' and ' : ' or ')})`;
  }
  const { params } = scope;
  const prefix = `k${scope.depth}_${params.values.length}`;
  const alias = (i: number): string => `${prefix}_${i}`;
  const first = composite.components[0]!;
  const owner = `${alias(0)}.resource_type = ${params.add(scope.resourceType)} and ${alias(0)}.id = ${scope.alias}.id${sameShard(alias(0), scope.alias, scope.distributed)} and ${alias(0)}.param = ${params.add(compositePartName(composite.name, 0))}`;
  if (filter.modifier === 'missing') {
    const exists = `exists (select 1 from search_${first.type} ${alias(0)} where ${owner})`;
    return filter.values[0] === 'true' ? `not ${exists}` : exists;
  }
  const joins = composite.components
    .slice(1)
    .map(
      (component, i) =>
        `join search_${component.type} ${alias(i + 1)} on ${alias(i + 1)}.resource_type = ${alias(0)}.resource_type and ${alias(i + 1)}.id = ${alias(0)}.id${sameShard(alias(i + 1), alias(0), scope.distributed)} and ${alias(i + 1)}.param = ${params.add(compositePartName(composite.name, i + 1))} and ${alias(i + 1)}.item = ${alias(0)}.item`,
    )
    .join(' ');
  const alternatives = filter.values.map((value) => {
    const parts = splitUnescaped(value, '$');
    if (parts.length !== composite.components.length) {
      return badRequest(
        `${composite.name} takes ${composite.components.length} values separated by '$' (${composite.components.map((c) => c.type).join('$')}), not '${value}'`,
        [composite.name],
      );
    }
    const conditions = composite.components.map((component, i) =>
      valueCondition(
        { name: composite.name, type: component.type, targets: component.targets },
        undefined,
        parts[i]!,
        alias(i),
        scope,
      ),
    );
    return `(${conditions.join(' and ')})`;
  });
  return `exists (select 1 from search_${first.type} ${alias(0)} ${joins} where ${owner} and (${alternatives.join(' or ')}))`;
}
