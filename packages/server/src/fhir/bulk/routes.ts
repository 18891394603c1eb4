import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.ts';
import { defineOperationScopes, defineSystemOperationScopes } from '../../auth/scopes.ts';
import { issue, outcome } from '../outcome.ts';
import { FHIR_JSON, queryPairs } from '../rest/http.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { kickOffParameters, parseExportRequest, type ExportLevel } from './request.ts';
import type { BulkExportService } from './service.ts';

export interface BulkRouteOptions {
  exports: BulkExportService;
  actorOf: (request: FastifyRequest) => Actor;
  serviceFor: (request: FastifyRequest) => ResourceService;
  fhirBase: string;
}

export const NDJSON = 'application/fhir+ndjson';
/** Seconds a client should wait between status polls. */
const RETRY_AFTER = '2';

// The scope check before the handler: the types exported are limited by the token inside the
// operation (a system/Observation.rs client exports Observations), so kick-off needs nothing more
// there; status and files are checked against the job's owner.
for (const method of ['GET', 'POST']) {
  defineSystemOperationScopes(method, '$export', []);
  defineOperationScopes(method, 'Patient', 'type', '$export', []);
  defineOperationScopes(method, 'Group', 'instance', '$export', [{ resourceType: 'Group', interaction: 'r' }]);
}
defineSystemOperationScopes('GET', '$export-status', []);
defineSystemOperationScopes('DELETE', '$export-status', []);
defineSystemOperationScopes('GET', '$export-file', []);

type Req = FastifyRequest<{ Params: { id: string; n: string } }>;

/** Bulk Data kick-off, status, cancel and file routes, relative to the FHIR base. */
export function registerBulkExportRoutes(app: FastifyInstance, options: BulkRouteOptions): void {
  const { exports, actorOf, fhirBase } = options;

  const kickOff = async (request: Req, reply: FastifyReply, level: ExportLevel): Promise<FastifyReply> => {
    const parameters = kickOffParameters(queryPairs(request), request.method === 'POST' ? request.body : undefined);
    const exportRequest = parseExportRequest(level, request.headers.prefer, parameters, request.params.id);
    const requestUrl = `${fhirBase}${request.url.slice(request.url.indexOf('/fhir/R4') + '/fhir/R4'.length)}`;
    const id = await exports.kickOff(actorOf(request), options.serviceFor(request), exportRequest, requestUrl);
    const body = exportRequest.warnings.length
      ? outcome(...exportRequest.warnings)
      : outcome(issue('information', 'informational', `Export ${id} accepted`));
    return reply
      .code(202)
      .header('content-location', `${fhirBase}/$export-status/${id}`)
      .header('content-type', FHIR_JSON)
      .send(JSON.stringify(body));
  };

  for (const method of ['GET', 'POST'] as const) {
    app.route({ method, url: '/$export', handler: (request: Req, reply) => kickOff(request, reply, 'system') });
    app.route({
      method,
      url: '/Patient/$export',
      handler: (request: Req, reply) => kickOff(request, reply, 'patient'),
    });
    app.route({
      method,
      url: '/Group/:id/$export',
      handler: (request: Req, reply) => kickOff(request, reply, 'group'),
    });
  }

  app.get('/$export-status/:id', async (request: Req, reply) => {
    const state = await exports.state(actorOf(request), request.params.id);
    if (state.status === 'running') {
      return reply.code(202).header('x-progress', state.progress).header('retry-after', RETRY_AFTER).send();
    }
    if (state.status === 'failed') {
      const body = outcome(issue('error', 'exception', state.error));
      return reply.code(500).header('content-type', FHIR_JSON).send(JSON.stringify(body));
    }
    return reply
      .code(200)
      .header('content-type', 'application/json')
      .header('expires', state.expiresAt.toUTCString())
      .send(JSON.stringify(state.manifest));
  });

  app.delete('/$export-status/:id', async (request: Req, reply) => {
    await exports.cancel(actorOf(request), request.params.id);
    const body = outcome(issue('information', 'informational', `Export ${request.params.id} cancelled and deleted`));
    return reply.code(202).header('content-type', FHIR_JSON).send(JSON.stringify(body));
  });

  app.get('/$export-file/:id/:n', async (request: Req, reply) => {
    const stream = await exports.file(actorOf(request), request.params.id, Number(request.params.n));
    return reply.code(200).header('content-type', NDJSON).send(stream);
  });
}
