import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import type { Queryable } from '../db/database.ts';
import type { ReplicaRouter } from '../db/replicas.ts';

/** The FHIR interactions served from a replica: plain reads, which write nothing but their audit rows. */
const READ_ROUTES = new Set([
  '/fhir/R4/:type',
  '/fhir/R4/:type/:id',
  '/fhir/R4/:type/:id/_history',
  '/fhir/R4/:type/:id/_history/:vid',
  '/fhir/R4/:type/_history',
  '/fhir/R4/_history',
]);

const readers = new WeakMap<FastifyRequest, Queryable>();

/** The replica chosen for this request's reads, if any (src/http/app.ts `serviceFor`). */
export function replicaReaderOf(request: FastifyRequest): Queryable | undefined {
  return readers.get(request);
}

/** Whose writes a later read must see: the person (any of their sessions), or the system client. */
function callerKey(actor: Actor): string {
  return actor.kind === 'system' ? `client:${actor.clientId}` : `user:${actor.userId}`;
}

/**
 * Chooses a replica for each plain FHIR read (src/db/replicas.ts), once the request's actor is
 * known, and fences every other request that may write (any method but GET/HEAD, on /fhir or
 * /api) before its answer is sent, so the same caller's next read, on any instance, sees it.
 */
export function registerReplicaRouting(app: FastifyInstance, replicas: ReplicaRouter): void {
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'GET' || !request.actor || !READ_ROUTES.has(request.routeOptions.url ?? '')) {
      return;
    }
    const reader = await replicas.readerFor(callerKey(request.actor));
    if (reader) {
      readers.set(request, reader);
    }
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.actor && request.method !== 'GET' && request.method !== 'HEAD') {
      try {
        await replicas.fenceWrite(callerKey(request.actor));
      } catch (error) {
        // The primary is failing: this request's own answer already says so (a 503).
        request.log.warn({ err: error }, 'could not record the write position for read replicas');
      }
    }
    return payload;
  });
}
