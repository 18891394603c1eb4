import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Hl7Worklist, WorklistQuery } from './worklist.ts';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/**
 * The worklist API under /api/hl7v2 (docs/HL7V2.md). The caller is `request.actor` (src/auth/);
 * errors are OperationOutcomeErrors, answered by the app's error handler.
 */
export function registerHl7v2Routes(app: FastifyInstance, worklist: Hl7Worklist): void {
  app.get('/api/hl7v2/messages', async (request) => worklist.list(request.actor, request.query as WorklistQuery));

  app.get('/api/hl7v2/messages/:id', async (request: IdRequest) => worklist.get(request.actor, request.params.id));

  app.post('/api/hl7v2/messages/:id/$retry', async (request: IdRequest) =>
    worklist.retry(request.actor, request.params.id),
  );
}
