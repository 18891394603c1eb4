import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { fhirDefinitions } from './definitions.ts';

const SEARCH_TYPE_DOCS: Record<string, string> = {
  string: 'default (starts with, case- and accent-insensitive), :exact, :contains, :missing',
  token: 'code, system|code, |code, system|, :not, :text, :missing',
  reference: 'Type/id, id, absolute URL, :Type, chained one or more levels, :missing',
  date: 'eq ne gt lt ge le sa eb ap, partial dates, :missing',
  number: 'eq ne gt lt ge le sa eb ap with implicit precision, :missing',
  quantity: '[prefix]number|system|code, :missing',
  uri: 'exact, :below, :above, :missing',
};

/** The audit trail as AuditEvents (src/access/audit-operations.ts; docs/ACCESS.md, Audit). */
const AUDIT_OPERATIONS = {
  patient: [
    {
      name: 'access-log',
      definition: 'https://careweave.example/fhir/OperationDefinition/Patient-access-log',
      documentation: 'AuditEvents of accesses to this patient, newest first; _count, _format=ndjson',
    },
  ],
  system: [
    {
      name: 'audit-log',
      definition: 'https://careweave.example/fhir/OperationDefinition/audit-log',
      documentation: 'The audit trail as AuditEvents; patient, agent, date, _count, _format=ndjson',
    },
  ],
};

/** FHIR Bulk Data export (src/fhir/bulk/; docs/FHIR.md, Bulk export). */
const BULK_DATA = 'http://hl7.org/fhir/uv/bulkdata';
const EXPORT_DOCS =
  'Bulk Data Access IG v2 (Prefer: respond-async); _outputFormat (ndjson), _type, _since; ' +
  'limited to what the caller may see and search';
const EXPORT_OPERATIONS = {
  system: { name: 'export', definition: `${BULK_DATA}/OperationDefinition/export`, documentation: EXPORT_DOCS },
  Patient: {
    name: 'export',
    definition: `${BULK_DATA}/OperationDefinition/patient-export`,
    documentation: EXPORT_DOCS,
  },
  Group: { name: 'export', definition: `${BULK_DATA}/OperationDefinition/group-export`, documentation: EXPORT_DOCS },
};

/**
 * The CapabilityStatement, built from what the server really indexes: every R4 resource type,
 * and for each the search parameters of supported types (composite and special ones are absent).
 */
export function capabilityStatement(
  fhirBase: string,
  software: { name: string; version: string },
): CapabilityStatement {
  const definitions = fhirDefinitions();
  const resources = [...definitions.resourceTypes].sort().map((type) => ({
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: [
      'read',
      'vread',
      'update',
      'patch',
      'delete',
      'history-instance',
      'history-type',
      'create',
      'search-type',
    ].map((code) => ({ code: code as 'read' })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'not-supported',
    conditionalUpdate: true,
    conditionalDelete: 'single',
    referencePolicy: ['literal', 'logical'],
    searchInclude: [
      '*',
      ...[...(definitions.searchParams.get(type)?.values() ?? [])]
        .filter((p) => p.type === 'reference')
        .map((p) => `${type}:${p.name}`),
    ],
    searchRevInclude: ['*'],
    searchParam: [
      { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
      { name: '_lastUpdated', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
      ...[...(definitions.searchParams.get(type)?.values() ?? [])].map((p) => ({
        name: p.name,
        type: p.type,
        definition: p.url,
        documentation: SEARCH_TYPE_DOCS[p.type],
      })),
    ],
    ...(type === 'Patient'
      ? {
          operation: [
            { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
            ...AUDIT_OPERATIONS.patient,
            EXPORT_OPERATIONS.Patient,
          ],
        }
      : {}),
    ...(type === 'Group' ? { operation: [EXPORT_OPERATIONS.Group] } : {}),
  })) as CapabilityStatementRestResource[];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'CareWeave',
    kind: 'instance',
    instantiates: [`${BULK_DATA}/CapabilityStatement/bulk-data`],
    software,
    implementation: { description: 'CareWeave shared care record', url: fhirBase },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Search results page with opaque keyset cursors (_cursor) that stay correct while data changes. ' +
          'Unknown search parameters are ignored with a warning OperationOutcome unless Prefer: handling=strict. ' +
          'Composite and special search parameters (_text, _content, _query, near, *-value-* composites) are not supported.',
        resource: resources,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        operation: [...AUDIT_OPERATIONS.system, EXPORT_OPERATIONS.system],
        searchParam: [
          { name: '_count', type: 'number', documentation: 'page size' },
          { name: '_sort', type: 'string', documentation: 'comma separated, - for descending' },
          { name: '_include', type: 'string', documentation: 'with :iterate one level' },
          { name: '_revinclude', type: 'string', documentation: 'with :iterate one level' },
          { name: '_summary', type: 'token', documentation: 'true, text, data, count, false' },
          { name: '_elements', type: 'string' },
          { name: '_total', type: 'token', documentation: 'none, estimate, accurate' },
        ],
      },
    ],
  };
}
