import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { compositeParamsFor, fhirDefinitions, searchParamsFor, type SearchParamDefinition } from '../definitions.ts';
import { dateRange, normalizeString } from './normalize.ts';
import { parseReference } from '../references.ts';

/**
 * Index rows per table. A composite parameter's parts are rows of their own types, named
 * `<composite>$<component>` and numbered by `item`, the composite item they came from (rows of
 * ordinary parameters have none).
 */
export interface IndexRows {
  token: [param: string, system: string | null, code: string | null, display: string | null, item?: number][];
  string: [param: string, value: string, raw: string, item?: number][];
  date: [param: string, low: Date, high: Date, item?: number][];
  number: [param: string, value: number, item?: number][];
  quantity: [
    param: string,
    value: number,
    system: string | null,
    code: string | null,
    unit: string | null,
    item?: number,
  ][];
  reference: [
    param: string,
    targetType: string | null,
    targetId: string | null,
    targetUrl: string | null,
    item?: number,
  ][];
  uri: [param: string, value: string, item?: number][];
}

export interface ExtractedIndex {
  rows: IndexRows;
  /** Ids of the Patients in whose compartment this resource sits. */
  compartments: string[];
}

export const INDEX_TABLES = ['token', 'string', 'date', 'number', 'quantity', 'reference', 'uri'] as const;

const FAR_PAST = new Date('0001-01-01T00:00:00Z');
const FAR_FUTURE = new Date('9999-12-31T23:59:59.999Z');

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Evaluates every R4 search parameter of the resource's type (FHIRPath, via @medplum/core) and
 * turns the values into index rows. Runs at write time so searches never evaluate FHIRPath.
 */
export function extractIndex(
  resource: Resource,
  baseUrl: string,
  options: { fhirPathOnly?: boolean } = {},
): ExtractedIndex {
  const rows: IndexRows = { token: [], string: [], date: [], number: [], quantity: [], reference: [], uri: [] };
  let typed: TypedValue[] | undefined;
  for (const param of searchParamsFor(resource.resourceType).values()) {
    if (param.unionOf) {
      continue; // searched through the parameters it unites
    }
    let values: TypedValue[];
    try {
      if (param.fast && !options.fhirPathOnly) {
        values = param.fast(resource);
      } else {
        typed ??= [toTypedValue(resource)];
        values = evalFhirPathTyped(param.compiled, typed);
      }
    } catch {
      continue; // An expression that cannot apply to this instance simply yields no index rows.
    }
    for (const value of values) {
      addValue(rows, param, value, baseUrl);
    }
  }
  addCompositeRows(rows, resource, baseUrl, options.fhirPathOnly ?? false);
  return { rows, compartments: compartmentsOf(resource, rows) };
}

/** The name under which component `index` of composite `name` is indexed. */
export function compositePartName(name: string, index: number): string {
  return `${name}$${index}`;
}

/** Every composite item's component values, numbered by item so a search matches them together. */
function addCompositeRows(rows: IndexRows, resource: Resource, baseUrl: string, fhirPathOnly: boolean): void {
  const composites = compositeParamsFor(resource.resourceType);
  if (composites.size === 0) {
    return;
  }
  const typed = toTypedValue(resource);
  // MolecularSequence's coordinates read `%resource` from inside each variant.
  const variables = { '%resource': typed, '%rootResource': typed };
  for (const composite of composites.values()) {
    if (composite.unionOf) {
      continue; // searched through the composites it unites
    }
    let items: TypedValue[];
    try {
      items =
        composite.fast && !fhirPathOnly
          ? composite.fast(typed)
          : evalFhirPathTyped(composite.compiled, [typed], variables);
    } catch {
      continue;
    }
    items.forEach((item, itemIndex) => {
      const values = composite.components.map((component) => {
        try {
          return component.fast && !fhirPathOnly
            ? component.fast(item)
            : evalFhirPathTyped(component.compiled, [item], variables);
        } catch {
          return [];
        }
      });
      // An item lacking a part can never match the whole composite: it gets no rows.
      if (values.some((v) => v.length === 0)) {
        return;
      }
      composite.components.forEach((component, componentIndex) => {
        const part = { name: compositePartName(composite.name, componentIndex), type: component.type };
        const table = rows[component.type];
        const before = table.length;
        for (const value of values[componentIndex]!) {
          addValue(rows, part, value, baseUrl);
        }
        if (component.type === 'token') {
          dropTextOnlyRows(rows.token, before);
        }
        for (let i = before; i < table.length; i++) {
          (table[i] as unknown[]).push(itemIndex);
        }
      });
    });
  }
}

/**
 * A composite's token part is matched on system and code only (no modifiers there), so a row that
 * carries only a text can never match; it is kept only when the part has nothing else.
 */
function dropTextOnlyRows(token: IndexRows['token'], from: number): void {
  const textOnly = (row: unknown[]): boolean => row[1] === null && row[2] === null;
  if (token.length - from < 2 || token.slice(from).every(textOnly)) {
    return;
  }
  for (let i = token.length - 1; i >= from; i--) {
    if (textOnly(token[i] as unknown[])) {
      token.splice(i, 1);
    }
  }
}

