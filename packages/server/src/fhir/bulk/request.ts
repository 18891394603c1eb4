import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { isKnownResourceType } from '../definitions.ts';
import { parameterPath } from '../operations/parameters.ts';
import { badRequest } from '../outcome.ts';
import { checkTypeFilters } from './type-filter.ts';

export type ExportLevel = 'system' | 'patient' | 'group';

/** A kick-off request, checked: what the job will export. */
export interface ExportRequest {
  level: ExportLevel;
  groupId?: string;
  /** Requested types; empty means every type the caller may export. */
  types: string[];
  /** `_typeFilter` values, checked (src/fhir/bulk/type-filter.ts). */
  typeFilters: string[];
  since?: Date;
  /** Parameters ignored under `Prefer: handling=lenient`, as warnings for the kick-off response. */
  warnings: OperationOutcomeIssue[];
}

/** `_outputFormat` values meaning NDJSON (the IG's abbreviations included). */
const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];

/** `Prefer` may be one header with a comma-separated list or several headers. */
export function preferTokens(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.flatMap((value) => value.split(/[,;]/)).map((token) => token.trim().toLowerCase());
}

/** The kick-off parameters, already checked against the operation's declaration (src/fhir/bulk/operations.ts). */
export interface KickOffInput {
  outputFormat?: string;
  /** `_type` values, each possibly comma-separated. */
  types: readonly string[];
  /** `_typeFilter` values: `Type?query`. */
  typeFilters?: readonly string[];
  /** An instant. */
  since?: string;
  /** Parameters ignored under `Prefer: handling=lenient`. */
  warnings?: readonly OperationOutcomeIssue[];
}

/**
 * Checks a kick-off request against the Bulk Data Access IG: `Prefer: respond-async` is required;
 * `_outputFormat` must be NDJSON; `_type` must name resource types. Unknown parameters were refused
 * (or, under `Prefer: handling=lenient`, ignored with a warning) and `_since` checked to be an
 * instant by the operations registry before this runs.
 */
export function parseExportRequest(
  level: ExportLevel,
  prefer: string | string[] | undefined,
  input: KickOffInput,
  groupId?: string,
): ExportRequest {
  if (!preferTokens(prefer).includes('respond-async')) {
    return badRequest('$export runs asynchronously: send the header Prefer: respond-async', ['Prefer']);
  }
  // In a query string an unencoded `+` arrives as a space.
  if (input.outputFormat !== undefined && !NDJSON_FORMATS.includes(input.outputFormat.replace(/ /g, '+'))) {
    return badRequest(`_outputFormat '${input.outputFormat}' is not supported; use application/fhir+ndjson`, [
      parameterPath('_outputFormat'),
    ]);
  }
  return {
    level,
    types: [...new Set(input.types.flatMap(parseTypes))],
    typeFilters: checkTypeFilters(input.typeFilters ?? []),
    warnings: [...(input.warnings ?? [])],
    ...(groupId ? { groupId } : {}),
    ...(input.since ? { since: new Date(input.since) } : {}),
  };
}

function parseTypes(value: string): string[] {
  const types = value
    .split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  const unknown = types.find((type) => !isKnownResourceType(type));
  if (unknown !== undefined) {
    return badRequest(`_type: '${unknown}' is not a FHIR R4 resource type`, [parameterPath('_type')]);
  }
  return types;
}
