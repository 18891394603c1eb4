/**
 * Worklists (docs/REFERRALS.md, "Worklists"): `GET /api/referrals/worklists/{name}` with `side`
 * (referrer | provider; by default from the caller's organisation), `priority`, `specialty`, `patient`;
 * `GET /api/referrals/slot-issues/summary` for commissioners (counts per service, no patients).
 */
import type { FastifyRequest } from 'fastify';
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import { WorklistService } from './worklist.service.ts';

type ListRequest = FastifyRequest<{
  Params: { name: string };
  Querystring: { side?: string; priority?: string; specialty?: string; patient?: string };
}>;

export function worklistParts(context: ModuleContext<unknown>): ModuleParts {
  const service = new WorklistService(context);
  return {
    routes: (app) => {
      app.get('/api/referrals/worklists/:name', async (request: ListRequest) => {
        const { side, priority, specialty, patient } = request.query;
        return {
          worklist: request.params.name,
          items: await service.list(context.actorOf(request), request.params.name, {
            ...(side === 'referrer' || side === 'provider' ? { side } : {}),
            ...(priority ? { priority } : {}),
            ...(specialty ? { specialty } : {}),
            ...(patient ? { patientId: patient } : {}),
          }),
        };
      });
      app.get('/api/referrals/slot-issues/summary', async (request) => ({
        services: await service.slotIssueCounts(context.actorOf(request)),
      }));
    },
  };
}
