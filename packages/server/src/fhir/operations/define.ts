import type {
  OperationDefinition,
  OperationDefinitionParameter,
  OperationOutcomeIssue,
  Resource,
} from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ScopeRule } from '../../auth/scopes.ts';
import type { OperationInput } from './parameters.ts';

/** Where this server publishes the OperationDefinitions of its operations (their canonical URLs). */
export const OPERATION_DEFINITION_BASE = 'https://careweave.example/fhir/OperationDefinition';

export type OperationLevel = 'system' | 'type' | 'instance';
export type OperationMethod = 'GET' | 'POST';
type SearchType = NonNullable<OperationDefinitionParameter['searchType']>;

/** One parameter of an operation, as `OperationDefinition.parameter` says it. */
export interface ParameterDeclaration {
  name: string;
  use: 'in' | 'out';
  min: number;
  max: number | '*';
  /**
   * A FHIR type: a primitive (`string`, `code`, `instant`, …), a complex type (`Reference`, `Coding`,
   * …), a resource type (`Bundle`) or `Resource`. Absent for a parameter made of parts.
   */
  type?: string;
  /** For `Reference`: the resource types it may point to (`targetProfile`). */
  targetTypes?: readonly string[];
  /** For a `string` in search syntax (`date=ge2024-01-01`): the kind of search parameter. */
  searchType?: SearchType;
  documentation?: string;
  part?: readonly ParameterDeclaration[];
}

/** What the handler gets: the request, the checked input and the module's dependencies. */
export interface OperationContext<D> {
  request: FastifyRequest;
  reply: FastifyReply;
  deps: D;
  level: OperationLevel;
  /** The resource type in the URL (type and instance level). */
  resourceType?: string;
  /** The id in the URL (instance level). */
  id?: string;
  input: OperationInput;
  /** Unknown parameters ignored under `Prefer: handling=lenient` (only when the operation is `lenient`). */
  warnings: OperationOutcomeIssue[];
}

/**
 * What a handler answers: a resource (sent with 200), a resource with another status, or the reply
 * when the handler sent something else itself (headers, NDJSON, 202 without a body).
 */
export type OperationResult = Resource | { status: number; resource: Resource } | FastifyReply;

export interface OperationDeclaration<D> {
  /** The code, without `$`: `everything`. */
  code: string;
  /** A machine name (`PatientEverything`): letters and digits, starting with a capital. */
  name: string;
  title: string;
  /** Markdown: what it does, who may call it, what it answers. */
  description: string;
  /** The id of the published OperationDefinition; by default `{Type}-{code}`, or `{code}` at system level. */
  id?: string;
  /** The canonical of the standard operation this one implements part of (`http://hl7.org/fhir/OperationDefinition/Patient-everything`). */
  base?: string;
  levels: readonly OperationLevel[];
  /** The resource types of type and instance level operations. */
  resourceTypes?: readonly string[];
  affectsState: boolean;
  /** By default POST for an operation that changes something, otherwise GET and POST (FHIR R4 operations). */
  methods?: readonly OperationMethod[];
  parameters: readonly ParameterDeclaration[];
  /**
   * What the access token must allow (src/auth/scopes.ts), checked before the handler runs with
   * every other FHIR request. An empty list: the handler or its service checks (and says why).
   */
  scopes: ScopeRule;
  /**
   * `Prefer: handling=lenient` turns unknown parameters into warnings for the handler (as the Bulk
   * Data IG allows for `$export`). Otherwise, and by default, an unknown parameter is a 400.
   */
  lenient?: boolean;
  /**
   * The name of a `Resource` parameter that a POST body may also be on its own (FHIR lets
   * `$validate` take the resource itself). That parameter's resource is the operation's to check:
   * it is not validated with the Parameters body.
   */
  resourceBody?: string;
  handler: (context: OperationContext<D>) => Promise<OperationResult>;
}

/** A checked operation: its declaration, where it is published, and its OperationDefinition. */
export interface FhirOperation<D = unknown> extends OperationDeclaration<D> {
  id: string;
  url: string;
  methods: readonly OperationMethod[];
  definition: OperationDefinition;
}

/** What the registry and the CapabilityStatement need of an operation: everything but the handler. */
export type PublishedOperation = Omit<FhirOperation, 'handler'>;

const NAME = /^[A-Z][A-Za-z0-9_]{0,254}$/;
const CODE = /^[a-z][a-z0-9-]*$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Declares a FHIR operation once: its route(s) under /fhir/R4, the SMART scopes it needs, its
 * Parameters (checked before the handler runs) and its published OperationDefinition. Register it
 * with `registerOperations`. A declaration that cannot be published as valid R4 throws at once.
 *
 * @example
 * export const REJECT = defineOperation<PortalDeps>({
 *   code: 'reject',
 *   name: 'MedicationRequestReject',
 *   title: 'Reject a repeat prescription request',
 *   description: 'Cancels a patient’s request, with a reason they can read.',
 *   levels: ['instance'],
 *   resourceTypes: ['MedicationRequest'],
 *   affectsState: true,
 *   parameters: [
 *     { name: 'reason', use: 'in', min: 1, max: 1, type: 'string', documentation: 'Shown to the patient' },
 *     { name: 'return', use: 'out', min: 1, max: 1, type: 'MedicationRequest' },
 *   ],
 *   scopes: [{ resourceType: 'MedicationRequest', interaction: 'u' }],
 *   handler: async ({ request, deps, id, input }) =>
 *     rejectRepeat(deps.callerOf(request), id!, { reason: input.string('reason')! }),
 * });
 */
