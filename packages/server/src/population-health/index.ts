/**
 * Population health (issue 12; docs/RISK-MODEL.md): the emergency-admission risk model, scoring of the
 * whole population (nightly, Europe/London) and of one patient within seconds of news (a reaction),
 * scores as FHIR RiskAssessments, ranked lists for staff (identifiable, by relationship) and
 * commissioners (pseudonymised, by agreement), CSV export and case lists.
 */
import { z } from 'zod';
import { registerOperations } from '../fhir/operations/registry.ts';
import { defineModule } from '../modules/contract.ts';
import { CaseListService } from './lists/case-list.service.ts';
import { registerListRoutes } from './lists/list.routes.ts';
import { RiskListService } from './lists/list.service.ts';
import { POPULATION_HEALTH_MIGRATIONS } from './migrations.ts';
import { DEFAULT_MODEL, PUBLISHED_VERSIONS, publishedModel } from './model/registry.ts';
import { rescoreReaction } from './scoring/reaction.ts';
import { RISK_SCORE } from './scoring/risk-score.operation.ts';
import { ScoringService } from './scoring/scoring.service.ts';
import { seedPopulationHealth } from './seed.ts';

export const SCORING_JOB = 'population-health-score';
/** Used only outside production, so pseudonyms are stable across restarts of a demo. */
const DEMO_PSEUDONYM_KEY = 'careweave-demo-pseudonym-key-not-for-production';

declare module '../modules/contract.ts' {
  interface ModuleServices {
    'population-health': { scoring: ScoringService };
  }
}

export const populationHealthModule = defineModule({
  name: 'population-health',
  title: 'Population health: risk of emergency admission',
  migrations: POPULATION_HEALTH_MIGRATIONS,
  settings: z.object({
    MODEL: z.enum(PUBLISHED_VERSIONS).default(DEFAULT_MODEL),
    PSEUDONYM_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  }),
  setup: (context) => {
    if (context.core.production && !context.settings.PSEUDONYM_KEY) {
      throw new Error('CAREWEAVE_POPULATION_HEALTH_PSEUDONYM_KEY is required in production (32+ characters)');
    }
    const model = () => publishedModel(context.settings.MODEL);
    model(); // fail at start-up, not at the first score, if the model file is missing or wrong
    const scoring = new ScoringService(context.db, context.system);
    const lists = new RiskListService(context, context.settings.PSEUDONYM_KEY ?? DEMO_PSEUDONYM_KEY);
    return {
      provides: { 'population-health': { scoring } },
      fhir: (fhir) =>
        registerOperations(
          fhir,
          {
            actorOf: (request) => context.actorOf(request),
            recordAs: (actor) => context.recordAs(actor),
            scoring,
            model,
          },
          [RISK_SCORE],
        ),
      apiScopes: { read: ['Patient.rs', 'RiskAssessment.rs'], write: ['List.cu'] },
      routes: (app) =>
        registerListRoutes(app, {
          actorOf: (request) => context.actorOf(request),
          lists,
          caseList: new CaseListService(context),
          activeVersion: () => context.settings.MODEL,
          knownVersions: PUBLISHED_VERSIONS,
        }),
      jobs: [
        {
          name: SCORING_JOB,
          // Nightly, after the day's records are in; one run across instances (the queue's schedule).
          schedule: { cron: '30 2 * * *' },
          options: { retryLimit: 1, expireInSeconds: 3_600 },
          handler: async () => {
            const patients = await scoring.refreshHistories();
            const summary = await scoring.scoreAll(model());
            context.log.info({ historiesRefreshed: patients, ...summary }, 'population risk scored');
          },
        },
      ],
      reactions: [rescoreReaction(scoring, model)],
      seed: ({ log }) => seedPopulationHealth(context, scoring, model(), log),
    };
  },
});
