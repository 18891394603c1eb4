import type { Resource } from '@medplum/fhirtypes';

/** Marks what patients and carers write through the portal, so they may later update only that. */
export const ORIGIN_SYSTEM = 'https://careweave.example/fhir/CodeSystem/record-origin';
export const PORTAL_ORIGIN = 'patient-portal';

/** Whether the portal created this resource (its `record-origin` tag). */
export function fromPortal(resource: Resource): boolean {
  return (resource.meta?.tag ?? []).some((t) => t.system === ORIGIN_SYSTEM && t.code === PORTAL_ORIGIN);
}
