import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { oauthUris } from '../auth/endpoints.ts';
import { fhirDefinitions } from './definitions.ts';
import { websocketUrl } from './subscriptions/websocket-url.ts';

const WEBSOCKET_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket';

const SEARCH_TYPE_DOCS: Record<string, string> = {
  string: 'default (starts with, case- and accent-insensitive), :exact, :contains, :missing',
  token: 'code, system|code, |code, system|, :not, :text, :missing',
  reference: 'Type/id, id, absolute URL, :Type, chained one or more levels, :missing',
  date: 'eq ne gt lt ge le sa eb ap, partial dates, :missing',
  number: 'eq ne gt lt ge le sa eb ap with implicit precision, :missing',
  quantity: '[prefix]number|system|code, :missing',
  uri: 'exact, :below, :above, :missing',
};

const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

/**
 * How clients authenticate (SMART App Launch, "Declaring support for OAuth2 endpoints"): the SMART
 * service coding and the oauth-uris extension, which clients such as bulk-data-client read to find
 * the token endpoint. `.well-known/smart-configuration` says the same at more length.
 */
function security(fhirBase: string): NonNullable<CapabilityStatement['rest']>[number]['security'] {
  const uris = oauthUris(fhirBase);
  const named: [string, string | undefined][] = [
    ['authorize', uris.authorize],
    ['token', uris.token],
    ['revoke', uris.revoke],
    ['introspect', uris.introspect],
    ['register', uris.register],
  ];
  return {
    cors: true,
    service: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
        text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)',
      },
    ],
    extension: [
      {
        url: OAUTH_URIS,
        extension: named.flatMap(([url, valueUri]) => (valueUri ? [{ url, valueUri }] : [])),
      },
    ],
  };
}

/** FHIR Bulk Data export (src/fhir/bulk/; docs/FHIR.md, Bulk export). */
const BULK_DATA = 'http://hl7.org/fhir/uv/bulkdata';

/** What the CapabilityStatement says of an operation (src/fhir/operations/). */
export interface CapabilityOperation {
  code: string;
  title: string;
  url: string;
  levels: readonly ('system' | 'type' | 'instance')[];
  resourceTypes?: readonly string[];
}

type OperationEntry = NonNullable<CapabilityStatementRestResource['operation']>[number];

function operationEntry(operation: CapabilityOperation): OperationEntry {
  return { name: operation.code, definition: operation.url, documentation: operation.title };
}

/**
 * OperationDefinitions are the operations registry's, not stored: read and searched (`_id`, `url`,
 * `code`, `base`, `name`) only (src/fhir/operations/routes.ts).
 */
function asRegistryType(resource: CapabilityStatementRestResource): CapabilityStatementRestResource {
  const searched = new Set(['_id', 'url', 'code', 'base', 'name']);
  return {
    type: resource.type,
    profile: resource.profile,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: false,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam: resource.searchParam?.filter((p) => searched.has(p.name)),
    ...(resource.operation ? { operation: resource.operation } : {}),
  };
}

/**
 * The CapabilityStatement, built from what the server really indexes: every R4 resource type,
 * and for each the search parameters of supported types and composite ones (special ones such as _text and near are absent).
 */
export function capabilityStatement(
  fhirBase: string,
  software: { name: string; version: string },
  operations: readonly CapabilityOperation[] = [],
): CapabilityStatement {
  const definitions = fhirDefinitions();
  const onType = (type: string): OperationEntry[] =>
    operations
      .filter((o) => o.resourceTypes?.includes(type) && o.levels.some((level) => level !== 'system'))
      .map(operationEntry);
  const entries = [...definitions.resourceTypes].sort().map((type) => ({
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
      ...[...(definitions.compositeParams.get(type)?.values() ?? [])].map((p) => ({
        name: p.name,
        type: 'composite' as const,
        definition: p.url,
        documentation: `${p.components.map((c) => c.type).join('$')}, every part matching within one item`,
      })),
    ],
    ...(onType(type).length ? { operation: onType(type) } : {}),
  }));
  const resources = entries.map((entry) => {
    const resource = entry as CapabilityStatementRestResource;
    return resource.type === 'OperationDefinition' ? asRegistryType(resource) : resource;
  });
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
    format: ['application/fhir+json', 'json', 'application/fhir+xml', 'xml'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        // Where a Subscription's websocket channel connects (docs/FHIR.md, Subscriptions).
        extension: [{ url: WEBSOCKET_EXTENSION, valueUri: websocketUrl(fhirBase) }],
        security: security(fhirBase),
        documentation:
          'Search results page with opaque keyset cursors (_cursor) that stay correct while data changes. ' +
          'Unknown search parameters are ignored with a warning OperationOutcome unless Prefer: handling=strict. ' +
          'Composite parameters match all their parts within one item (code-value-quantity=http://loinc.org|8480-6$gt140). ' +
          'Special search parameters (_text, _content, _query, near) are not supported.',
        resource: resources,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        operation: operations.filter((o) => o.levels.includes('system')).map(operationEntry),
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
