/**
 * Keeps profiles current from the record: when a patient's conditions, medicines, allergies, care
 * plans, carers and contacts, care teams or the profile's own inputs change (created, updated or
 * deleted), their profile is brought up to date as a new version of the same Composition. A
 * high-risk score (the risk model's RiskAssessment) or a clinician recording a profile input makes
 * a profile for someone who has none.
 */
import type { Reference, Resource } from '@medplum/fhirtypes';
import type { Reaction, ResourceEvent } from '../events/bus.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { HIGH_RISK_BANDS } from './codes.ts';
import { bandOf, isHighRisk, type CareProfileService } from './profile.service.ts';
import { inputKindOf } from './record.ts';

export const WATCHED_TYPES = [
  'Patient',
  'Condition',
  'MedicationRequest',
  'AllergyIntolerance',
  'CarePlan',
  'RelatedPerson',
  'CareTeam',
  'Goal',
  'Flag',
  'RiskAssessment',
] as const;

/** The id of the patient a resource is about (the Patient itself, or its subject, patient or `for`). */
export function patientIdOf(resource: Resource): string | undefined {
  if (resource.resourceType === 'Patient') {
    return resource.id;
  }
  const r = resource as { subject?: Reference; patient?: Reference; for?: Reference };
  const reference = [r.subject, r.patient, r.for].find((x) => x?.reference?.startsWith('Patient/'))?.reference;
  return reference?.slice('Patient/'.length);
}

/** The version the event is about; for a deletion, the version before it. */
async function versionOf(event: ResourceEvent, system: ResourceService): Promise<Resource | undefined> {
  if (event.resource) {
    return event.resource;
  }
  if (event.versionId < 2) {
    return undefined;
  }
  const before = await system.vread(event.resourceType, event.resourceId, String(event.versionId - 1));
  return before.json ? (JSON.parse(before.json) as Resource) : undefined;
}

/** Whether this write should make a profile for someone who has none. */
async function startsProfile(resource: Resource, system: ResourceService, patientId: string): Promise<boolean> {
  if (resource.resourceType === 'RiskAssessment') {
    // Only when this score is high and is the patient's latest (an old high score re-filed starts nothing).
    return HIGH_RISK_BANDS.includes(bandOf(resource) ?? '') && (await isHighRisk(system, patientId));
  }
  if (resource.resourceType === 'Goal' || resource.resourceType === 'Flag') {
    return inputKindOf(resource) !== undefined;
  }
  return false;
}

/** The reaction (registered in the module's `reactions`). */
export function keepProfilesCurrent(profiles: CareProfileService, system: ResourceService): Reaction {
  return {
    name: 'care-profile.keep-current',
    types: WATCHED_TYPES,
    handle: async (event) => {
      if (event.resourceType === 'Patient' && event.interaction === 'delete') {
        return; // No record left to build from; the profile goes with the record.
      }
      const resource = await versionOf(event, system);
      const patientId = resource && patientIdOf(resource);
      if (!resource || !patientId) {
        return;
      }
      const create = event.interaction !== 'delete' && (await startsProfile(resource, system, patientId));
      await profiles.refresh(patientId, { create });
    },
  };
}
