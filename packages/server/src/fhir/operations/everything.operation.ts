import type { FastifyRequest } from 'fastify';
import { searchOfTypes } from '../../auth/scopes.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { defineOperation } from './define.ts';
import { patientEverything } from './everything.ts';

export interface EverythingDeps {
  /** The record as the request's caller may see it. */
  serviceFor: (request: FastifyRequest) => ResourceService;
}

/** `_type` values of the query and of a Parameters body (as sent: the scope check runs before the input is checked). */
function typesAsked(query: readonly [string, string][], body: unknown): string[] {
  const parameters = (body as { parameter?: unknown } | undefined)?.parameter;
  const fromBody = Array.isArray(parameters)
    ? parameters
        .filter((p: { name?: unknown }) => p?.name === '_type')
        .map((p: { valueCode?: unknown }) => (typeof p.valueCode === 'string' ? p.valueCode : '*'))
    : [];
  return [...query.filter(([key]) => key === '_type').map(([, value]) => value), ...fromBody].flatMap((value) =>
    value.split(','),
  );
}

/**
 * `Patient/{id}/$everything` (src/fhir/operations/everything.ts): the patient's compartment and
 * what it points to, as the caller may see it. Of the standard parameters, `_since` and `_type`.
 */
export const PATIENT_EVERYTHING = defineOperation<EverythingDeps>({
  code: 'everything',
  name: 'PatientEverything',
  title: 'Everything in a patient’s record that the caller may see',
  description:
    'The patient, every resource in their compartment, and the resources those point to (practitioners, ' +
    'organisations, medications, locations), as the caller’s access allows; an `outcome` entry says when some ' +
    'of it is withheld. Of the parameters of the standard operation, `_since` and `_type` are supported ' +
    '(`start` and `end` are not, and are refused rather than ignored, since ignoring them would return more than ' +
    'asked); `_count` is accepted and the whole result is one page.',
  base: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
  levels: ['instance'],
  resourceTypes: ['Patient'],
  affectsState: false,
  parameters: [
    {
      name: '_since',
      use: 'in',
      min: 0,
      max: 1,
      type: 'instant',
      documentation: 'Only resources changed at or after this instant',
    },
    {
      name: '_type',
      use: 'in',
      min: 0,
      max: '*',
      type: 'code',
      documentation: 'Only these resource types (comma-separated, or repeated)',
    },
    {
      name: '_count',
      use: 'in',
      min: 0,
      max: 1,
      type: 'integer',
      documentation:
        'Accepted, as standard clients send it, but the whole result is one page (up to 10,000 resources); ' +
        'it narrows nothing, so ignoring it never widens what is returned',
    },
    { name: 'return', use: 'out', min: 1, max: 1, type: 'Bundle', documentation: 'A searchset Bundle' },
  ],
  // Read on the Patient, and search on the types asked for (every type when none is named).
  scopes: ({ query, body }) => [
    { resourceType: 'Patient', interaction: 'r' },
    ...searchOfTypes(typesAsked(query, body)),
  ],
  handler: async ({ request, deps, id, input }) => {
    const types = input.strings('_type').flatMap((value) => value.split(',').filter(Boolean));
    return patientEverything(deps.serviceFor(request), id!, {
      since: input.string('_since'),
      types: types.length ? types : undefined,
    });
  },
});
