/**
 * The risk lists' HTTP API (under `/api/population-health/`, Bearer token required): thin handlers
 * that parse, call the service (whose first line is the guard) and answer. Errors are OperationOutcomes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../access/actor.ts';
import { invalidInput } from '../../fhir/outcome.ts';
import type { CaseListService } from './case-list.service.ts';
import { riskListCsv } from './csv.ts';
import { listFilters, type ListFilters } from './filters.ts';
import type { RiskList, RiskListService } from './list.service.ts';

export interface ListRouteServices {
  actorOf(request: FastifyRequest): Actor | undefined;
  lists: RiskListService;
  caseList: CaseListService;
  /** The model version lists show unless a request names another. */
  activeVersion(): string;
  knownVersions: readonly string[];
}

const caseListInput = z
  .object({
    patientId: z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'a Patient id'),
    reason: z.string().max(200).optional(),
  })
  .strict();

type ListRequest = FastifyRequest<{ Querystring: Record<string, string> }>;

// The case list is the care coordination hub's caseload and referrals (docs/COORDINATION.md): what it
// reads and writes, for the token's SMART scopes (src/modules/api-scopes.ts).
const CASE_LIST_READ = [
  'Patient.rs',
  'ServiceRequest.s',
  'CareTeam.s',
  'CarePlan.s',
  'Task.s',
  'RiskAssessment.s',
] as const;
const CASE_LIST_WRITE = [...CASE_LIST_READ, 'ServiceRequest.cu', 'Task.cu', 'CareTeam.cu', 'CarePlan.cu'] as const;

function parse(services: ListRouteServices, query: Record<string, string>): { filters: ListFilters; version: string } {
  const parsed = listFilters.safeParse(query);
  if (!parsed.success) {
    throw invalidInput(parsed.error);
  }
  const version = parsed.data.version ?? services.activeVersion();
  if (!services.knownVersions.includes(version)) {
    throw invalidInput({
      issues: [{ path: ['version'], message: `is not a published model (${services.knownVersions.join(', ')})` }],
    });
  }
  return { filters: parsed.data, version };
}

function sendCsv(reply: FastifyReply, list: RiskList): string {
  const day = new Date().toISOString().slice(0, 10);
  void reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="risk-list-${list.mode}-${day}.csv"`)
    .header('cache-control', 'no-store');
  return riskListCsv(list);
}

export function registerListRoutes(app: FastifyInstance, services: ListRouteServices): void {
  const actor = (request: FastifyRequest) => services.actorOf(request);
  const identifiable = (request: ListRequest) => {
    const { filters, version } = parse(services, request.query);
    return services.lists.identifiable(actor(request), version, filters);
  };
  const pseudonymised = (request: ListRequest) => {
    const { filters, version } = parse(services, request.query);
    return services.lists.pseudonymised(actor(request), version, filters);
  };
  app.get('/api/population-health/risk-list', identifiable);
  app.get('/api/population-health/risk-list.csv', async (request: ListRequest, reply) =>
    sendCsv(
      reply,
      await identifiable({ ...request, query: { ...request.query, pageSize: request.query.pageSize ?? '500' } }),
    ),
  );
  app.get('/api/population-health/pseudonymised-list', pseudonymised);
  app.get('/api/population-health/pseudonymised-list.csv', async (request: ListRequest, reply) =>
    sendCsv(
      reply,
      await pseudonymised({ ...request, query: { ...request.query, pageSize: request.query.pageSize ?? '500' } }),
    ),
  );
  app.get('/api/population-health/case-list', { config: { scopes: CASE_LIST_READ } }, async (request) => ({
    entries: await services.caseList.entries(actor(request)),
  }));
  app.post(
    '/api/population-health/case-list',
    { config: { scopes: CASE_LIST_WRITE } },
    async (request: FastifyRequest<{ Body: unknown }>) => {
      const parsed = caseListInput.safeParse(request.body ?? {});
      if (!parsed.success) {
        throw invalidInput(parsed.error);
      }
      // { outcome: 'caseload' | 'referred', already, entries }: on the caller's caseload, or referred to the SPA.
      return services.caseList.add(actor(request), parsed.data.patientId, parsed.data.reason);
    },
  );
  app.delete(
    '/api/population-health/case-list/:patientId',
    { config: { scopes: CASE_LIST_WRITE } },
    async (request: FastifyRequest<{ Params: { patientId: string } }>) => ({
      entries: await services.caseList.remove(actor(request), request.params.patientId),
    }),
  );
}
