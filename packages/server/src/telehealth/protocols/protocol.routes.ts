import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireActor } from '../../access/guards.ts';
import { fail } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { PROTOCOL_LIBRARY } from './library/index.ts';
import { planDefinitionId } from './plan-definition.ts';

/**
 * The protocol library as JSON (exportable data): `GET /api/telehealth/protocols` lists them and
 * `GET /api/telehealth/protocols/{id}` is one protocol, exactly as the service runs it. Any signed-in
 * user may read them: they hold no patient data.
 */
export function registerProtocolRoutes(app: FastifyInstance, context: ModuleContext): void {
  app.get('/api/telehealth/protocols', (request) => {
    requireActor(context.actorOf(request));
    return Promise.resolve({
      protocols: PROTOCOL_LIBRARY.map((protocol) => ({
        id: protocol.id,
        version: protocol.version,
        title: protocol.title,
        purpose: protocol.purpose,
        guideline: protocol.guideline,
        planDefinition: `PlanDefinition/${planDefinitionId(protocol)}`,
      })),
    });
  });
  app.get('/api/telehealth/protocols/:id', (request: FastifyRequest<{ Params: { id: string } }>) => {
    requireActor(context.actorOf(request));
    const protocol = PROTOCOL_LIBRARY.find((p) => p.id === request.params.id);
    return Promise.resolve(protocol ?? fail('not-found', `No telehealth protocol '${request.params.id}'`));
  });
}
