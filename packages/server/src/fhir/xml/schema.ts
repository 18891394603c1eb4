import { getDataType, type InternalSchemaElement } from '@medplum/core';
import { fhirDefinitions } from '../definitions.ts';

/** FHIR's primitive types: an XML element with a `value` attribute, or a JSON value with `_name`. */
const PRIMITIVES = new Set([
  'boolean',
  'integer',
  'string',
  'decimal',
  'uri',
  'url',
  'canonical',
  'base64Binary',
  'instant',
  'date',
  'dateTime',
  'time',
  'code',
  'oid',
  'id',
  'markdown',
  'unsignedInt',
  'positiveInt',
  'uuid',
]);

export const FHIR_NS = 'http://hl7.org/fhir';
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

export function isPrimitive(type: string): boolean {
  return PRIMITIVES.has(type);
}

/** A concrete resource type: its `id` is an element; every other type's `id` is an attribute. */
export function isResourceType(type: string): boolean {
  return fhirDefinitions().resourceTypes.has(type);
}

export interface ElementSlot {
  /** The element's name in both formats (`valueQuantity` for a choice). */
  name: string;
  type: string;
  isArray: boolean;
}

const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The elements of a type in the specification's order, choices expanded per type. */
export function elementsOf(type: string): readonly ElementSlot[] {
  const cached = slotCache.get(type);
  if (cached) {
    return cached;
  }
  const slots: ElementSlot[] = [];
  for (const [key, element] of Object.entries(getDataType(type).elements)) {
    slots.push(...slotsOf(key, element));
  }
  slotCache.set(type, slots);
  return slots;
}

function slotsOf(key: string, element: InternalSchemaElement): ElementSlot[] {
  const isArray = Boolean(element.isArray);
  if (key.endsWith('[x]')) {
    const base = key.slice(0, -3);
    return element.type.map((t) => ({ name: base + upperFirst(t.code), type: t.code, isArray }));
  }
  return element.type.length ? [{ name: key, type: element.type[0]!.code, isArray }] : [];
}

const slotCache = new Map<string, ElementSlot[]>();
const byNameCache = new Map<string, Map<string, ElementSlot>>();

/** The slot an element name fills in a type, or undefined when the type has no such element. */
export function slotFor(type: string, name: string): ElementSlot | undefined {
  let byName = byNameCache.get(type);
  if (!byName) {
    byName = new Map(elementsOf(type).map((slot) => [slot.name, slot]));
    byNameCache.set(type, byName);
  }
  return byName.get(name);
}
