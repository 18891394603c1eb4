import type { Organization, Patient } from '@medplum/fhirtypes';
import { requireActor } from '../access/guards.ts';
import { fail } from '../fhir/outcome.ts';
import { inTransaction, parse, type PortalCaller } from './transaction.ts';

/** UK Core's nominated pharmacy: a `valueReference` to the pharmacy's Organization, on the Patient. */
export const NOMINATED_PHARMACY_URL = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NominatedPharmacy';
/** The directory's organisation types (packages/server/src/seed/reference-data.ts) with a community pharmacy. */
export const PHARMACY_TYPE = {
  system: 'https://careweave.example/fhir/CodeSystem/organisation-type',
  code: 'pharmacy',
  display: 'Community pharmacy',
} as const;

export function isPharmacy(organization: Organization): boolean {
  return (
    organization.active !== false &&
    Boolean(
      organization.type?.some((t) =>
        t.coding?.some((c) => c.system === PHARMACY_TYPE.system && c.code === PHARMACY_TYPE.code),
      ),
    )
  );
}

/** The Organization id of a patient's nominated pharmacy, if they have one. */
export function nominatedPharmacyId(patient: Patient): string | undefined {
  const reference = patient.extension?.find((e) => e.url === NOMINATED_PHARMACY_URL)?.valueReference?.reference;
  return reference?.startsWith('Organization/') ? reference.slice('Organization/'.length) : undefined;
}

/**
 * `Patient/{id}/$nominate-pharmacy`: the patient (or their carer, or staff who may see the patient) sets
 * the pharmacy their prescriptions go to. The caller must see the Patient through their own view (404
 * otherwise, audited by the store), and a patient or carer only for themselves or the person they act
 * for. The Patient is written by the portal's system actor — patients never write their own Patient
 * resource (docs/ACCESS.md, *Writes*) — with only the extension changed, under a lock and If-Match.
 */
export async function nominatePharmacy(
  caller: PortalCaller,
  patientId: string,
  { pharmacyId }: { pharmacyId: string },
): Promise<Patient> {
  const actor = requireActor(caller.actor);
  return inTransaction(caller, async ({ system, asCaller, lock }) => {
    await asCaller.read('Patient', patientId);
    if ((actor.kind === 'patient' || actor.kind === 'related-person') && actor.patientId !== patientId) {
      return fail('not-found', `Patient/${patientId} is not known`);
    }
    const pharmacy = parse<Organization>((await system.read('Organization', pharmacyId)).json);
    if (!isPharmacy(pharmacy)) {
      return fail('business-rule', `${pharmacy.name ?? `Organization/${pharmacyId}`} is not a pharmacy.`);
    }
    await lock(`nominated-pharmacy:Patient/${patientId}`);
    const stored = await system.read('Patient', patientId);
    const patient = parse<Patient>(stored.json);
    const nominated: Patient = {
      ...patient,
      extension: [
        ...(patient.extension ?? []).filter((e) => e.url !== NOMINATED_PHARMACY_URL),
        {
          url: NOMINATED_PHARMACY_URL,
          valueReference: { reference: `Organization/${pharmacyId}`, display: pharmacy.name },
        },
      ],
    };
    await system.update('Patient', patientId, nominated, { ifMatch: stored.versionId });
    return parse<Patient>((await asCaller.read('Patient', patientId)).json);
  });
}
