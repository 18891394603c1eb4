import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireActor } from '../../access/guards.ts';
import { badRequest, fail } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import type { ProtocolAuthoring } from './authoring.service.ts';
import { planDefinitionId } from './plan-definition.ts';
import type { ProtocolRegistry } from './registry.ts';

type OneRequest = FastifyRequest<{ Params: { id: string }; Querystring: { version?: string } }>;

/**
 * The protocols as JSON (exportable data): `GET /api/telehealth/protocols` lists each protocol's latest
 * version (the library's and clinical authors'), `GET /api/telehealth/protocols/{id}[?version=n]` is one
 * version exactly as the service runs it, and `POST /api/telehealth/protocols` publishes the next
 * version of a protocol (clinicians and nurses; enrolled patients stay on their version until reviewed).
 * Any signed-in user may read them: they hold no patient data.
 */
export function registerProtocolRoutes(
  app: FastifyInstance,
  context: ModuleContext,
  registry: ProtocolRegistry,
  authoring: ProtocolAuthoring,
): void {
  app.get('/api/telehealth/protocols', { config: { scopes: ['PlanDefinition.rs'] } }, async (request) => {
    requireActor(context.actorOf(request));
    const listed = await registry.list(context.system);
    return {
      protocols: listed.map(({ protocol, source, versions }) => ({
        id: protocol.id,
        version: protocol.version,
        versions,
        source,
        title: protocol.title,
        purpose: protocol.purpose,
        guideline: protocol.guideline,
        planDefinition: `PlanDefinition/${planDefinitionId(protocol)}`,
      })),
    };
  });
  app.get(
    '/api/telehealth/protocols/:id',
    { config: { scopes: ['PlanDefinition.rs'] } },
    async (request: OneRequest) => {
      requireActor(context.actorOf(request));
      const { id } = request.params;
      const version = request.query.version;
      if (version !== undefined && !/^[1-9]\d{0,4}$/.test(version)) {
        return badRequest('version must be a whole number', ['version']);
      }
      const protocol = version
        ? await registry.find(context.system, id, Number(version))
        : (await registry.latest(context.system, id))?.protocol;
      return protocol ?? fail('not-found', `No telehealth protocol '${id}'${version ? ` version ${version}` : ''}`);
    },
  );
  app.post('/api/telehealth/protocols', { config: { scopes: ['PlanDefinition.c'] } }, async (request, reply) => {
    const published = await authoring.publish(context.actorOf(request), request.body);
    return reply.code(201).send(published);
  });
}