function compartmentsOf(resource: Resource, rows: IndexRows): string[] {
  if (resource.resourceType === 'Patient') {
    return resource.id ? [resource.id] : [];
  }
  const params = fhirDefinitions().patientCompartment.get(resource.resourceType);
  if (!params) {
    return [];
  }
  const ids = new Set<string>();
  for (const [param, targetType, targetId] of rows.reference) {
    if (targetType === 'Patient' && targetId && params.includes(param)) {
      ids.add(targetId);
    }
  }
  return [...ids];
}

function addValue(
  rows: IndexRows,
  param: Pick<SearchParamDefinition, 'name' | 'type'>,
  typed: TypedValue,
  baseUrl: string,
): void {
  switch (param.type) {
    case 'token':
      return addToken(rows, param.name, typed);
    case 'string':
      return addString(rows, param.name, typed);
    case 'date':
      return addDate(rows, param.name, typed);
    case 'number':
      if (typeof typed.value === 'number') {
        rows.number.push([param.name, typed.value]);
      }
      return;
    case 'quantity':
      return addQuantity(rows, param.name, typed);
    case 'reference':
      return addReference(rows, param.name, typed, baseUrl);
    case 'uri':
      if (typeof typed.value === 'string') {
        rows.uri.push([param.name, typed.value]);
      }
      return;
  }
}

function addToken(rows: IndexRows, name: string, { type, value }: TypedValue): void {
  if (value === null || value === undefined) {
    return;
  }
  if (typeof value === 'boolean') {
    rows.token.push([name, null, String(value), null]);
    return;
  }
  if (typeof value === 'string' || typeof value === 'number') {
    rows.token.push([name, null, String(value), null]);
    return;
  }
  const v = value as Obj;
  switch (type) {
    case 'CodeableConcept': {
      const codings = Array.isArray(v.coding) ? (v.coding as Obj[]) : [];
      for (const coding of codings) {
        rows.token.push([name, str(coding.system), str(coding.code), str(coding.display)]);
      }
      // The text gets a row of its own for `:text`, unless a coding's display says the same (as
      // most do): `:text` matches any row's display, so that row would only cost a write.
      const text = str(v.text);
      if (text && !codings.some((coding) => coding.display === text)) {
        rows.token.push([name, null, null, text]);
      }
      return;
    }
    case 'Identifier':
      rows.token.push([name, str(v.system), str(v.value), str((v.type as Obj | undefined)?.text)]);
      return;
    case 'ContactPoint':
      rows.token.push([name, str(v.system), str(v.value), null]);
      return;
    default:
      // Coding and anything Coding-shaped.
      rows.token.push([name, str(v.system), str(v.code), str(v.display)]);
  }
}

const NAME_PARTS = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS_PARTS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];

function addString(rows: IndexRows, name: string, { type, value }: TypedValue): void {
  const push = (raw: unknown): void => {
    if (typeof raw === 'string' && raw.trim() !== '') {
      rows.string.push([name, normalizeString(raw), raw]);
    }
  };
  if (typeof value === 'string') {
    push(value);
    return;
  }
  if (!value || typeof value !== 'object') {
    return;
  }
  const parts = type === 'HumanName' ? NAME_PARTS : type === 'Address' ? ADDRESS_PARTS : [];
  for (const part of parts) {
    const partValue = (value as Obj)[part];
    for (const item of Array.isArray(partValue) ? partValue : [partValue]) {
      push(item);
    }
  }
}

function addDate(rows: IndexRows, name: string, { type, value }: TypedValue): void {
  if (typeof value === 'string') {
    const range = dateRange(value);
    if (range) {
      rows.date.push([name, range.low, range.high]);
    }
    return;
  }
  if (!value || typeof value !== 'object') {
    return;
  }
  const v = value as Obj;
  if (type === 'Period') {
    const start = typeof v.start === 'string' ? dateRange(v.start) : undefined;
    const end = typeof v.end === 'string' ? dateRange(v.end) : undefined;
    if (start || end) {
      rows.date.push([name, start?.low ?? FAR_PAST, end?.high ?? FAR_FUTURE]);
    }
  } else if (type === 'Timing') {
    for (const event of Array.isArray(v.event) ? v.event : []) {
      if (typeof event === 'string') {
        addDate(rows, name, { type: 'dateTime', value: event });
      }
    }
  }
}

function addQuantity(rows: IndexRows, name: string, { type, value }: TypedValue): void {
  if (!value || typeof value !== 'object') {
    return;
  }
  const v = value as Obj;
  if (type === 'Money' && typeof v.value === 'number') {
    rows.quantity.push([name, v.value, 'urn:iso:std:iso:4217', str(v.currency), str(v.currency)]);
  } else if (typeof v.value === 'number') {
    rows.quantity.push([name, v.value, str(v.system), str(v.code), str(v.unit)]);
  }
}

function addReference(rows: IndexRows, name: string, { value }: TypedValue, baseUrl: string): void {
  const reference =
    typeof value === 'string' ? value : value && typeof value === 'object' ? str((value as Obj).reference) : null;
  if (!reference || reference.startsWith('#')) {
    return;
  }
  const parsed = parseReference(reference, baseUrl);
  rows.reference.push([name, parsed.type ?? null, parsed.id ?? null, parsed.url ?? null]);
}
