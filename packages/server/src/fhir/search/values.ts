import type { SearchParamDefinition } from '../definitions.ts';
import { normalizeString } from '../indexing/normalize.ts';
import { badRequest } from '../outcome.ts';
import { ID_PATTERN, parseReference } from '../references.ts';
import type { FilterScope } from './filter-scope.ts';
import { splitPipes, unescapeValue } from './parse.ts';
import { dateCondition, numberCondition, splitPrefix } from './prefixes.ts';

/** What a value condition needs to know of its parameter (an ordinary one, or a composite's component). */
export type ValueParam = Pick<SearchParamDefinition, 'name' | 'type' | 'targets'>;

/** One search value as a SQL condition on the index row `t` of the parameter's type. */
export function valueCondition(
  definition: ValueParam,
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
  definition: ValueParam,
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