export function defineOperation<D>(declaration: OperationDeclaration<D>): FhirOperation<D> {
  const { code, levels, resourceTypes = [] } = declaration;
  const problem = declarationProblem(declaration);
  if (problem) {
    throw new Error(`defineOperation $${code}: ${problem}`);
  }
  const id = declaration.id ?? (levels.includes('system') ? code : `${resourceTypes[0]}-${code}`);
  if (!ID.test(id)) {
    throw new Error(`defineOperation $${code}: '${id}' is not a FHIR id`);
  }
  const url = `${OPERATION_DEFINITION_BASE}/${id}`;
  const methods = declaration.methods ?? (declaration.affectsState ? ['POST'] : ['GET', 'POST']);
  const operation = { ...declaration, id, url, methods };
  return { ...operation, definition: operationDefinition(operation) };
}

function declarationProblem<D>(declaration: OperationDeclaration<D>): string | undefined {
  const { code, name, levels, resourceTypes = [], parameters } = declaration;
  if (!CODE.test(code)) {
    return 'the code must be lower case letters, digits and hyphens, without $';
  }
  if (!NAME.test(name)) {
    return `the name '${name}' must be a machine name such as PatientEverything`;
  }
  if (!levels.length) {
    return 'it must be callable at system, type or instance level';
  }
  if (levels.some((level) => level !== 'system') !== resourceTypes.length > 0) {
    return 'type and instance level operations (and only those) name their resource types';
  }
  if (declaration.methods?.includes('GET') && declaration.affectsState) {
    return 'an operation that changes something is called with POST only';
  }
  return parametersProblem(parameters, '');
}

function parametersProblem(parameters: readonly ParameterDeclaration[], path: string): string | undefined {
  const seen = new Set<string>();
  for (const parameter of parameters) {
    const where = `parameter ${path}${parameter.name}`;
    const key = `${parameter.use} ${parameter.name}`;
    if (seen.has(key)) {
      return `${where} is declared twice`;
    }
    seen.add(key);
    if (parameter.max !== '*' && (parameter.max < parameter.min || parameter.max < 1)) {
      return `${where} has max below min (or 0)`;
    }
    if ((parameter.type === undefined) === !parameter.part?.length) {
      return `${where} needs a type or parts (not both)`;
    }
    if (parameter.targetTypes && parameter.type !== 'Reference') {
      return `${where}: only a Reference has target types`;
    }
    if (parameter.searchType && parameter.type !== 'string') {
      return `${where}: only a string has a search type`;
    }
    const inner = parameter.part ? parametersProblem(parameter.part, `${path}${parameter.name}.`) : undefined;
    if (inner) {
      return inner;
    }
  }
  return undefined;
}

/** The operation as a FHIR R4 OperationDefinition resource. */
function operationDefinition(operation: Omit<FhirOperation, 'definition' | 'handler'>): OperationDefinition {
  return {
    resourceType: 'OperationDefinition',
    id: operation.id,
    url: operation.url,
    name: operation.name,
    title: operation.title,
    status: 'active',
    kind: 'operation',
    publisher: 'CareWeave',
    description: operation.description,
    affectsState: operation.affectsState,
    code: operation.code,
    ...(operation.base ? { base: operation.base } : {}),
    ...(operation.resourceTypes?.length ? { resource: [...operation.resourceTypes] } : {}),
    system: operation.levels.includes('system'),
    type: operation.levels.includes('type'),
    instance: operation.levels.includes('instance'),
    parameter: operation.parameters.map(parameterDefinition),
  } as OperationDefinition;
}

function parameterDefinition(parameter: ParameterDeclaration): OperationDefinitionParameter {
  return {
    name: parameter.name,
    use: parameter.use,
    min: parameter.min,
    max: String(parameter.max),
    ...(parameter.documentation ? { documentation: parameter.documentation } : {}),
    ...(parameter.type ? { type: parameter.type } : {}),
    ...(parameter.targetTypes?.length
      ? { targetProfile: parameter.targetTypes.map((type) => `http://hl7.org/fhir/StructureDefinition/${type}`) }
      : {}),
    ...(parameter.searchType ? { searchType: parameter.searchType } : {}),
    ...(parameter.part?.length ? { part: parameter.part.map(parameterDefinition) } : {}),
  };
}
