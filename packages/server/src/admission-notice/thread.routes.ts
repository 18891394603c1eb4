/**
 * The alert thread page's API (Bearer token required; docs/ADMISSION-ALERTS.md, "The thread page"):
 * `GET /api/admission-notice/threads/{encounterId}`, `GET /api/admission-notice/follow-up/{taskId}` (the
 * thread a follow-up step belongs to) and `POST /api/admission-notice/follow-up/{taskId}/complete` `{ note? }`. Thin handlers over the service,
 * whose first line is the guard; errors are OperationOutcomes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModuleContext } from '../modules/contract.ts';
import { AlertThreads } from './thread.service.ts';

type WithId = FastifyRequest<{ Params: { id: string }; Body: unknown }>;

// What each route reads and writes, for the token's SMART scopes (src/modules/api-scopes.ts).
const READ = ['Encounter.r', 'Patient.r', 'Communication.s', 'Task.r', 'Organization.r', 'Practitioner.r'] as const;
const WRITE = [...READ, 'Task.u'] as const;

/** Registers the thread routes (called from the module's `routes`). */
export function registerThreadRoutes(app: FastifyInstance, context: ModuleContext): void {
  const threads = new AlertThreads(context);
  app.get('/api/admission-notice/threads/:id', { config: { scopes: READ } }, (request: WithId) =>
    threads.thread(context.actorOf(request), request.params.id),
  );
  app.get('/api/admission-notice/follow-up/:id', { config: { scopes: READ } }, (request: WithId) =>
    threads.threadOfFollowUp(context.actorOf(request), request.params.id),
  );
  app.post('/api/admission-notice/follow-up/:id/complete', { config: { scopes: WRITE } }, (request: WithId) =>
    threads.complete(context.actorOf(request), request.params.id, request.body),
  );
}
