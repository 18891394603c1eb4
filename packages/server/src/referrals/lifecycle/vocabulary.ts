/**
 * The referral lifecycle's FHIR vocabulary (docs/REFERRALS.md, "Lifecycle"): code systems, the
 * ServiceRequest category, the provider's Task codes and business statuses, and small readers.
 */
import type { Bundle, CodeableConcept, Resource } from '@medplum/fhirtypes';
import type { ResourceService } from '../../fhir/store/resource.service.ts';

const BASE = 'https://careweave.example/fhir';
/** The module's own codes: ServiceRequest category, Task code, business statuses, reasons. */
export const REFERRAL_SYSTEM = `${BASE}/CodeSystem/electronic-referral`;
export const REFERRAL_STATUS_SYSTEM = `${BASE}/CodeSystem/referral-business-status`;
export const REFERRAL_REASON_SYSTEM = `${BASE}/CodeSystem/referral-outcome-reason`;
export const SPECIALTY_SYSTEM = `${BASE}/CodeSystem/referral-specialty`;
export const UBRN_SYSTEM = `${BASE}/Id/ubrn`;
/** A tag on the provider's Task naming the referring organisation, so the referrer's worklists find it. */
export const REFERRER_TAG_SYSTEM = `${BASE}/CodeSystem/referrer-organization`;
export const SHORTLIST_EXTENSION = `${BASE}/StructureDefinition/referral-shortlist`;
export const BOOKING_ACTION_EXTENSION = `${BASE}/StructureDefinition/referral-booking-action`;

export const ELECTRONIC_REFERRAL = 'electronic-referral';
export const REFERRAL_TASK = 'referral-request';

export const concept = (system: string, code: string, display?: string): CodeableConcept => ({
  coding: [{ system, code, ...(display ? { display } : {}) }],
});
export const CATEGORY = concept(REFERRAL_SYSTEM, ELECTRONIC_REFERRAL, 'Electronic referral');
export const TASK_CODE = concept(REFERRAL_SYSTEM, REFERRAL_TASK, 'Referral request');

export const hasCode = (concepts: CodeableConcept | CodeableConcept[] | undefined, system: string, code: string) =>
  [concepts ?? []].flat().some((c) => c.coding?.some((coding) => coding.system === system && coding.code === code));
export const codeOf = (concepts: CodeableConcept | CodeableConcept[] | undefined, system: string) =>
  [concepts ?? []]
    .flat()
    .flatMap((c) => c.coding ?? [])
    .find((coding) => coding.system === system)?.code;

/** Reads a resource through `record` (404 when hidden or absent, as the store answers). */
export async function readAs<T extends Resource>(record: ResourceService, type: string, id: string) {
  const stored = await record.read(type, id);
  return { resource: JSON.parse(stored.json ?? '{}') as T, versionId: stored.versionId };
}

/** Searches through `record`, returning the matches (not included resources). */
export async function searchAs<T extends Resource>(
  record: ResourceService,
  type: string,
  query: [string, string][],
): Promise<T[]> {
  const bundle: Bundle = await record.search(type, query);
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource as T);
}

/** "Patient/123" → "123" (undefined when not of that type). */
export const idIn = (reference: string | undefined, type: string): string | undefined =>
  reference?.startsWith(`${type}/`) ? reference.slice(type.length + 1) : undefined;
