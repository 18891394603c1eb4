import type { Bundle, OperationDefinition, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { issue, notFound, OperationOutcomeError, outcome } from '../outcome.ts';
import { preferences, queryPairs, sendResource } from '../rest/http.ts';
import type { PublishedOperation } from './define.ts';
import { operationRegistry } from './registry.ts';

type Match = (operation: PublishedOperation, value: string) => boolean;

/** The search parameters of `GET OperationDefinition`: exact `_id`, `url`, `code`, `base`; `name` starts with. */
const SEARCH: Record<string, Match> = {
  _id: (operation, value) => value.split(',').includes(operation.id),
  url: (operation, value) => operation.url === value,
  code: (operation, value) => value.split(',').includes(operation.code),
  base: (operation, value) => operation.base === value,
  name: (operation, value) => operation.name.toLowerCase().startsWith(value.toLowerCase()),
};
const IGNORED = new Set(['_format', '_pretty']);

/**
 * `OperationDefinition` is answered from the app's registry of operations, not from the store: read
 * (`GET OperationDefinition/{id}`) and search (`GET OperationDefinition?…`, a list Bundle). They are
 * fixed by the code, so every other interaction on the type is refused with 405. Register on the
 * FHIR base, next to the REST routes (these static paths win over `/:type`).
 */
export function registerOperationDefinitionRoutes(app: FastifyInstance, fhirBase: string): void {
  const registry = operationRegistry(app);
  const TYPE = '/OperationDefinition';

  app.get(`${TYPE}/:id`, async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const operation = registry.get(request.params.id);
    return sendResource(
      reply,
      operation?.definition ?? notFound(`OperationDefinition/${request.params.id} is not known`),
    );
  });

  const search = (request: FastifyRequest, pairs: [string, string][]): Bundle => {
    const warnings: OperationOutcomeIssue[] = [];
    let found = registry.list();
    for (const [name, value] of pairs) {
      const match = SEARCH[name];
      if (match) {
        found = found.filter((operation) => match(operation, value));
      } else if (!IGNORED.has(name)) {
        warnings.push(issue('warning', 'not-supported', `The search parameter '${name}' was ignored`, [name]));
      }
    }
    if (warnings.length && preferences(request).strict) {
      throw new OperationOutcomeError(outcome(...warnings.map((w) => ({ ...w, severity: 'error' as const }))), 400);
    }
    return searchset(fhirBase, found, warnings);
  };
  app.get(TYPE, async (request, reply) => sendResource(reply, search(request, queryPairs(request))));
  app.post(`${TYPE}/_search`, async (request, reply) => {
    const form = typeof request.body === 'string' ? [...new URLSearchParams(request.body)] : [];
    return sendResource(reply, search(request, [...queryPairs(request), ...form]));
  });

  const message = 'OperationDefinitions are published by the server from its code; they are read and searched only';
  const refuse = (): Promise<never> =>
    Promise.reject(new OperationOutcomeError(outcome(issue('error', 'not-supported', message)), 405));
  app.post(TYPE, refuse);
  for (const url of [TYPE, `${TYPE}/:id`]) {
    app.put(url, refuse);
    app.delete(url, refuse);
  }
  app.patch(`${TYPE}/:id`, refuse);
  for (const url of [`${TYPE}/_history`, `${TYPE}/:id/_history`, `${TYPE}/:id/_history/:vid`]) {
    app.get(url, refuse);
  }
}

function searchset(fhirBase: string, found: PublishedOperation[], warnings: OperationOutcomeIssue[]): Bundle {
  const definitions: OperationDefinition[] = found.map((operation) => operation.definition);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: definitions.length,
    link: [{ relation: 'self', url: `${fhirBase}/OperationDefinition` }],
    entry: [
      ...definitions.map((resource) => ({
        fullUrl: `${fhirBase}/OperationDefinition/${resource.id}`,
        resource,
        search: { mode: 'match' as const },
      })),
      ...(warnings.length ? [{ resource: outcome(...warnings), search: { mode: 'outcome' as const } }] : []),
    ],
  };
}
