import { validationRegexes } from '@medplum/core';
import { impossibleDay } from '../calendar.ts';

/** FHIR R4 primitive types an operation parameter may have, with an example for messages. */
const EXAMPLES: Record<string, string> = {
  boolean: 'true or false',
  integer: 'a whole number',
  unsignedInt: 'a whole number, 0 or more',
  positiveInt: 'a whole number, 1 or more',
  decimal: 'a number',
  string: 'text',
  markdown: 'text',
  code: 'a code without leading or trailing spaces',
  id: 'an id such as 123-abc (letters, digits, - and ., at most 64)',
  uri: 'a URI',
  url: 'a URL',
  canonical: 'a canonical URL',
  oid: 'an OID such as urn:oid:1.2.3',
  uuid: 'a UUID such as urn:uuid:…',
  base64Binary: 'base64',
  date: 'a date such as 2024-01-31',
  dateTime: 'a date and time such as 2024-01-31T09:00:00Z',
  instant: 'an instant such as 2024-01-31T09:00:00Z',
  time: 'a time such as 09:00:00',
};

export const PRIMITIVES: ReadonlySet<string> = new Set(Object.keys(EXAMPLES));

const NUMBERS: Record<string, RegExp> = {
  integer: /^-?(0|[1-9]\d*)$/,
  unsignedInt: /^(0|[1-9]\d*)$/,
  positiveInt: /^\+?[1-9]\d*$/,
  decimal: /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/,
};

const INT32_MAX = 2_147_483_647;

/**
 * A query string value as the JSON value of its type: `true` → true, `20` → 20. A value that does
 * not parse is returned as text, for `primitiveProblem` to refuse. In a query string an unencoded
 * `+` arrives as a space, so a time zone offset `… 01:00` is read as `+01:00`.
 */
export function queryValue(type: string, text: string): string | number | boolean {
  if (type === 'boolean') {
    return text === 'true' ? true : text === 'false' ? false : text;
  }
  const number = NUMBERS[type];
  if (number) {
    return number.test(text) ? Number(text) : text;
  }
  if (type === 'dateTime' || type === 'instant') {
    return text.replace(/(T[\d:.]+) (\d{2}:\d{2})$/, '$1+$2');
  }
  return text;
}

/** Why a JSON value is not a valid value of a primitive type, or undefined. */
export function primitiveProblem(type: string, value: unknown): string | undefined {
  const wanted = `must be ${EXAMPLES[type] ?? type}`;
  if (type === 'boolean') {
    return typeof value === 'boolean' ? undefined : wanted;
  }
  if (NUMBERS[type]) {
    return numberProblem(type, value) ? wanted : undefined;
  }
  if (typeof value !== 'string') {
    return wanted;
  }
  const format = (validationRegexes as Record<string, RegExp | undefined>)[type];
  if (!value || (format && !format.test(value))) {
    return wanted;
  }
  if (type === 'date' || type === 'dateTime' || type === 'instant') {
    const day = impossibleDay(value);
    return day ? `${wanted} (${day})` : undefined;
  }
  return undefined;
}

function numberProblem(type: string, value: unknown): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return true;
  }
  if (type === 'decimal') {
    return false;
  }
  const min = type === 'positiveInt' ? 1 : type === 'unsignedInt' ? 0 : -INT32_MAX - 1;
  return !Number.isInteger(value) || value < min || value > INT32_MAX;
}
