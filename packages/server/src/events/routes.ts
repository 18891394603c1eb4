import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReactionQuery, ReactionsService } from './reactions.service.ts';

/** /api/events (docs/EVENTS.md). The caller is `request.actor`; errors are OperationOutcomeErrors. */
export function registerEventRoutes(app: FastifyInstance, service: ReactionsService): void {
  app.get('/api/events/reactions', async (request) => service.list(request.actor, request.query as ReactionQuery));

  app.post('/api/events/reactions/:id/$retry', async (request: FastifyRequest<{ Params: { id: string } }>) =>
    service.retry(request.actor, request.params.id),
  );
}
