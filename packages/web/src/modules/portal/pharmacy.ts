import type { Address, Organization, Patient } from '@medplum/fhirtypes';
import { fhirGet, searchAll } from '../../api/client.ts';

/** UK Core's nominated pharmacy extension on the Patient (packages/server/src/portal/pharmacy.ts). */
export const NOMINATED_PHARMACY_URL = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NominatedPharmacy';
/** The query key of the patient's nomination (the pharmacy page and the prescriptions page share it). */
export const nominationKey = (patientId: string) => ['nominated-pharmacy', patientId];

export const PHARMACY_TYPE = 'https://careweave.example/fhir/CodeSystem/organisation-type|pharmacy';

/** The Organization id of the patient's nominated pharmacy, if any. */
export function nominatedPharmacyId(patient: Patient): string | undefined {
  const reference = patient.extension?.find((e) => e.url === NOMINATED_PHARMACY_URL)?.valueReference?.reference;
  return reference?.startsWith('Organization/') ? reference.slice('Organization/'.length) : undefined;
}

/** A postcode or the start of one ("L39", "wn8 6"), as opposed to a name. */
export function looksLikePostcode(text: string): boolean {
  return /^[a-z]{1,2}\d[a-z\d]?(\s*\d[a-z]{0,2})?$/i.test(text.trim());
}

/** The search for pharmacies by name (anywhere in it) or by postcode (its start). */
export function pharmacySearch(text: string): Record<string, string> {
  const query = text.trim();
  return {
    type: PHARMACY_TYPE,
    active: 'true',
    ...(looksLikePostcode(query) ? { 'address-postalcode': query.toUpperCase() } : { 'name:contains': query }),
    _sort: 'name',
    _count: '20',
  };
}

export function addressText(address: Address | undefined): string {
  return address ? [...(address.line ?? []), address.city, address.postalCode].filter(Boolean).join(', ') : '';
}

/** The patient and their nominated pharmacy (undefined when none is nominated). */
export async function loadNomination(patientId: string): Promise<{ patient: Patient; pharmacy?: Organization }> {
  const patient = await fhirGet<Patient>(`Patient/${encodeURIComponent(patientId)}`);
  const id = nominatedPharmacyId(patient);
  return id
    ? { patient, pharmacy: await fhirGet<Organization>(`Organization/${encodeURIComponent(id)}`) }
    : { patient };
}

export async function findPharmacies(text: string): Promise<Organization[]> {
  return (await searchAll<Organization>('Organization', pharmacySearch(text), { maxPages: 1 })).resources;
}
