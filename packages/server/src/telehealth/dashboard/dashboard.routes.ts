/**
 * The team dashboard's HTTP API (under `/api/telehealth/`, Bearer token required): thin handlers
 * that parse, call the service (whose first line is the guard) and answer. Errors are
 * OperationOutcomes with the status derived from the issue code.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../fhir/outcome.ts';
import type { Actor } from '../../access/actor.ts';
import type { AlertService } from './alert.service.ts';
import type { DashboardFilter, DashboardService } from './dashboard.service.ts';
import type { Level } from './readings.ts';

type DashboardRequest = FastifyRequest<{ Querystring: { level?: string; mine?: string; protocol?: string } }>;
type AlertRequest = FastifyRequest<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>;
type PatientRequest = FastifyRequest<{ Params: { id: string }; Querystring: { days?: string } }>;

const isLevel = (value: string): value is Level => value === 'red' || value === 'amber' || value === 'green';

function dashboardFilter(query: DashboardRequest['query']): DashboardFilter {
  const level = query.level
    ? isLevel(query.level)
      ? query.level
      : badRequest('level must be red, amber or green', ['level'])
    : undefined;
  return {
    ...(level ? { level } : {}),
    ...(query.mine === 'true' ? { mine: true } : {}),
    ...(query.protocol ? { protocol: query.protocol } : {}),
  };
}

function days(value: string | undefined): number {
  const parsed = value === undefined ? 90 : Number(value);
  return Number.isInteger(parsed) && parsed >= 1 && parsed <= 365
    ? parsed
    : badRequest('days must be a whole number from 1 to 365', ['days']);
}

export interface DashboardServices {
  actorOf(request: FastifyRequest): Actor | undefined;
  dashboard: DashboardService;
  alerts: AlertService;
}

/** Registers the dashboard, patient view and alert inbox routes. */
export function registerDashboardRoutes(app: FastifyInstance, services: DashboardServices): void {
  const { dashboard, alerts } = services;
  const actor = (request: FastifyRequest) => services.actorOf(request);
  app.get('/api/telehealth/dashboard', async (request: DashboardRequest) => ({
    patients: await dashboard.dashboard(actor(request), dashboardFilter(request.query)),
  }));
  app.get('/api/telehealth/patients/:id', (request: PatientRequest) =>
    dashboard.patient(actor(request), request.params.id, days(request.query.days)),
  );
  app.get('/api/telehealth/alerts', async (request) => ({ alerts: await alerts.list(actor(request)) }));
  app.post('/api/telehealth/alerts/:id/acknowledge', (request: AlertRequest) =>
    alerts.acknowledge(actor(request), request.params.id),
  );
  app.post('/api/telehealth/alerts/:id/notes', (request: AlertRequest) =>
    alerts.addNote(actor(request), request.params.id, request.body ?? {}),
  );
  app.post('/api/telehealth/alerts/:id/call-back', (request: AlertRequest) =>
    alerts.callBack(actor(request), request.params.id, request.body ?? {}),
  );
  app.post('/api/telehealth/alerts/:id/close', (request: AlertRequest) =>
    alerts.close(actor(request), request.params.id, request.body ?? {}),
  );
}
