import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { defineOperationScopes, defineSystemOperationScopes } from '../../auth/scopes.ts';
import { queryPairs, sendResource } from '../rest/http.ts';
import type { FhirOperation, OperationLevel, OperationResult, PublishedOperation } from './define.ts';
import { readInput } from './parameters.ts';

/** The operations one app serves: what the CapabilityStatement and `OperationDefinition` routes publish. */
export class OperationRegistry {
  private readonly operations = new Map<string, PublishedOperation>();

  add(operation: PublishedOperation): void {
    const known = this.operations.get(operation.id);
    if (known && known.url !== operation.url) {
      throw new Error(`Two operations publish the OperationDefinition '${operation.id}'`);
    }
    this.operations.set(operation.id, operation);
  }

  get(id: string): PublishedOperation | undefined {
    return this.operations.get(id);
  }

  list(): PublishedOperation[] {
    return [...this.operations.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's FHIR operations (src/fhir/operations/registry.ts); see `operationRegistry`. */
    fhirOperations?: OperationRegistry;
  }
}

/**
 * The registry of `app`: the one its root (buildApp) provides, or a new one for an app that has
 * none (a test that registers a few operations on a bare Fastify). Call it on the root first so that
 * every plugin shares it.
 */
export function operationRegistry(app: FastifyInstance): OperationRegistry {
  if (!app.fhirOperations) {
    app.decorate('fhirOperations', new OperationRegistry());
  }
  return app.fhirOperations!;
}

/**
 * Serves `operations` on `app` (the FHIR base, `/fhir/R4`): for each level and method its route
 * (`/$x`, `/Type/$x`, `/Type/:id/$x`), its scopes for the FHIR scope check, its input read and
 * checked before the handler runs, and its OperationDefinition in the app's registry. `deps` is
 * what the handlers use (the platform, or the module's services).
 *
 * @example
 * registerOperations(fhir, { serviceFor }, [PATIENT_EVERYTHING]);
 */
export function registerOperations<D>(app: FastifyInstance, deps: D, operations: readonly FhirOperation<D>[]): void {
  const registry = operationRegistry(app);
  declareOperationScopes(operations);
  for (const operation of operations) {
    registry.add(operation);
    for (const { level, resourceType, url } of routesOf(operation)) {
      for (const method of operation.methods) {
        app.route({
          method,
          url,
          handler: (request: FastifyRequest<{ Params: { id?: string } }>, reply) =>
            run(operation, deps, { request, reply, level, resourceType, id: request.params.id }),
        });
      }
    }
  }
}

/** Makes the FHIR scope check (src/auth/scopes.ts) ask each operation's declared scopes. */
export function declareOperationScopes(operations: readonly PublishedOperation[]): void {
  for (const operation of operations) {
    for (const method of operation.methods) {
      for (const { level, resourceType } of routesOf(operation)) {
        if (level === 'system') {
          defineSystemOperationScopes(method, `$${operation.code}`, operation.scopes);
        } else {
          defineOperationScopes(method, resourceType!, level, `$${operation.code}`, operation.scopes);
        }
      }
    }
  }
}

interface Route {
  level: OperationLevel;
  resourceType?: string;
  url: string;
}

function routesOf(operation: PublishedOperation): Route[] {
  return operation.levels.flatMap((level): Route[] =>
    level === 'system'
      ? [{ level, url: `/$${operation.code}` }]
      : (operation.resourceTypes ?? []).map((resourceType) => ({
          level,
          resourceType,
          url: level === 'type' ? `/${resourceType}/$${operation.code}` : `/${resourceType}/:id/$${operation.code}`,
        })),
  );
}

async function run<D>(
  operation: FhirOperation<D>,
  deps: D,
  call: { request: FastifyRequest; reply: FastifyReply; level: OperationLevel; resourceType?: string; id?: string },
): Promise<FastifyReply> {
  const { request, reply } = call;
  const { input, warnings } = readInput(operation.parameters, {
    method: request.method,
    query: queryPairs(request),
    body: request.body,
    lenient: operation.lenient === true && lenient(request.headers.prefer),
    operation: `$${operation.code}`,
    ...(operation.resourceBody ? { resourceBody: operation.resourceBody } : {}),
  });
  const result = (await operation.handler({ ...call, deps, input, warnings })) as
    Exclude<OperationResult, FastifyReply> | FastifyReply | undefined;
  // A handler that sent its own answer (headers, a stream, 202) returns the reply. A Fastify reply
  // is a thenable (it resolves to undefined once sent), so an async handler's `return reply` arrives
  // here as undefined, not as the reply: `reply.sent` is what says it has been answered.
  if (reply.sent || result === undefined || isReply(result, reply)) {
    return reply;
  }
  return 'resourceType' in result ? sendResource(reply, result) : sendResource(reply, result.resource, result.status);
}

function isReply(
  result: Exclude<OperationResult, FastifyReply> | FastifyReply,
  reply: FastifyReply,
): result is FastifyReply {
  return (result as unknown) === reply;
}

function lenient(prefer: string | string[] | undefined): boolean {
  const values = Array.isArray(prefer) ? prefer : prefer === undefined ? [] : [prefer];
  return values.some((value) => /(^|[,;\s])handling=lenient\b/i.test(value));
}
