/**
 * Referral analytics and practice benchmarking (docs/REFERRALS.md, "Analytics"): the commissioner's
 * and each practice's measures, funnel plots against the area, CSV, and the demo referral history
 * that makes them meaningful.
 */
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import { ReferralAnalytics } from './analytics.service.ts';
import { seedReferralActivity } from './history-seed.ts';
import { registerAnalyticsRoutes } from './routes.ts';

export function analyticsParts(context: ModuleContext<unknown>): ModuleParts {
  const analytics = new ReferralAnalytics(context);
  return {
    routes: (app) => registerAnalyticsRoutes(app, analytics, (request) => context.actorOf(request)),
    seed: async ({ seed, log }) => {
      const made = await seedReferralActivity(context, seed);
      if (made) {
        log(`Referrals: ${made}`);
      }
    },
  };
}
