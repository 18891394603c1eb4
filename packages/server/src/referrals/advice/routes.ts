/**
 * Advice and guidance's HTTP API under `/api/referrals/advice` (Bearer token), for the web app: thin
 * handlers over the service, whose first line is the guard. Each route declares its own SMART scopes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.ts';
import type { ScopeNeed } from '../../modules/api-scopes.ts';
import type { AdviceService } from './advice.service.ts';

type WithId = FastifyRequest<{ Params: { id: string }; Body: unknown }>;
type List = FastifyRequest<{ Querystring: { side?: string; open?: string } }>;
type Download = FastifyRequest<{ Params: { id: string; messageId: string; index: string } }>;

const READ: readonly ScopeNeed[] = ['Task.rs', 'Communication.rs', 'Patient.rs'];
const WRITE: readonly ScopeNeed[] = ['Task.u', 'Communication.c', 'ServiceRequest.cu'];

export function registerAdviceRoutes(
  app: FastifyInstance,
  advice: AdviceService,
  actorOf: (request: FastifyRequest) => Actor | undefined,
): void {
  const base = '/api/referrals/advice';
  const read = { config: { scopes: READ } };
  const write = { config: { scopes: WRITE } };
  app.get(base, read, (request: List) =>
    advice.list(actorOf(request), {
      ...(request.query.side === 'provider' || request.query.side === 'requester' ? { side: request.query.side } : {}),
      open: request.query.open !== 'false',
    }),
  );
  app.post(base, write, async (request, reply) =>
    reply.code(201).send(await advice.request(actorOf(request), request.body)),
  );
  app.get(`${base}/:id`, read, (request: WithId) => advice.get(actorOf(request), request.params.id));
  app.post(`${base}/:id/messages`, write, (request: WithId) =>
    advice.message(actorOf(request), request.params.id, request.body),
  );
  app.post(`${base}/:id/close`, write, (request: WithId) =>
    advice.close(actorOf(request), request.params.id, request.body),
  );
  app.get(`${base}/:id/messages/:messageId/attachments/:index`, read, async (request: Download, reply) => {
    const { id, messageId, index } = request.params;
    const file = await advice.attachment(actorOf(request), id, messageId, Number(index));
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('x-content-type-options', 'nosniff')
      .send(file.bytes);
  });
}
