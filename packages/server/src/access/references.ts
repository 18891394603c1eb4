import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Reference, Resource } from '@medplum/fhirtypes';
import { fhirDefinitions, searchParamsFor } from '../fhir/definitions.ts';
import { parseReference } from '../fhir/references.ts';

/** The id a reference points to when it is a local reference to `type` (relative, or absolute to this server). */
export function targetId(reference: Reference | undefined, type: string, fhirBase: string): string | undefined {
  const text = reference?.reference;
  if (!text || text.startsWith('#')) {
    return undefined;
  }
  const parsed = parseReference(text, fhirBase);
  return parsed.type === type && parsed.id && !parsed.url ? parsed.id : undefined;
}

/** `Type/id` of a local reference, or undefined. */
export function localReference(reference: Reference | undefined, fhirBase: string): string | undefined {
  const text = reference?.reference;
  if (!text || text.startsWith('#')) {
    return undefined;
  }
  const parsed = parseReference(text, fhirBase);
  return parsed.type && parsed.id && !parsed.url ? `${parsed.type}/${parsed.id}` : undefined;
}

const ORGANIZATION_SOURCE = /(?:^|\/)Organization\/([A-Za-z0-9\-.]{1,64})$/;

/** The organisation id in `meta.source` when it is `…/Organization/{id}` or `Organization/{id}`. */
export function organisationOfSource(source: string | undefined): string | undefined {
  return source ? ORGANIZATION_SOURCE.exec(source)?.[1] : undefined;
}

/**
 * The resource's patient (docs/ACCESS.md): a Patient is its own; otherwise the first Patient whose
 * compartment contains it, in exactly the order `extractIndex(...).compartments` lists them, but
 * evaluating only the compartment's reference parameters. Null for directory data.
 */
export function patientOf(resource: Resource, fhirBase: string): string | null {
  if (resource.resourceType === 'Patient') {
    return resource.id ?? null;
  }
  const params = fhirDefinitions().patientCompartment.get(resource.resourceType);
  if (!params) {
    return null;
  }
  let typed: TypedValue[] | undefined;
  for (const param of searchParamsFor(resource.resourceType).values()) {
    if (param.type !== 'reference' || !params.includes(param.name)) {
      continue;
    }
    let values: TypedValue[];
    try {
      if (param.fast) {
        values = param.fast(resource);
      } else {
        typed ??= [toTypedValue(resource)];
        values = evalFhirPathTyped(param.compiled, typed);
      }
    } catch {
      continue;
    }
    for (const { value } of values) {
      const text =
        typeof value === 'string'
          ? value
          : value && typeof value === 'object'
            ? (value as { reference?: unknown }).reference
            : undefined;
      if (typeof text !== 'string' || text === '' || text.startsWith('#')) {
        continue;
      }
      const parsed = parseReference(text, fhirBase);
      if (parsed.type === 'Patient' && parsed.id) {
        return parsed.id;
      }
    }
  }
  return null;
}
