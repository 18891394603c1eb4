import type { Resource } from '@medplum/fhirtypes';
import { RECORD_ORIGIN_SYSTEM as ORIGIN_SYSTEM } from '@careweave/vocabulary';

/** Marks what patients and carers write through the portal, so they may later update only that. */
export { ORIGIN_SYSTEM };
export const PORTAL_ORIGIN = 'patient-portal';

/** Whether the portal created this resource (its `record-origin` tag). */
export function fromPortal(resource: Resource): boolean {
  return (resource.meta?.tag ?? []).some((t) => t.system === ORIGIN_SYSTEM && t.code === PORTAL_ORIGIN);
}
