/**
 * `HealthcareService/$find-services`: the directory search with waits, distances and eligibility
 * (docs/REFERRALS.md, "Directory"), as a FHIR operation. Plain `HealthcareService?specialty=…` searches
 * the same services without the computed parts.
 */
import type { ParametersParameter } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.ts';
import { requireActor } from '../../access/guards.ts';
import { defineOperation, type ParameterDeclaration } from '../../fhir/operations/define.ts';
import type { ReferralDirectory, ServiceOption, ServiceQuery } from './types.ts';

export interface FindServicesDeps {
  directory: ReferralDirectory;
  actorOf(request: FastifyRequest): Actor | undefined;
}

const out = (name: string, type: string, documentation: string, min = 0): ParameterDeclaration => ({
  name,
  use: 'out',
  min,
  max: 1,
  type,
  documentation,
});

export const FIND_SERVICES = defineOperation<FindServicesDeps>({
  code: 'find-services',
  name: 'HealthcareServiceFindServices',
  title: 'Find services to refer a patient to',
  description:
    'Services of a specialty with their provider, site, indicative wait (days to the first free slot, from real ' +
    'slot availability), distance from the patient’s postcode and eligibility (priority, age, GP practice, ' +
    'postcode), eligible first, then by wait and distance. A patient the caller may not see is 404.',
  levels: ['type'],
  resourceTypes: ['HealthcareService'],
  affectsState: false,
  parameters: [
    {
      name: 'specialty',
      use: 'in',
      min: 1,
      max: 1,
      type: 'code',
      documentation: 'A code of the referral-specialty value set',
    },
    {
      name: 'patient',
      use: 'in',
      min: 0,
      max: 1,
      type: 'Reference',
      targetTypes: ['Patient'],
      documentation: 'For eligibility and distance',
    },
    {
      name: 'priority',
      use: 'in',
      min: 0,
      max: 1,
      type: 'code',
      documentation: 'routine (default), urgent, two-week-wait',
    },
    { name: 'clinicType', use: 'in', min: 0, max: 1, type: 'code', documentation: 'Only services of this clinic type' },
    { name: 'limit', use: 'in', min: 0, max: 1, type: 'integer', documentation: 'At most this many (default 20)' },
    {
      name: 'option',
      use: 'out',
      min: 0,
      max: '*',
      documentation: 'One service, best first',
      part: [
        out('service', 'Reference', 'The HealthcareService', 1),
        out('provider', 'Reference', 'Its Organization', 1),
        out('location', 'Reference', 'Its Location'),
        out('distanceKm', 'decimal', 'From the patient’s postcode sector centroid'),
        out('indicativeWaitDays', 'integer', 'Days to the first free slot'),
        out('firstFreeSlot', 'Reference', 'The first free Slot'),
        out('firstFreeStart', 'dateTime', 'When it starts'),
        out('directlyBookable', 'boolean', 'False: the provider books', 1),
        out('triage', 'boolean', 'A referral assessment service', 1),
        out('eligible', 'boolean', 'Whether the patient may be referred', 1),
        out('ineligibleReason', 'string', 'Why not'),
      ],
    },
  ],
  scopes: [
    { resourceType: 'HealthcareService', interaction: 's' },
    { resourceType: 'Schedule', interaction: 's' },
  ],
  handler: async ({ request, deps, input }) => {
    const options = await deps.directory.search(requireActor(deps.actorOf(request)), {
      specialty: input.string('specialty') ?? '',
      patientId: input.referenceId('patient'),
      priority: input.string('priority') as ServiceQuery['priority'],
      clinicType: input.string('clinicType'),
      limit: input.integer('limit'),
    });
    return { resourceType: 'Parameters', parameter: options.map(toParameter) };
  },
});

function toParameter(option: ServiceOption): ParametersParameter {
  const part: ParametersParameter[] = [
    { name: 'service', valueReference: { reference: `HealthcareService/${option.serviceId}`, display: option.name } },
    {
      name: 'provider',
      valueReference: { reference: `Organization/${option.provider.id}`, display: option.provider.name },
    },
  ];
  if (option.location) {
    part.push({
      name: 'location',
      valueReference: { reference: `Location/${option.location.id}`, display: option.location.name },
    });
  }
  if (option.distanceKm !== undefined) {
    part.push({ name: 'distanceKm', valueDecimal: option.distanceKm });
  }
  if (option.indicativeWaitDays !== undefined) {
    part.push({ name: 'indicativeWaitDays', valueInteger: option.indicativeWaitDays });
  }
  if (option.firstFreeSlot) {
    part.push({ name: 'firstFreeSlot', valueReference: { reference: `Slot/${option.firstFreeSlot.id}` } });
    part.push({ name: 'firstFreeStart', valueDateTime: option.firstFreeSlot.start });
  }
  part.push(
    { name: 'directlyBookable', valueBoolean: option.directlyBookable },
    { name: 'triage', valueBoolean: option.triage },
    { name: 'eligible', valueBoolean: option.eligible },
  );
  if (option.ineligibleReason) {
    part.push({ name: 'ineligibleReason', valueString: option.ineligibleReason });
  }
  return { name: 'option', part };
}
