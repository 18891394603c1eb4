import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Reference, Resource } from '@medplum/fhirtypes';
import { fhirDefinitions, searchParamsFor } from '../fhir/definitions.ts';
import { parseReference } from '../fhir/references.ts';

export { localReferencesIn } from '../fhir/references.ts';

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
 * The resource's patient (docs/ACCESS.md): a Patient is its own; otherwise the first Patient named
 * by its compartment parameters taken in the order of the R4 Patient CompartmentDefinition, whose
 * first parameter is the one that says whom the resource is about (`subject` before `performer`,
 * `patient` before `recorder`), so a reference in a secondary role never decides whose it is.
 * Null for directory data.
 */
export function patientOf(resource: Resource, fhirBase: string): string | null {
  if (resource.resourceType === 'Patient') {
    return resource.id ?? null;
  }
  const names = fhirDefinitions().patientCompartment.get(resource.resourceType);
  if (!names) {
    return null;
  }
  const params = searchParamsFor(resource.resourceType);
  let typed: TypedValue[] | undefined;
  for (const name of names) {
    const param = params.get(name);
    if (param?.type !== 'reference') {
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
      const id = patientIdOf(value, fhirBase);
      if (id) {
        return id;
      }
    }
  }
  return null;
}

function patientIdOf(value: unknown, fhirBase: string): string | undefined {
  const text =
    typeof value === 'string'
      ? value
      : value && typeof value === 'object'
        ? (value as { reference?: unknown }).reference
        : undefined;
  if (typeof text !== 'string' || text === '' || text.startsWith('#')) {
    return undefined;
  }
  const parsed = parseReference(text, fhirBase);
  return parsed.type === 'Patient' && parsed.id && !parsed.url ? parsed.id : undefined;
}

/** Types whose instances can be a patient's data: Patient and every type in the Patient compartment. */
export function canHoldPatientData(resourceType: string): boolean {
  return resourceType === 'Patient' || fhirDefinitions().patientCompartment.has(resourceType);
}
