import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { badRequest } from '../fhir/outcome.ts';

/**
 * Reads an operation's input `Parameters`. An empty body is no parameters; anything else that is
 * not a Parameters resource is a 400.
 */
export function readParameters(body: unknown): ParametersParameter[] {
  if (body === undefined || body === null || body === '') {
    return [];
  }
  const resource = body as Parameters;
  if (typeof body !== 'object' || resource.resourceType !== 'Parameters') {
    return badRequest('The operation expects a Parameters resource');
  }
  return resource.parameter ?? [];
}

/** `Type/id` of a reference parameter (valueReference or valueString), checked against `type`. */
export function referenceParameter(parameters: ParametersParameter[], name: string, type: string): string | undefined {
  const parameter = parameters.find((p) => p.name === name);
  if (!parameter) {
    return undefined;
  }
  const value = parameter.valueReference?.reference ?? parameter.valueString;
  const id = value ? idOf(value, type) : undefined;
  if (!id) {
    return badRequest(`Parameter '${name}' must reference a ${type} (${type}/id)`, [`Parameters.parameter.${name}`]);
  }
  return id;
}

export function stringParameter(parameters: ParametersParameter[], name: string): string | undefined {
  const parameter = parameters.find((p) => p.name === name);
  const value = parameter?.valueString ?? parameter?.valueCode ?? parameter?.valueMarkdown;
  return value?.trim() || undefined;
}

/** The id in `Type/id` or `{base}/Type/id`, when the type matches. */
export function idOf(reference: string, type: string): string | undefined {
  const match = /(?:^|\/)([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  return match && match[1] === type ? match[2] : undefined;
}
