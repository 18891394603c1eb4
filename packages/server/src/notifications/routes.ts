import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../modules/contract.ts';
import type { InboxService } from './inbox.service.ts';

/** The signed-in person's inbox and preferences under /api/notifications (a Bearer token is required there). */
export function registerNotificationRoutes(app: FastifyInstance, context: ModuleContext, inbox: InboxService): void {
  app.get('/api/notifications', async (request) =>
    inbox.list(context.actorOf(request), request.query as { status?: string; category?: string; count?: string }),
  );
  app.get('/api/notifications/unread-count', async (request) => inbox.unreadCount(context.actorOf(request)));
  app.get('/api/notifications/preferences', async (request) => inbox.preferences(context.actorOf(request)));
  app.put('/api/notifications/preferences', async (request) =>
    inbox.savePreferences(context.actorOf(request), request.body),
  );
  app.post<{ Params: { id: string } }>('/api/notifications/:id/read', async (request) =>
    inbox.mark(context.actorOf(request), request.params.id, 'read'),
  );
  app.post<{ Params: { id: string } }>('/api/notifications/:id/acknowledge', async (request) =>
    inbox.mark(context.actorOf(request), request.params.id, 'acknowledged'),
  );
}
