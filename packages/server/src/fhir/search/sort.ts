import { sameShard } from '../../db/distributed.ts';
import { isTimestampText } from '../calendar.ts';
import { searchParamsFor } from '../definitions.ts';
import { badRequest } from '../outcome.ts';
import type { SortRule } from './model.ts';
import { paramIs } from './param-rows.ts';
import type { SqlParams } from './sql-params.ts';

export interface SortKey {
  /** SQL expression of the sort value, never null (nulls become a sentinel that sorts last). */
  expression: string;
  cast: 'text' | 'timestamptz' | 'numeric';
  descending: boolean;
}

const SENTINEL: Record<SortKey['cast'], { asc: string; desc: string }> = {
  // Missing values sort last in either direction, as most FHIR servers do.
  text: { asc: `chr(1114111)`, desc: `''` },
  timestamptz: { asc: `'infinity'::timestamptz`, desc: `'-infinity'::timestamptz` },
  numeric: { asc: `'NaN'::numeric`, desc: `'-1e300'::numeric` },
};

const VALUE_COLUMN: Record<string, { asc: string; desc: string; cast: SortKey['cast'] }> = {
  string: { asc: 'value', desc: 'value', cast: 'text' },
  token: { asc: 'code', desc: 'code', cast: 'text' },
  uri: { asc: 'value', desc: 'value', cast: 'text' },
  reference: { asc: 'target_id', desc: 'target_id', cast: 'text' },
  date: { asc: 'low', desc: 'high', cast: 'timestamptz' },
  number: { asc: 'value', desc: 'value', cast: 'numeric' },
  quantity: { asc: 'value', desc: 'value', cast: 'numeric' },
};

/**
 * Sort keys for `_sort`, always ending with the resource id so that the order is total and a
 * keyset cursor can resume exactly after the last row of a page.
 */
export function sortKeys(
  resourceType: string,
  rules: readonly SortRule[],
  alias: string,
  params: SqlParams,
  distributed = false,
): SortKey[] {
  const keys: SortKey[] = [];
  for (const rule of rules) {
    if (rule.name === '_id') {
      continue;
    }
    if (rule.name === '_lastUpdated') {
      keys.push({ expression: `${alias}.last_updated`, cast: 'timestamptz', descending: rule.descending });
      continue;
    }
    const definition = searchParamsFor(resourceType).get(rule.name);
    if (!definition) {
      continue;
    }
    const column = VALUE_COLUMN[definition.type]!;
    const aggregate = rule.descending ? `max(o.${column.desc})` : `min(o.${column.asc})`;
    const sentinel = SENTINEL[column.cast][rule.descending ? 'desc' : 'asc'];
    const collate = column.cast === 'text' ? ' collate "C"' : '';
    keys.push({
      expression: `coalesce((select ${aggregate} from search_${definition.type} o where o.resource_type = ${params.add(resourceType)}
        and o.id = ${alias}.id${sameShard('o', alias, distributed)} and ${paramIs('o', definition, params)}), ${sentinel})${collate}`,
      cast: column.cast,
      descending: rule.descending,
    });
  }
  const idRule = rules.find((rule) => rule.name === '_id');
  // Collation "C" so PGlite and PostgreSQL (whatever its locale) order text identically.
  keys.push({ expression: `${alias}.id collate "C"`, cast: 'text', descending: idRule?.descending ?? false });
  return keys;
}

export function orderBy(keys: readonly SortKey[], reverse: boolean): string {
  return keys.map((key, i) => `sort_${i} ${key.descending !== reverse ? 'desc' : 'asc'}`).join(', ');
}

/** PostgreSQL's text form of a numeric, as `(numeric)::text` writes it (no exponent). */
const NUMERIC_TEXT = /^(?:NaN|-?Infinity|-?(\d+)(?:\.(\d+))?)$/;

/** Within numeric's range: 131072 digits before the decimal point, 16383 after. */
function isNumericText(value: string): boolean {
  const match = NUMERIC_TEXT.exec(value);
  return match !== null && (match[1]?.length ?? 0) <= 131_072 && (match[2]?.length ?? 0) <= 16_383;
}

/** Whether a cursor value can be cast back to its sort key's type (a tampered one may not be). */
function castable(value: string, cast: SortKey['cast']): boolean {
  switch (cast) {
    case 'text':
      return true;
    case 'timestamptz':
      return isTimestampText(value);
    case 'numeric':
      return isNumericText(value);
  }
}

/**
 * The keyset condition "after this row" for mixed directions:
 * (k1 > v1) or (k1 = v1 and k2 > v2) or … with > flipped for descending keys. The values come from
 * the client's `_cursor`, so each is checked against its key's type first: 400, not a SQL error.
 */
export function afterRow(
  keys: readonly SortKey[],
  values: readonly string[],
  reverse: boolean,
  params: SqlParams,
): string {
  if (values.some((value, i) => !keys[i] || !castable(value, keys[i].cast))) {
    return badRequest('Invalid _cursor: use the next/previous links exactly as returned');
  }
  const placeholders = values.map((value, i) => `${params.add(value)}::${keys[i]!.cast}`);
  const branches: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const equal = keys.slice(0, i).map((key, j) => `${key.expression} = ${placeholders[j]}`);
    const operator = keys[i]!.descending !== reverse ? '<' : '>';
    branches.push([...equal, `${keys[i]!.expression} ${operator} ${placeholders[i]}`].join(' and '));
  }
  return `(${branches.map((b) => `(${b})`).join(' or ')})`;
}
