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
 * The bounds are worked out in decimal, not in floating point: for a value given to 17 digits
 * (Synthea writes such) the half step, 5e-17, is below a double's resolution, so `n ± half` in
 * JavaScript is `n` again and the range would be empty. Stored values were parsed as doubles; a
 * search value with more digits than a double holds also matches the double it reads as.
 */
export function numberCondition(prefix: Prefix, value: string, column: string, add: (v: unknown) => string): string {
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(value)) {
    badRequest(`'${value}' is not a valid number`);
  }
  const n = Number(value);
  const bounds = implicitRange(value);
  const v = (): string => add(value) + '::numeric';
  const lo = (): string => add(bounds.low) + '::numeric';
  const hi = (): string => add(bounds.high) + '::numeric';
  const inRange = (): string =>
    bounds.digits > 15
      ? `((${column} >= ${lo()} and ${column} < ${hi()}) or ${column} = ${add(String(n))}::numeric)`
      : `(${column} >= ${lo()} and ${column} < ${hi()})`;
  switch (prefix) {
    case 'eq':
      return inRange();
    case 'ne':
      return `not ${inRange()}`;
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

/**
 * The implicit range of a search number, [value - half step, value + half step) with the step of
 * its last given digit, as exact decimal strings (`-5e-1`, `1005e-1`), and its significant digits.
 */
export function implicitRange(value: string): { low: string; high: string; digits: number } {
  const negative = value.startsWith('-');
  const [mantissa = '', exponentText = '0'] = value.replace(/^[-+]/, '').split(/[eE]/);
  const [whole = '', fraction = ''] = mantissa.split('.');
  // value = ±digits × 10^-scale; the half step is 5 × 10^-(scale + 1).
  const digits = BigInt(`${whole}${fraction}` || '0') * (negative ? -1n : 1n);
  const scale = fraction.length - Number(exponentText) + 1;
  const tenfold = digits * 10n;
  const significant = `${whole}${fraction}`.replace(/^0+/, '').length;
  return { low: `${tenfold - 5n}e${-scale}`, high: `${tenfold + 5n}e${-scale}`, digits: significant };
}
