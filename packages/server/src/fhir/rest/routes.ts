import { RESOURCE_VALIDATE } from '../operations/validate.operation.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { BundleService } from '../bundle/bundle.service.ts';
import { capabilityStatement } from '../capability.ts';
import { PATIENT_EVERYTHING } from '../operations/everything.operation.ts';
import { operationRegistry, registerOperations } from '../operations/registry.ts';
import { registerOperationDefinitionRoutes } from '../operations/routes.ts';
import { badRequest, fail } from '../outcome.ts';
import { history } from '../store/history.ts';
import type { ResourceService } from '../store/resource.service.ts';
import {
  FHIR_JSON,
  parseIfMatch,
  preferences,
  queryPairs,
  rawQuery,
  requireBody,
  sendResource,
  sendStored,
  sendWriteResult,
} from './http.ts';

export interface FhirRouteOptions {
  /** The ResourceService for this request: the access layer binds it to the caller. */
  serviceFor: (request: FastifyRequest) => ResourceService;
  fhirBase: string;
  software: { name: string; version: string };
}

type Params = { type: string; id: string; vid: string };
type Req = FastifyRequest<{ Params: Params }>;

/**
 * The FHIR R4 REST interactions. Each handler parses, calls the service and responds; rules live
 * in the services, errors are OperationOutcomeErrors turned into responses by the app's handler.
 */
export function registerFhirRoutes(app: FastifyInstance, options: FhirRouteOptions): void {
  const { serviceFor, fhirBase } = options;
  // Built at the first request, when every module has registered its operations.
  const operations = operationRegistry(app);
  let capability: CapabilityStatement | undefined;
  app.get('/metadata', async (_request, reply) =>
    sendResource(reply, (capability ??= capabilityStatement(fhirBase, options.software, operations.list()))),
  );
  registerOperationDefinitionRoutes(app, fhirBase);
  registerOperations(app, { serviceFor }, [PATIENT_EVERYTHING, RESOURCE_VALIDATE]);

  app.post('/', async (request, reply) => {
    const result = await new BundleService(serviceFor(request), {
      returnRepresentation: preferences(request).return !== 'minimal',
    }).process(request.body);
    return sendResource(reply, result);
  });

  app.get('/_history', async (request, reply) => {
    const service = serviceFor(request);
    return sendResource(reply, await history(service, service.searchContext().db, { query: queryPairs(request) }));
  });

  app.get('/', () => fail('not-supported', 'System-level search is not supported; search a resource type'));

  app.get('/:type', async (request: Req, reply) => search(request, reply, queryPairs(request)));

  app.post('/:type/_search', async (request: Req, reply) => {
    const form = typeof request.body === 'string' ? [...new URLSearchParams(request.body)] : [];
    return search(request, reply, [...queryPairs(request), ...form]);
  });

  app.get('/:type/_history', async (request: Req, reply) => {
    const service = serviceFor(request);
    return sendResource(
      reply,
      await history(service, service.searchContext().db, {
        resourceType: request.params.type,
        query: queryPairs(request),
      }),
    );
  });

  app.get('/:type/:id', async (request: Req, reply) =>
    sendStored(reply, await serviceFor(request).read(request.params.type, request.params.id)),
  );

  app.get('/:type/:id/_history', async (request: Req, reply) => {
    const service = serviceFor(request);
    const { type, id } = request.params;
    return sendResource(
      reply,
      await history(service, service.searchContext().db, { resourceType: type, id, query: queryPairs(request) }),
    );
  });

  app.get('/:type/:id/_history/:vid', async (request: Req, reply) =>
    sendStored(reply, await serviceFor(request).vread(request.params.type, request.params.id, request.params.vid)),
  );

  app.post('/:type', async (request: Req, reply) => {
    const resource = requireBody(request.body);
    const ifNoneExist = request.headers['if-none-exist'];
    const result = await serviceFor(request).create(request.params.type, withType(resource, request.params.type), {
      ifNoneExist: ifNoneExist === undefined ? undefined : String(ifNoneExist),
    });
    return sendWriteResult(request, reply, fhirBase, result.resource, result.outcome === 'created' ? 201 : 200);
  });

  app.put('/:type', async (request: Req, reply) => {
    const query = rawQuery(request);
    if (!query) {
      return badRequest('PUT needs an id (Type/id) or search parameters (conditional update)');
    }
    const result = await serviceFor(request).conditionalUpdate(request.params.type, query, requireBody(request.body));
    return sendWriteResult(request, reply, fhirBase, result.resource, result.outcome === 'created' ? 201 : 200);
  });

  app.put('/:type/:id', async (request: Req, reply) => {
    const { type, id } = request.params;
    const result = await serviceFor(request).update(type, id, requireBody(request.body), {
      ifMatch: parseIfMatch(request),
    });
    return sendWriteResult(request, reply, fhirBase, result.resource, result.outcome === 'created' ? 201 : 200);
  });

  app.patch('/:type/:id', async (request: Req, reply) => {
    const { type, id } = request.params;
    const result = await serviceFor(request).patch(type, id, request.body, { ifMatch: parseIfMatch(request) });
    return sendWriteResult(request, reply, fhirBase, result.resource, 200);
  });

  app.delete('/:type/:id', async (request: Req, reply) => {
    await serviceFor(request).delete(request.params.type, request.params.id, { ifMatch: parseIfMatch(request) });
    return reply.code(204).send();
  });

  app.delete('/:type', async (request: Req, reply) => {
    const query = rawQuery(request);
    if (!query) {
      return badRequest('DELETE needs an id (Type/id) or search parameters (conditional delete)');
    }
    await serviceFor(request).conditionalDelete(request.params.type, query);
    return reply.code(204).send();
  });

  async function search(request: Req, reply: FastifyReply, query: [string, string][]): Promise<FastifyReply> {
    const bundle = await serviceFor(request).search(request.params.type, query, {
      strict: preferences(request).strict,
    });
    return reply.header('content-type', FHIR_JSON).send(JSON.stringify(bundle));
  }
}

/** A body without resourceType gets the URL's; a different one is caught by validation. */
function withType(resource: Resource, type: string): Resource {
  return resource.resourceType ? resource : ({ ...(resource as object), resourceType: type } as Resource);
}
