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

/** Types whose writes change who may see what (docs/ACCESS.md): relationships, consent, identity. */
const ACCESS_TYPES = new Set([
  'Patient',
  'CareTeam',
  'ServiceRequest',
  'Encounter',
  'EpisodeOfCare',
  'Consent',
  'RelatedPerson',
  'PractitionerRole',
  'Practitioner',
  'Organization',
  'Group',
  'List',
]);

/**
 * Whether a write request may change access facts, judged conservatively from the request: the
 * modules' and administration APIs, patches (they may relabel), any type above, and any resource
 * carrying security labels (withholding from online view), in a Bundle too.
 */
function mayChangeAccess(request: FastifyRequest): boolean {
  if (!request.url.startsWith('/fhir/') || request.method === 'PATCH') {
    return true;
  }
  const type = request.url.split('?')[0]!.split('/')[3] ?? '';
  if (ACCESS_TYPES.has(type)) {
    return true;
  }
  const body = request.body as
    { resourceType?: string; entry?: { resource?: unknown; request?: { url?: string } }[] } | undefined;
  const resources = body?.resourceType === 'Bundle' ? (body.entry ?? []).map((e) => e.resource) : [body];
  const urls = body?.resourceType === 'Bundle' ? (body.entry ?? []).map((e) => e.request?.url ?? '') : [];
  return (
    resources.some((r) => {
      const resource = r as { resourceType?: string; meta?: { security?: unknown[] } } | undefined;
      return ACCESS_TYPES.has(resource?.resourceType ?? '') || Boolean(resource?.meta?.security?.length);
    }) || urls.some((url) => ACCESS_TYPES.has(url.split(/[/?]/)[0] ?? ''))
  );
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
        await replicas.fenceWrite(callerKey(request.actor), mayChangeAccess(request));
      } catch (error) {
        // The primary is failing: this request's own answer already says so (a 503).
        request.log.warn({ err: error }, 'could not record the write position for read replicas');
      }
    }
    return payload;
  });
}
