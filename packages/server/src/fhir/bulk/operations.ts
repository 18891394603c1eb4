import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.ts';
import type { ScopeRule } from '../../auth/scopes.ts';
import {
  defineOperation,
  type OperationContext,
  type OperationResult,
  type ParameterDeclaration,
} from '../operations/define.ts';
import { issue, outcome } from '../outcome.ts';
import { FHIR_JSON } from '../rest/http.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { parseExportRequest, type ExportLevel } from './request.ts';
import type { BulkExportService } from './service.ts';

export interface BulkExportDeps {
  exports: BulkExportService;
  actorOf: (request: FastifyRequest) => Actor;
  serviceFor: (request: FastifyRequest) => ResourceService;
  fhirBase: string;
}

const BULK_DATA = 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition';

/** The parameters of the Bulk Data Access IG v2 that this server supports. */
const PARAMETERS: ParameterDeclaration[] = [
  {
    name: '_outputFormat',
    use: 'in',
    min: 0,
    max: 1,
    type: 'string',
    documentation: 'application/fhir+ndjson (also application/ndjson, ndjson), the default',
  },
  {
    name: '_since',
    use: 'in',
    min: 0,
    max: 1,
    type: 'instant',
    documentation: 'Only resources changed after this instant',
  },
  {
    name: '_type',
    use: 'in',
    min: 0,
    max: '*',
    type: 'string',
    documentation: 'Only these resource types (comma-separated, or repeated); each must be allowed by the token',
  },
  {
    name: '_typeFilter',
    use: 'in',
    min: 0,
    max: '*',
    type: 'string',
    documentation:
      'A FHIR search narrowing one type, `Type?name=value&…` (URL-encoded); several for one type are ORed, a type ' +
      'without one is exported whole; result parameters (_count, _sort, _include…) are refused',
  },
];

const DESCRIPTION =
  'FHIR Bulk Data Access IG v2 kick-off, asynchronous (`Prefer: respond-async`): answers 202 with ' +
  '`Content-Location: [base]/$export-status/{job}`. Exports what the caller may see and their token allows ' +
  'searching. Of the IG’s parameters, `_outputFormat`, `_since`, `_type` and `_typeFilter`; any other is refused with 400, ' +
  'or ignored with a warning under `Prefer: handling=lenient`.';

/** The kick-off: checks the request, starts the job, answers 202 with where to poll. */
async function kickOff(context: OperationContext<BulkExportDeps>, level: ExportLevel): Promise<OperationResult> {
  const { request, reply, deps, input } = context;
  const exportRequest = parseExportRequest(
    level,
    request.headers.prefer,
    {
      outputFormat: input.string('_outputFormat'),
      types: input.strings('_type'),
      typeFilters: input.strings('_typeFilter'),
      since: input.string('_since'),
      warnings: context.warnings,
    },
    context.id,
  );
  const requestUrl = `${deps.fhirBase}${request.url.slice(request.url.indexOf('/fhir/R4') + '/fhir/R4'.length)}`;
  const id = await deps.exports.kickOff(deps.actorOf(request), deps.serviceFor(request), exportRequest, requestUrl);
  const body = exportRequest.warnings.length
    ? outcome(...exportRequest.warnings)
    : outcome(issue('information', 'informational', `Export ${id} accepted`));
  return reply
    .code(202)
    .header('content-location', `${deps.fhirBase}/$export-status/${id}`)
    .header('content-type', FHIR_JSON)
    .send(JSON.stringify(body));
}

/**
 * The types exported are limited by the token inside the operation (a `system/Observation.rs`
 * client exports Observations; src/fhir/bulk/caller.ts), so kick-off needs nothing more before it.
 */
const CHECKED_BY_THE_EXPORT: ScopeRule = [];

const common = {
  affectsState: false,
  methods: ['GET', 'POST'] as const,
  parameters: PARAMETERS,
  lenient: true,
  description: DESCRIPTION,
};

export const SYSTEM_EXPORT = defineOperation<BulkExportDeps>({
  ...common,
  code: 'export',
  name: 'Export',
  title: 'Export every resource the caller may see (Bulk Data)',
  base: `${BULK_DATA}/export`,
  levels: ['system'],
  scopes: CHECKED_BY_THE_EXPORT,
  handler: (context) => kickOff(context, 'system'),
});

export const PATIENT_EXPORT = defineOperation<BulkExportDeps>({
  ...common,
  code: 'export',
  name: 'PatientExport',
  title: 'Export the compartments of every patient the caller may see (Bulk Data)',
  base: `${BULK_DATA}/patient-export`,
  levels: ['type'],
  resourceTypes: ['Patient'],
  scopes: CHECKED_BY_THE_EXPORT,
  handler: (context) => kickOff(context, 'patient'),
});

export const GROUP_EXPORT = defineOperation<BulkExportDeps>({
  ...common,
  code: 'export',
  name: 'GroupExport',
  title: 'Export the compartments of a Group’s patients (Bulk Data)',
  base: `${BULK_DATA}/group-export`,
  levels: ['instance'],
  resourceTypes: ['Group'],
  // Reading the Group itself; the types as for the other levels.
  scopes: [{ resourceType: 'Group', interaction: 'r' }],
  handler: (context) => kickOff(context, 'group'),
});

export const EXPORT_OPERATIONS = [SYSTEM_EXPORT, PATIENT_EXPORT, GROUP_EXPORT];
