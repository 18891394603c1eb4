/**
 * The telehealth team dashboard (docs/TELEHEALTH.md, "Team dashboard"): its routes, and what its
 * `CarePlan/$telehealth-summary` operation needs, both set up from the module's context.
 */
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/contract.ts';
import { AlertService } from './alert.service.ts';
import { registerDashboardRoutes } from './dashboard.routes.ts';
import { DashboardService } from './dashboard.service.ts';
import type { SummaryDeps } from './summary.operation.ts';
import { SummaryService } from './summary.service.ts';

export { TELEHEALTH_SUMMARY } from './summary.operation.ts';

/**
 * The dependencies of the module's operations for the summary.
 *
 * @example
 * fhir: (fhir) => registerOperations(fhir, dashboardDeps(context), [TRY_REPLY, TELEHEALTH_SUMMARY]),
 */
export function dashboardDeps(context: ModuleContext): SummaryDeps {
  return { summary: new SummaryService(context), actorOf: (request) => context.actorOf(request) };
}

/** Registers the dashboard, patient view and alert inbox under `/api/telehealth/`. */
export function registerTeamDashboard(app: FastifyInstance, context: ModuleContext): void {
  registerDashboardRoutes(app, {
    actorOf: (request) => context.actorOf(request),
    dashboard: new DashboardService(context),
    alerts: new AlertService(context),
  });
}
