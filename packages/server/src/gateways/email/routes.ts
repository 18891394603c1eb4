import type { FastifyInstance } from 'fastify';
import type { EmailService } from './email.service.ts';

/** The staff and system API under /api/email (the app's sign-in hook requires a token there). */
export function registerEmailRoutes(app: FastifyInstance, service: EmailService): void {
  app.get('/api/email/messages', async (request) =>
    service.list(request.actor, request.query as { status?: string; reference?: string; _count?: string }),
  );
  app.get('/api/email/caught', async (request) =>
    service.caught(request.actor, request.query as { to?: string; _count?: string }),
  );
}
