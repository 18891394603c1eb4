/**
 * Local pathways (docs/REFERRALS.md, "Pathways"): `GET /api/referrals/pathways?specialty=&all=`
 * shows the current version of each pathway (or every version, side by side) as the caller may read
 * PlanDefinitions; the write check keeps unapproved guidance out; the demo seed adds the
 * commissioner's pathways.
 */
import type { PlanDefinition } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import { requireStaff } from '../../access/guards.ts';
import type { Actor } from '../../access/actor.ts';
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import { searchAs } from '../lifecycle/vocabulary.ts';
import { currentVersions, PATHWAY_CHECK, pathwaySpecialty, pathwayView, type PathwayView } from './pathway.ts';
import { seedPathways } from './seed.ts';

export class PathwayService {
  private readonly context: Pick<ModuleContext, 'recordAs'>;

  constructor(context: Pick<ModuleContext, 'recordAs'>) {
    this.context = context;
  }

  /** Pathways for a specialty (all specialties when absent): current versions, or every version. */
  async list(actor: Actor | undefined, query: { specialty?: string; all?: boolean }): Promise<PathwayView[]> {
    const staff = requireStaff(actor, { doing: 'read referral pathways', allowSystem: true });
    const plans = await searchAs<PlanDefinition>(this.context.recordAs(staff), 'PlanDefinition', [
      ['type', 'clinical-protocol'],
      ['_count', '500'],
    ]);
    const pathways = plans.filter(
      (p) => pathwaySpecialty(p) && (!query.specialty || pathwaySpecialty(p) === query.specialty),
    );
    const shown = query.all ? pathways : currentVersions(pathways);
    return shown
      .map(pathwayView)
      .sort((a, b) => a.url.localeCompare(b.url) || b.version.localeCompare(a.version, undefined, { numeric: true }));
  }
}

type PathwayQuery = FastifyRequest<{ Querystring: { specialty?: string; all?: string } }>;

export function pathwayParts(context: ModuleContext<unknown>): { service: PathwayService; parts: ModuleParts } {
  const service = new PathwayService(context);
  return {
    service,
    parts: {
      writeChecks: [PATHWAY_CHECK],
      routes: (app) => {
        app.get(
          '/api/referrals/pathways',
          { config: { scopes: ['PlanDefinition.rs'] } },
          async (request: PathwayQuery) => ({
            pathways: await service.list(context.actorOf(request), {
              ...(request.query.specialty ? { specialty: request.query.specialty } : {}),
              all: request.query.all === 'true',
            }),
          }),
        );
      },
      seed: async ({ log }) => {
        const made = await seedPathways(context);
        if (made) {
          log(`Referrals: ${made} pathway versions`);
        }
      },
    },
  };
}
