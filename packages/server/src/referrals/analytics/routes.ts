/**
 * `GET /api/referrals/analytics/dashboard` and `…/dashboard.csv` (docs/REFERRALS.md, "Analytics"):
 * thin handlers that parse the filters, call the service (whose first step is the guard) and answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../access/actor.ts';
import { invalidInput } from '../../fhir/outcome.ts';
import type { ScopeNeed } from '../../modules/api-scopes.ts';
import type { AnalyticsFilters, ReferralAnalytics } from './analytics.service.ts';
import { dashboardCsv } from './csv.ts';

const MONTH = /^(20\d\d)-(0[1-9]|1[0-2])$/;
const READ: readonly ScopeNeed[] = ['ServiceRequest.s', 'Task.s', 'Patient.s'];

/** The last 12 months, this one included. */
function defaultPeriod(now = new Date()): { from: string; to: string } {
  const month = (d: Date) => d.toISOString().slice(0, 7);
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return { from: month(start), to: month(now) };
}

const filterSchema = z
  .object({
    from: z.string().regex(MONTH, 'a month, YYYY-MM').optional(),
    to: z.string().regex(MONTH, 'a month, YYYY-MM').optional(),
    specialty: z
      .string()
      .regex(/^[a-z][a-z-]{1,40}$/, 'a specialty code')
      .optional(),
    practice: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,64}$/, 'an Organization id')
      .optional(),
  })
  .strict();

export function parseFilters(query: unknown, now = new Date()): AnalyticsFilters {
  const parsed = filterSchema.safeParse(query ?? {});
  if (!parsed.success) {
    throw invalidInput(parsed.error);
  }
  const period = defaultPeriod(now);
  const from = parsed.data.from ?? (parsed.data.to && parsed.data.to < period.from ? parsed.data.to : period.from);
  const to = parsed.data.to ?? period.to;
  const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5)) - Number(from.slice(5));
  if (months < 0 || months > 59) {
    throw invalidInput({ issues: [{ path: ['to'], message: 'must be from 0 to 59 months after from' }] });
  }
  const { specialty, practice } = parsed.data;
  return { from, to, ...(specialty ? { specialty } : {}), ...(practice ? { practice } : {}) };
}

type Request = FastifyRequest<{ Querystring: Record<string, string> }>;

export function registerAnalyticsRoutes(
  app: FastifyInstance,
  analytics: ReferralAnalytics,
  actorOf: (request: FastifyRequest) => Actor | undefined,
): void {
  const options = { config: { scopes: READ } };
  app.get('/api/referrals/analytics/dashboard', options, (request: Request) =>
    analytics.dashboard(actorOf(request), parseFilters(request.query)),
  );
  app.get('/api/referrals/analytics/dashboard.csv', options, async (request: Request, reply) => {
    const filters = parseFilters(request.query);
    const dashboard = await analytics.dashboard(actorOf(request), filters);
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="referral-analytics-${filters.from}-to-${filters.to}.csv"`)
      .header('cache-control', 'no-store');
    return dashboardCsv(dashboard);
  });
}
