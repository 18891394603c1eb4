import type { FastifyInstance, FastifyRequest } from 'fastify';
import { defineSystemOperationScopes } from '../../auth/scopes.ts';
import { registerOperations } from '../operations/registry.ts';
import { issue, outcome } from '../outcome.ts';
import { FHIR_JSON } from '../rest/http.ts';
import { EXPORT_OPERATIONS, type BulkExportDeps } from './operations.ts';

export type BulkRouteOptions = BulkExportDeps;

export const NDJSON = 'application/fhir+ndjson';
/** Seconds a client should wait between status polls. */
const RETRY_AFTER = '2';

// Status and files are checked against the job's owner (the kick-off operations: ./operations.ts).
defineSystemOperationScopes('GET', '$export-status', []);
defineSystemOperationScopes('DELETE', '$export-status', []);
defineSystemOperationScopes('GET', '$export-file', []);

type Req = FastifyRequest<{ Params: { id: string; n: string } }>;

/** Bulk Data kick-off (operations), status, cancel and file routes, relative to the FHIR base. */
export function registerBulkExportRoutes(app: FastifyInstance, options: BulkRouteOptions): void {
  const { exports, actorOf } = options;

  registerOperations(app, options, EXPORT_OPERATIONS);

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
