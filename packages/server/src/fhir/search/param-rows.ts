import { rowParamsOf, type SearchParamDefinition } from '../definitions.ts';
import type { SqlParams } from './sql-params.ts';

/** SQL: index row `t` belongs to the parameter, or to one of those whose rows answer it (`unionOf`). */
export function paramIs(t: string, definition: SearchParamDefinition, params: SqlParams): string {
  const names = rowParamsOf(definition);
  return names.length === 1 ? `${t}.param = ${params.add(names[0])}` : `${t}.param = any(${params.add(names)}::text[])`;
}
