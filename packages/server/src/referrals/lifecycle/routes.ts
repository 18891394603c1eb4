/**
 * The lifecycle's HTTP API under `/api/referrals/` (Bearer token required), for the web app: thin
 * handlers over the service, whose first line is the guard. FHIR clients use the `$operations`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.ts';
import type { ReferralLifecycle } from './referral.service.ts';

type WithId = FastifyRequest<{ Params: { id: string }; Body: unknown }>;

export function registerLifecycleRoutes(
  app: FastifyInstance,
  lifecycle: ReferralLifecycle,
  actorOf: (request: FastifyRequest) => Actor | undefined,
): void {
  const base = '/api/referrals';
  app.post(`${base}/referrals`, async (request, reply) =>
    reply.code(201).send(await lifecycle.draft(actorOf(request), request.body)),
  );
  app.get(`${base}/referrals/:id`, (request: WithId) => lifecycle.get(actorOf(request), request.params.id));
  app.post(`${base}/referrals/:id/shortlist`, (request: WithId) =>
    lifecycle.shortlist(actorOf(request), request.params.id),
  );
  app.post(`${base}/referrals/:id/send`, (request: WithId) =>
    lifecycle.send(actorOf(request), request.params.id, request.body),
  );
  app.post(`${base}/referrals/:id/acknowledge`, (request: WithId) =>
    lifecycle.acknowledge(actorOf(request), request.params.id, request.body),
  );
  app.post(`${base}/tasks/:id/triage`, (request: WithId) =>
    lifecycle.triage(actorOf(request), request.params.id, request.body),
  );
  app.post(`${base}/tasks/:id/book`, (request: WithId) =>
    lifecycle.book(actorOf(request), request.params.id, request.body),
  );
  app.post(`${base}/tasks/:id/attendance`, (request: WithId) =>
    lifecycle.attendance(actorOf(request), request.params.id, request.body),
  );
  app.post(`${base}/tasks/:id/discharge`, (request: WithId) =>
    lifecycle.discharge(actorOf(request), request.params.id, request.body),
  );
}
