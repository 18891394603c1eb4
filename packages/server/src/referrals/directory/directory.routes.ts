/**
 * The directory's HTTP API under `/api/referrals/` (Bearer token required): thin handlers over the
 * directory service, whose first line is the guard. Errors are OperationOutcomes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.ts';
import { requireActor } from '../../access/guards.ts';
import type { ReferralDirectory, ServiceQuery } from './types.ts';

type Services = FastifyRequest<{
  Querystring: { specialty?: string; patient?: string; priority?: string; clinicType?: string; limit?: string };
}>;
type Slots = FastifyRequest<{ Params: { id: string }; Querystring: { from?: string; to?: string; limit?: string } }>;

export interface DirectoryRouteDeps {
  directory: ReferralDirectory;
  actorOf(request: FastifyRequest): Actor | undefined;
}

export function registerDirectoryRoutes(app: FastifyInstance, deps: DirectoryRouteDeps): void {
  const base = '/api/referrals';
  app.get(
    `${base}/services`,
    { config: { scopes: ['HealthcareService.rs', 'Schedule.rs', 'Patient.r'] } },
    async (request: Services) => ({
      services: await deps.directory.search(requireActor(deps.actorOf(request)), {
        specialty: request.query.specialty ?? '',
        patientId: request.query.patient?.replace(/^Patient\//, '') || undefined,
        priority: request.query.priority as ServiceQuery['priority'],
        clinicType: request.query.clinicType || undefined,
        limit: request.query.limit ? Number(request.query.limit) : undefined,
      }),
    }),
  );
  app.get(`${base}/services/:id/slots`, async (request: Slots) => ({
    slots: await deps.directory.freeSlots(requireActor(deps.actorOf(request)), request.params.id, {
      from: request.query.from,
      to: request.query.to,
      limit: request.query.limit ? Number(request.query.limit) : undefined,
    }),
  }));
}
