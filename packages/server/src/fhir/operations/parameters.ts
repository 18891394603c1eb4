import type { OperationOutcomeIssue, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { isKnownResourceType } from '../definitions.ts';
import { badRequest, fail, issue, OperationOutcomeError, outcome } from '../outcome.ts';
import { validateFhirResource } from '../validation/validate.ts';
import type { ParameterDeclaration } from './define.ts';
import { primitiveProblem, PRIMITIVES, queryValue } from './primitives.ts';

/** The `expression` naming a parameter: `Parameters.parameter[slot]`, `Parameters.parameter[a].part[b]`. */
export function parameterPath(name: string, parent = 'Parameters'): string {
  return `${parent}.${parent === 'Parameters' ? 'parameter' : 'part'}[${name}]`;
}

/** A 400 OperationOutcome about one parameter, for checks the declaration cannot express. */
export function invalidParameter(name: string, message: string): never {
  throw new OperationOutcomeError(outcome(issue('error', 'invalid', message, [parameterPath(name)])));
}

/** The input of one call, checked against the operation's declaration. */
export class OperationInput {
  readonly parameters: readonly ParametersParameter[];

  constructor(parameters: readonly ParametersParameter[]) {
    this.parameters = parameters;
  }

  /** The names given, in order, each once. */
  names(): string[] {
    return [...new Set(this.parameters.map((p) => p.name))];
  }

  has(name: string): boolean {
    return this.parameters.some((p) => p.name === name);
  }

  values(name: string): ParametersParameter[] {
    return this.parameters.filter((p) => p.name === name);
  }

  /** Every value of a primitive parameter, as text (`true`, `3`, `2024-01-31T09:00:00Z`). */
  strings(name: string): string[] {
    return this.values(name)
      .map(primitiveOf)
      .filter((value) => value !== undefined)
      .map(String);
  }

  /** The first value of a primitive parameter as text; undefined when absent. */
  string(name: string): string | undefined {
    return this.strings(name)[0];
  }

  integer(name: string): number | undefined {
    const value = this.values(name).map(primitiveOf)[0];
    return typeof value === 'number' ? value : undefined;
  }

  boolean(name: string): boolean | undefined {
    const value = this.values(name).map(primitiveOf)[0];
    return typeof value === 'boolean' ? value : undefined;
  }

  /** The id of a Reference parameter (its `Type/id` was checked against the declared target types). */
  referenceId(name: string): string | undefined {
    const reference = this.values(name)[0]?.valueReference?.reference;
    return reference === undefined ? undefined : referenceParts(reference)?.id;
  }

  /** The resource of a Resource parameter (its type was checked against the declaration). */
  resource(name: string): Resource | undefined {
    return this.values(name)[0]?.resource;
  }

  /** The parts of each value of a parameter made of parts. */
  parts(name: string): OperationInput[] {
    return this.values(name).map((p) => new OperationInput(p.part ?? []));
  }

  toParameters(): Parameters {
    return { resourceType: 'Parameters', parameter: [...this.parameters] };
  }
}

function primitiveOf(parameter: ParametersParameter): unknown {
  const key = Object.keys(parameter).find((k) => k.startsWith('value'));
  const value: unknown = key ? parameter[key as keyof ParametersParameter] : undefined;
  return typeof value === 'object' ? undefined : value;
}

/** `Type/id`, `{base}/Type/id` → its parts. */
export function referenceParts(reference: string): { type: string; id: string } | undefined {
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  return match ? { type: match[1]!, id: match[2]! } : undefined;
}

export interface ReadOptions {
  method: string;
  query: readonly [string, string][];
  body: unknown;
  /** Unknown parameters become warnings instead of errors. */
  lenient: boolean;
  /** `$code`, for messages. */
  operation: string;
  /** The operation's `resourceBody` parameter (see OperationDeclaration). */
  resourceBody?: string;
}

type Unknown = (name: string, known: readonly ParameterDeclaration[], parent?: string) => void;

/** The general parameters of every FHIR request (http.html): handled by the HTTP layer, not the operation. */
const GENERAL = new Set(['_format', '_pretty']);

/**
 * Reads and checks an operation's input: the query string (primitive and Reference parameters) and,
 * for POST, a `Parameters` body. Every problem is one issue of a 400 OperationOutcome naming the
 * parameter (`Parameters.parameter[name]`): an unknown parameter (a warning instead, when lenient),
 * a missing required one, too many values, a value of the wrong type or format, a Reference to a
 * type the operation does not take. A body is then validated as an R4 Parameters resource.
 */
export function readInput(
  declarations: readonly ParameterDeclaration[],
  options: ReadOptions,
): { input: OperationInput; warnings: OperationOutcomeIssue[] } {
  const inputs = declarations.filter((d) => d.use === 'in');
  const issues: OperationOutcomeIssue[] = [];
  const warnings: OperationOutcomeIssue[] = [];
  const unknown: Unknown = (name, known, parent = 'Parameters') => {
    const takes = known.map((d) => d.name).join(', ') || 'no parameters';
    const where = parent === 'Parameters' ? options.operation : `${options.operation} ${parent}`;
    const message = `Unknown parameter '${name}': ${where} takes ${takes}`;
    const path = parameterPath(name, parent);
    if (options.lenient && parent === 'Parameters') {
      warnings.push(issue('warning', 'not-supported', `The parameter '${name}' was ignored`, [path]));
    } else {
      issues.push(issue('error', 'invalid', message, [path]));
    }
  };
  const fromQuery = queryParameters(inputs, options.query, issues, unknown);
  const fromBody = options.method === 'POST' ? bodyParameters(options.body, options.resourceBody) : [];
  const given = [...fromQuery, ...fromBody];
  const kept = checkParameters(inputs, given, 'Parameters', issues, unknown);
  if (!issues.length && options.method === 'POST' && isParameters(options.body)) {
    const envelope = withoutResourceOf(options.body, options.resourceBody);
    issues.push(...validateFhirResource(envelope).filter((i) => i.severity === 'error' || i.severity === 'fatal'));
  }
  if (issues.length) {
    throw new OperationOutcomeError(outcome(...issues));
  }
  return { input: new OperationInput(kept), warnings };
}

function queryParameters(
  inputs: readonly ParameterDeclaration[],
  query: readonly [string, string][],
  issues: OperationOutcomeIssue[],
  unknown: Unknown,
): ParametersParameter[] {
  const out: ParametersParameter[] = [];
  for (const [name, text] of query) {
    const declaration = inputs.find((d) => d.name === name);
    if (!declaration) {
      if (!GENERAL.has(name)) {
        unknown(name, inputs);
      }
      continue;
    }
    const path = parameterPath(name);
    if (text.includes('\u0000')) {
      issues.push(issue('error', 'invalid', `Parameter '${name}' holds a character that is not allowed`, [path]));
    } else if (declaration.type === 'Reference') {
      out.push({ name, valueReference: { reference: text } });
    } else if (declaration.type !== undefined && PRIMITIVES.has(declaration.type)) {
      const value = queryValue(declaration.type, text);
      out.push({ name, [valueKey(declaration.type)]: value });
    } else {
      const message = `Parameter '${name}' (${declaration.type ?? 'parts'}) must be sent in a Parameters body with POST`;
      issues.push(issue('error', 'invalid', message, [path]));
    }
  }
  return out;
}

function isParameters(body: unknown): body is Parameters {
  return typeof body === 'object' && body !== null && (body as Parameters).resourceType === 'Parameters';
}

/** The Parameters body without the resource of `name` (which the operation itself checks). */
function withoutResourceOf(body: Parameters, name: string | undefined): Parameters {
  if (!name || !Array.isArray(body.parameter)) {
    return body;
  }
  return {
    ...body,
    parameter: body.parameter.map((p) => {
      if (p?.name !== name || p.resource === undefined) {
        return p;
      }
      const { resource: _checkedByTheOperation, ...rest } = p;
      return { ...rest, valueString: 'the resource' };
    }),
  };
}

/**
 * The parameters of a POST body. A body that is not a Parameters resource is refused at once, unless
 * the operation takes a resource body (`resourceBody`): then it is that parameter.
 */
function bodyParameters(body: unknown, resourceBody?: string): ParametersParameter[] {
  if (body === undefined || body === null || body === '') {
    return [];
  }
  const parameters = body as Parameters;
  if (
    resourceBody &&
    typeof body === 'object' &&
    !Array.isArray(body) &&
    typeof parameters.resourceType === 'string' &&
    parameters.resourceType !== 'Parameters'
  ) {
    return [{ name: resourceBody, resource: body as Resource }];
  }
  if (typeof body !== 'object' || Array.isArray(body) || parameters.resourceType !== 'Parameters') {
    return badRequest('The body of an operation must be a Parameters resource', ['Parameters']);
  }
  if (parameters.parameter !== undefined && !Array.isArray(parameters.parameter)) {
    return fail('structure', 'Parameters.parameter must be an array', ['Parameters.parameter']);
  }
  return (parameters.parameter ?? []).filter((p): p is ParametersParameter => typeof p === 'object' && p !== null);
}

/** Checks names, cardinality and types; returns the parameters kept (known ones). */
function checkParameters(
  declarations: readonly ParameterDeclaration[],
  given: readonly ParametersParameter[],
  parent: string,
  issues: OperationOutcomeIssue[],
  unknown: Unknown,
): ParametersParameter[] {
  const kept: ParametersParameter[] = [];
  for (const parameter of given) {
    if (typeof parameter.name !== 'string' || !parameter.name) {
      issues.push(issue('error', 'required', 'Every parameter needs a name', [`${parent}.parameter.name`]));
      continue;
    }
    const declaration = declarations.find((d) => d.name === parameter.name);
    if (!declaration) {
      unknown(parameter.name, declarations, parent);
      continue;
    }
    const path = parameterPath(parameter.name, parent);
    const problem = valueProblem(declaration, parameter);
    if (problem) {
      issues.push(issue('error', 'value', `Parameter '${parameter.name}' ${problem}`, [path]));
      continue;
    }
    if (declaration.part) {
      checkParameters(declaration.part, parameter.part ?? [], path, issues, unknown);
    }
    kept.push(parameter);
  }
  for (const declaration of declarations) {
    const count = given.filter((p) => p.name === declaration.name).length;
    const path = parameterPath(declaration.name, parent);
    if (count < declaration.min) {
      const message = `Parameter '${declaration.name}' is required (${declaration.min}..${declaration.max})`;
      issues.push(issue('error', 'required', message, [path]));
    } else if (declaration.max !== '*' && count > declaration.max) {
      const message = `Parameter '${declaration.name}' is given ${count} times; at most ${declaration.max} allowed`;
      issues.push(issue('error', 'structure', message, [path]));
    }
  }
  return kept;
}

/** Why a value does not fit its declaration, or undefined. */
function valueProblem(declaration: ParameterDeclaration, parameter: ParametersParameter): string | undefined {
  const type = declaration.type;
  const valueKeys = Object.keys(parameter).filter((key) => key.startsWith('value'));
  if (type === undefined) {
    return parameter.part?.length && !valueKeys.length && !parameter.resource ? undefined : 'must be given as parts';
  }
  if (type === 'Resource' || isKnownResourceType(type)) {
    const resource = parameter.resource;
    if (!resource || valueKeys.length || (type !== 'Resource' && resource.resourceType !== type)) {
      return `must be a ${type} resource (resource)`;
    }
    return undefined;
  }
  const key = valueKey(type);
  if (valueKeys.length !== 1 || valueKeys[0] !== key || parameter.resource || parameter.part) {
    return `must be a ${type} (${key})`;
  }
  const value: unknown = parameter[key as keyof ParametersParameter];
  if (PRIMITIVES.has(type)) {
    const problem = primitiveProblem(type, value);
    return problem;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `must be a ${type} (${key})`;
  }
  if (type === 'Reference' && declaration.targetTypes?.length) {
    return referenceProblem(value, declaration.targetTypes);
  }
  return undefined;
}

function referenceProblem(value: { reference?: unknown }, targets: readonly string[]): string | undefined {
  const parts = typeof value.reference === 'string' ? referenceParts(value.reference) : undefined;
  if (!parts || !targets.includes(parts.type)) {
    return `must reference a ${targets.join(' or ')} (${targets[0]}/id)`;
  }
  return undefined;
}

/** `instant` → `valueInstant`, `Reference` → `valueReference`. */
export function valueKey(type: string): string {
  return `value${type[0]!.toUpperCase()}${type.slice(1)}`;
}
