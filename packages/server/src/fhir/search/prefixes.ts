import { dateRange } from '../indexing/normalize.ts';
import { badRequest } from '../outcome.ts';

export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof PREFIXES)[number];

export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const head = value.slice(0, 2) as Prefix;
  if (PREFIXES.includes(head) && value.length > 2 && !/^[a-z]/.test(value.slice(2, 3))) {
    return { prefix: head, rest: value.slice(2) };
  }
  return { prefix: 'eq', rest: value };
}

/**
 * SQL comparing a stored [low, high] instant range with a search date (FHIR R4 §3.1.1.4.6):
 * `eq` means the target lies within the search value's range, `ap` within 10% of the gap to now.
 */
export function dateCondition(
  prefix: Prefix,
  value: string,
  low: string,
  high: string,
  add: (v: unknown) => string,
): string {
  const range = dateRange(value);
  if (!range) {
    return badRequest(`'${value}' is not a valid date, dateTime or instant`);
  }
  // Parameters are added only when used: an unused one has no type PostgreSQL can infer.
  const sLow = (): string => add(range.low.toISOString()) + '::timestamptz';
  const sHigh = (): string => add(range.high.toISOString()) + '::timestamptz';
  switch (prefix) {
    case 'eq':
      return `(${low} >= ${sLow()} and ${high} <= ${sHigh()})`;
    case 'ne':
      return `not (${low} >= ${sLow()} and ${high} <= ${sHigh()})`;
    case 'gt':
      return `${high} > ${sHigh()}`;
    case 'lt':
      return `${low} < ${sLow()}`;
    case 'ge':
      return `(${high} >= ${sLow()})`;
    case 'le':
      return `(${low} <= ${sHigh()})`;
    case 'sa':
      return `${low} > ${sHigh()}`;
    case 'eb':
      return `${high} < ${sLow()}`;
    case 'ap': {
      const now = Date.now();
      const gap = Math.max(Math.abs(now - range.low.getTime()) * 0.1, 86_400_000);
      const aLow = add(new Date(range.low.getTime() - gap).toISOString()) + '::timestamptz';
      const aHigh = add(new Date(range.high.getTime() + gap).toISOString()) + '::timestamptz';
      return `(${low} <= ${aHigh} and ${high} >= ${aLow})`;
    }
  }
}

/**
 * SQL comparing a stored number with a search number. For `eq` the search value's precision
 * sets an implicit range: `100` matches [99.5, 100.5), `100.00` matches [99.995, 100.005).
 */
export function numberCondition(prefix: Prefix, value: string, column: string, add: (v: unknown) => string): string {
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(value)) {
    badRequest(`'${value}' is not a valid number`);
  }
  const n = Number(value);
  const half = precisionHalfStep(value);
  const v = (): string => add(value) + '::numeric';
  const lo = (): string => add(String(n - half)) + '::numeric';
  const hi = (): string => add(String(n + half)) + '::numeric';
  switch (prefix) {
    case 'eq':
      return `(${column} >= ${lo()} and ${column} < ${hi()})`;
    case 'ne':
      return `not (${column} >= ${lo()} and ${column} < ${hi()})`;
    case 'gt':
    case 'sa':
      return `${column} > ${v()}`;
    case 'lt':
    case 'eb':
      return `${column} < ${v()}`;
    case 'ge':
      return `${column} >= ${v()}`;
    case 'le':
      return `${column} <= ${v()}`;
    case 'ap': {
      const margin = Math.abs(n) * 0.1;
      return `(${column} >= ${add(String(n - margin))}::numeric and ${column} <= ${add(String(n + margin))}::numeric)`;
    }
  }
}

function precisionHalfStep(value: string): number {
  const mantissa = value.replace(/^[-+]/, '').split(/[eE]/)[0] ?? '';
  const exponent = Number(value.split(/[eE]/)[1] ?? 0);
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1]!.length : 0;
  return 0.5 * 10 ** (exponent - decimals);
}
