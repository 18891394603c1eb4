import type { Resource } from '@medplum/fhirtypes';
import { fhirDefinitions } from './definitions.ts';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
const ALWAYS_KEPT = new Set(['resourceType', 'id', 'meta']);

const summaryCache = new Map<string, Set<string>>();

/** Top-level elements flagged `isSummary` in the type's StructureDefinition. */
function summaryElements(resourceType: string): Set<string> {
  let names = summaryCache.get(resourceType);
  if (!names) {
    names = new Set<string>(['resourceType', 'id', 'meta', 'implicitRules']);
    const definition = fhirDefinitions().structureDefinitions.get(resourceType);
    for (const element of definition?.snapshot?.element ?? []) {
      const parts = element.path.split('.');
      if (parts.length === 2 && element.isSummary) {
        names.add(parts[1]!.replace('[x]', ''));
      }
    }
    summaryCache.set(resourceType, names);
  }
  return names;
}

function markSubsetted(resource: Resource): Resource {
  const meta = { ...(resource.meta ?? {}) };
  meta.tag = [...(meta.tag ?? []).filter((t) => t.code !== 'SUBSETTED'), SUBSETTED];
  return { ...resource, meta };
}

function pick(resource: Resource, keep: (key: string) => boolean): Resource {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (ALWAYS_KEPT.has(key) || keep(key)) {
      result[key] = value;
    }
  }
  return result as unknown as Resource;
}

/** Applies `_summary` (true, text, data) to a resource. */
export function applySummary(resource: Resource, mode: string | undefined): Resource {
  if (!mode || mode === 'false' || mode === 'count') {
    return resource;
  }
  if (mode === 'data') {
    return markSubsetted(pick(resource, (key) => key !== 'text'));
  }
  if (mode === 'text') {
    return markSubsetted(pick(resource, (key) => key === 'text'));
  }
  const names = summaryElements(resource.resourceType);
  return markSubsetted(pick(resource, (key) => names.has(choiceBase(resource.resourceType, key))));
}

/** `valueQuantity` → `value` when the type has a `value[x]` element. */
function choiceBase(resourceType: string, key: string): string {
  const names = summaryElements(resourceType);
  if (names.has(key)) {
    return key;
  }
  const match = /^([a-z][a-zA-Z]*?)[A-Z][a-zA-Z]*$/.exec(key);
  return match?.[1] ?? key;
}

/** Applies `_elements`: keeps only the listed top-level elements (plus id, meta). */
export function applyElements(resource: Resource, elements: readonly string[] | undefined): Resource {
  if (!elements?.length) {
    return resource;
  }
  const wanted = new Set(elements.map((e) => e.split('.').pop() ?? e));
  return markSubsetted(pick(resource, (key) => wanted.has(key) || wanted.has(choiceBase(resource.resourceType, key))));
}
