/**
 * `Patient/{id}/$care-profile`: the patient's core personal profile (a `Composition`), made if
 * there is none and brought up to date with the record, as the caller may see it.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import { defineOperation } from '../fhir/operations/define.ts';
import type { CareProfileService } from './profile.service.ts';

export interface ProfileOperationDeps {
  profiles: CareProfileService;
  actorOf(request: FastifyRequest): Actor | undefined;
}

export const CARE_PROFILE = defineOperation<ProfileOperationDeps>({
  code: 'care-profile',
  name: 'PatientCareProfile',
  title: 'Core personal profile',
  description:
    "Returns the patient's core personal profile, a `Composition` (LOINC 60591-5 with the CareWeave code " +
    '`core-personal-profile`) with sections for DNACPR/ReSPECT, key contacts and carers, allergies, conditions, ' +
    'medicines, what matters to me, communication needs, care plan and anticipatory care. The stored profile is ' +
    'first brought up to date with the record (a new version only when it changed); staff who may see the patient ' +
    'create it if there is none. The answer holds only the entries the caller may read, each section narrative ' +
    'rebuilt from them. A patient the caller may not see answers 404, as one that does not exist; a patient or ' +
    'carer gets 404 until a profile exists.',
  levels: ['instance'],
  resourceTypes: ['Patient'],
  affectsState: true,
  parameters: [{ name: 'return', use: 'out', min: 1, max: 1, type: 'Composition', documentation: "The caller's copy" }],
  scopes: [
    { resourceType: 'Patient', interaction: 'r' },
    { resourceType: 'Composition', interaction: 'r' },
  ],
  handler: async ({ request, deps, id }) => deps.profiles.forCaller(deps.actorOf(request), id!),
});
