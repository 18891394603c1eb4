/**
 * The hub's HTTP API under `/api/coordination/` (Bearer token required): thin handlers that call the
 * services, whose first line is the guard. Errors are OperationOutcomes, the status from the issue code.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import type { DirectoryService } from './directory.service.ts';
import type { MdtService } from './mdt.service.ts';
import type { PlanService } from './plan.service.ts';
import type { ReferralService } from './referral.service.ts';

type WithId = FastifyRequest<{ Params: { id: string }; Body: unknown }>;
type Worklist = FastifyRequest<{ Querystring: { status?: string } }>;

export interface CoordinationServices {
  actorOf(request: FastifyRequest): Actor | undefined;
  referrals: ReferralService;
  plans: PlanService;
  meetings: MdtService;
  directory: DirectoryService;
}

export function registerCoordinationRoutes(app: FastifyInstance, s: CoordinationServices): void {
  const actor = (request: FastifyRequest) => s.actorOf(request);
  const base = '/api/coordination';
  app.post(`${base}/referrals`, async (request, reply) =>
    reply.code(201).send(await s.referrals.refer(actor(request), request.body)),
  );
  app.get(`${base}/referrals`, async (request: Worklist) => ({
    referrals: await s.referrals.worklist(actor(request), request.query.status === 'all' ? 'all' : 'requested'),
  }));
  app.post(`${base}/referrals/:id/triage`, (request: WithId) =>
    s.referrals.triage(actor(request), request.params.id, request.body),
  );
  app.get(`${base}/cases`, async (request) => ({ cases: await s.plans.caseList(actor(request)) }));
  app.get(`${base}/cases/:id`, (request: WithId) => s.plans.casePlan(actor(request), request.params.id));
  app.post(`${base}/cases/:id/goals`, (request: WithId) =>
    s.plans.addGoal(actor(request), request.params.id, request.body),
  );
  app.post(`${base}/cases/:id/tasks`, (request: WithId) =>
    s.plans.addTask(actor(request), request.params.id, request.body),
  );
  app.get(`${base}/tasks`, async (request) => ({ tasks: await s.plans.myTasks(actor(request)) }));
  app.post(`${base}/tasks/:id/complete`, (request: WithId) =>
    s.plans.completeTask(actor(request), request.params.id, request.body),
  );
  app.get(`${base}/meetings`, async (request) => ({ meetings: await s.meetings.list(actor(request)) }));
  app.post(`${base}/meetings`, async (request, reply) =>
    reply.code(201).send(await s.meetings.create(actor(request), request.body)),
  );
  app.get(`${base}/meetings/:id`, (request: WithId) => s.meetings.meeting(actor(request), request.params.id));
  app.post(`${base}/meetings/:id/outcomes`, (request: WithId) =>
    s.meetings.recordOutcome(actor(request), request.params.id, request.body),
  );
  app.get(`${base}/directory`, (request) => s.directory.options(actor(request)));
}
