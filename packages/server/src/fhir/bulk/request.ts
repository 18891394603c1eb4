import type { OperationOutcomeIssue, Parameters } from '@medplum/fhirtypes';
import { isKnownResourceType } from '../definitions.ts';
import { badRequest, issue } from '../outcome.ts';

export type ExportLevel = 'system' | 'patient' | 'group';

/** A kick-off request, checked: what the job will export. */
export interface ExportRequest {
  level: ExportLevel;
  groupId?: string;
  /** Requested types; empty means every type the caller may export. */
  types: string[];
  since?: Date;
  /** Parameters ignored under `Prefer: handling=lenient`, as warnings for the kick-off response. */
  warnings: OperationOutcomeIssue[];
}

/** `_outputFormat` values meaning NDJSON (the IG's abbreviations included). */
const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];
const SUPPORTED = new Set(['_outputFormat', '_type', '_since']);

/** `Prefer` may be one header with a comma-separated list or several headers. */
export function preferTokens(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.flatMap((value) => value.split(/[,;]/)).map((token) => token.trim().toLowerCase());
}

/** Parameters from the query string and, for POST, a Parameters body (valueString/valueInstant/…). */
export function kickOffParameters(query: readonly [string, string][], body: unknown): [string, string][] {
  const pairs = [...query];
  if (body === undefined || body === null || body === '') {
    return pairs;
  }
  const parameters = body as Parameters;
  if (typeof body !== 'object' || parameters.resourceType !== 'Parameters') {
    return badRequest('A POST $export body must be a Parameters resource');
  }
  for (const parameter of parameters.parameter ?? []) {
    const value: unknown = Object.entries(parameter).find(([key]) => key.startsWith('value'))?.[1];
    const text =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : value && typeof value === 'object' && 'reference' in value
          ? String(value.reference)
          : '';
    pairs.push([parameter.name ?? '', text]);
  }
  return pairs;
}

/**
 * Checks a kick-off request against the Bulk Data Access IG: `Prefer: respond-async` is required;
 * `_outputFormat` must be NDJSON; `_type` must name resource types; `_since` must be an instant.
 * Anything else (`_typeFilter`, `_elements`, `includeAssociatedData`, `patient`, …) is refused with
 * 400, or ignored with a warning under `Prefer: handling=lenient`.
 */
export function parseExportRequest(
  level: ExportLevel,
  prefer: string | string[] | undefined,
  parameters: readonly [string, string][],
  groupId?: string,
): ExportRequest {
  const tokens = preferTokens(prefer);
  if (!tokens.includes('respond-async')) {
    return badRequest('$export runs asynchronously: send the header Prefer: respond-async', ['Prefer']);
  }
  const lenient = tokens.includes('handling=lenient');
  const request: ExportRequest = { level, types: [], warnings: [], ...(groupId ? { groupId } : {}) };
  for (const [name, value] of parameters) {
    if (!SUPPORTED.has(name)) {
      if (!lenient) {
        return badRequest(`The parameter '${name}' is not supported by $export`, [name]);
      }
      request.warnings.push(issue('warning', 'not-supported', `The parameter '${name}' was ignored`, [name]));
    } else if (name === '_outputFormat') {
      // In a query string an unencoded `+` arrives as a space.
      if (!NDJSON_FORMATS.includes(value.replace(/ /g, '+'))) {
        return badRequest(`_outputFormat '${value}' is not supported; use application/fhir+ndjson`, [name]);
      }
    } else if (name === '_type') {
      request.types.push(...parseTypes(value));
    } else {
      request.since = parseSince(value);
    }
  }
  request.types = [...new Set(request.types)];
  return request;
}

function parseTypes(value: string): string[] {
  const types = value
    .split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  const unknown = types.find((type) => !isKnownResourceType(type));
  if (unknown !== undefined) {
    return badRequest(`_type: '${unknown}' is not a FHIR R4 resource type`, ['_type']);
  }
  return types;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseSince(value: string): Date {
  // In a query string an unencoded `+` of a time zone offset arrives as a space.
  const text = value.trim().replace(/ (\d{2}:\d{2})$/, '+$1');
  const since = new Date(text);
  if (!INSTANT.test(text) || Number.isNaN(since.getTime())) {
    return badRequest(`_since '${value}' is not an instant such as 2024-01-31T09:00:00Z`, ['_since']);
  }
  return since;
}
