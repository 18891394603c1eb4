import type { OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import { fhirDefinitions } from '../definitions.ts';
import { badRequest, issue, outcome } from '../outcome.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { validateFhirResource, type ValidateOptions } from '../validation/validate.ts';
import { expandValueSet } from '../validation/valuesets.ts';
import { defineOperation } from './define.ts';

export interface ValidateDeps {
  /** The record as the request's caller may see it (for `mode=delete`). */
  serviceFor: (request: FastifyRequest) => ResourceService;
}

const MODES = ['create', 'update', 'delete', 'profile'] as const;
type Mode = (typeof MODES)[number];

/**
 * Every R4 resource type this server knows (its definitions also hold a few later types, such as
 * SubscriptionStatus, which an R4 OperationDefinition may not name).
 */
function validatableTypes(): string[] {
  const r4 = expandValueSet('http://hl7.org/fhir/ValueSet/resource-types')?.codes;
  return [...fhirDefinitions().resourceTypes].filter((type) => !r4 || r4.has(type)).sort();
}

/** The base R4 definition of a type: the only profile this server validates against. */
const baseProfile = (type: string): string => `http://hl7.org/fhir/StructureDefinition/${type}`;

/**
 * The checks a write of this kind would make (src/fhir/validation/validate.ts, the same function
 * every create and update runs), as an OperationOutcome: errors, warnings, or one information issue
 * when there is nothing to say (an OperationOutcome needs at least one issue). Validation never
 * stores anything.
 */
export function validationOutcome(
  resourceType: string,
  resource: Resource | undefined,
  request: { mode?: Mode; id?: string; profile?: string },
): OperationOutcome {
  if (!resource) {
    return badRequest(`$validate needs the resource: send it as the body, or as the 'resource' parameter`, [
      'Parameters.parameter[resource]',
    ]);
  }
  const options: ValidateOptions = { expectedType: resourceType };
  if (request.mode === 'update') {
    options.requireId = true;
    if (request.id) {
      options.expectedId = request.id;
    }
  }
  const issues: OperationOutcomeIssue[] = validateFhirResource(resource, options);
  if (request.profile && request.profile.split('|')[0] !== baseProfile(resourceType)) {
    issues.push(
      issue(
        'warning',
        'not-supported',
        `This server checks resources against the base FHIR R4 definition only; ${request.profile} was not checked`,
        ['Parameters.parameter[profile]'],
      ),
    );
  }
  if (!issues.length) {
    issues.push(issue('information', 'informational', `No problems found: this ${resourceType} would be accepted`));
  }
  return outcome(...issues);
}

/**
 * `$validate` (FHIR R4 Resource-validate) on every resource type: `POST [base]/[type]/$validate` with
 * the resource as the body (or in a Parameters body), and `[base]/[type]/[id]/$validate` for an update
 * or a delete. Answers 200 with an OperationOutcome whether the resource is valid or not (errors are
 * its issues); 4xx only when it could not validate at all.
 */
export const RESOURCE_VALIDATE = defineOperation<ValidateDeps>({
  code: 'validate',
  name: 'ResourceValidate',
  title: 'Check a resource without storing it',
  description:
    'Runs the checks a create or update would make — structure, cardinality, types, FHIRPath invariants, ' +
    'required terminology bindings, calendar dates, NHS number check digits, the id — and answers 200 with an ' +
    'OperationOutcome listing every problem (an information issue when there are none). Nothing is stored. ' +
    '`mode=update` also checks that the resource carries the id of the URL; `mode=delete` that the caller can ' +
    'see the resource (this server keeps nothing from being deleted because other resources point at it). ' +
    'Profiles other than the base R4 definitions are not checked, and say so in a warning.',
  base: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
  id: 'Resource-validate',
  levels: ['type', 'instance'],
  resourceTypes: validatableTypes(),
  affectsState: false,
  methods: ['POST'],
  resourceBody: 'resource',
  parameters: [
    { name: 'resource', use: 'in', min: 0, max: 1, type: 'Resource', documentation: 'The resource to check' },
    {
      name: 'mode',
      use: 'in',
      min: 0,
      max: 1,
      type: 'code',
      documentation: 'create | update | delete | profile (as the standard operation defines them)',
    },
    { name: 'profile', use: 'in', min: 0, max: 1, type: 'uri', documentation: 'Only the base R4 profile is checked' },
    { name: 'return', use: 'out', min: 1, max: 1, type: 'OperationOutcome', documentation: 'The problems found' },
  ],
  // Read on the type in the URL: a client that works with the type (checking content reads and writes
  // nothing; `mode=delete` reads the resource as the caller).
  scopes: ({ resourceType }) => [{ resourceType: resourceType ?? '*', interaction: 'r' }],
  handler: async ({ request, deps, resourceType, id, input }) => {
    const given = input.string('mode');
    if (given !== undefined && !(MODES as readonly string[]).includes(given)) {
      return badRequest(`mode must be one of ${MODES.join(', ')}, not '${given}'`, ['Parameters.parameter[mode]']);
    }
    const mode = given as Mode | undefined;
    if (mode === 'delete') {
      if (!id) {
        return badRequest('mode=delete names the resource in the URL: [type]/[id]/$validate');
      }
      // Hidden and absent look the same: 404 either way, from the caller's own read.
      await deps.serviceFor(request).read(resourceType!, id);
      return outcome(issue('information', 'informational', `Nothing prevents deleting ${resourceType}/${id}`));
    }
    const profile = input.string('profile');
    return validationOutcome(resourceType!, input.resource('resource'), {
      ...(mode ? { mode } : {}),
      ...(id ? { id } : {}),
      ...(profile ? { profile } : {}),
    });
  },
});
