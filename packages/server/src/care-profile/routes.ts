/**
 * The profile's HTTP API (under `/api/care-profile/`, Bearer token required): thin handlers that
 * call the services, whose first line is the guard. The profile itself is the FHIR operation
 * `Patient/{id}/$care-profile` (operation.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import type { ProfileInputService } from './inputs.service.ts';
import type { SuggestionService } from './suggestions.service.ts';

type IdRequest = FastifyRequest<{ Params: { id: string }; Body: unknown }>;
type EndRequest = FastifyRequest<{ Params: { type: string; id: string } }>;

export interface ProfileRouteServices {
  actorOf(request: FastifyRequest): Actor | undefined;
  inputs: ProfileInputService;
  suggestions: SuggestionService;
}

/** Registers the routes. */
export function registerProfileRoutes(app: FastifyInstance, services: ProfileRouteServices): void {
  const { inputs, suggestions } = services;
  const actor = (request: FastifyRequest) => services.actorOf(request);
  app.post('/api/care-profile/patients/:id/inputs', async (request: IdRequest, reply) =>
    reply.code(201).send(await inputs.record(actor(request), request.params.id, request.body)),
  );
  app.post('/api/care-profile/inputs/:type/:id/end', (request: EndRequest) =>
    inputs.end(actor(request), request.params.type, request.params.id),
  );
  app.get('/api/care-profile/patients/:id/suggestions', async (request: IdRequest) => ({
    suggestions: await suggestions.forPatient(actor(request), request.params.id),
  }));
  app.get('/api/care-profile/my/suggestions', async (request) => ({
    suggestions: await suggestions.mine(actor(request)),
  }));
  app.post('/api/care-profile/suggestions', async (request: IdRequest, reply) =>
    reply.code(201).send(await suggestions.suggest(actor(request), request.body)),
  );
  app.post('/api/care-profile/suggestions/:id/accept', (request: IdRequest) =>
    suggestions.decide(actor(request), request.params.id, true, request.body),
  );
  app.post('/api/care-profile/suggestions/:id/decline', (request: IdRequest) =>
    suggestions.decide(actor(request), request.params.id, false, request.body),
  );
}
