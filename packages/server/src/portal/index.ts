import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import { registerOperations } from '../fhir/operations/registry.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { Platform } from '../http/app.ts';
import { PORTAL_OPERATIONS } from './operations.ts';
import type { PortalCaller } from './transaction.ts';
import { registerWebApp } from './web-app.ts';

export { generateSlots, seedDemoSlots, type SlotOptions } from './slots.ts';
export { WEB_DIST } from './web-app.ts';

export interface PortalOptions {
  /** The ResourceService bound to the caller: pass the same function the FHIR routes use. */
  serviceFor?: (request: FastifyRequest) => ResourceService;
  /** The verified actor of a request; by default `request.actor`, set by the sign-in layer. */
  actorFor?: (request: FastifyRequest) => Actor | undefined;
  /** Folder of the built web app; `false` serves none (API-only tests). */
  webDist?: string | false;
}

/**
 * What the web app and patient portal need from the server: the FHIR operations for booking
 * appointments and ordering repeat prescriptions (./operations.ts, under `/fhir/R4`), and the built
 * web app at `/`.
 *
 * @example
 * await registerPortal(app, platform, { serviceFor: (request) => platform.resources });
 */
export async function registerPortal(
  app: FastifyInstance,
  platform: Platform,
  options: PortalOptions = {},
): Promise<void> {
  const serviceFor = options.serviceFor ?? (() => platform.resources);
  const callerOf = (request: FastifyRequest): PortalCaller => {
    const actor = options.actorFor ? options.actorFor(request) : request.actor;
    return {
      service: serviceFor(request),
      system: platform.resources,
      actor,
      patientId: actor?.kind === 'patient' || actor?.kind === 'related-person' ? actor.patientId : undefined,
    };
  };
  await app.register(
    (fhir, _options, done) => {
      registerOperations(fhir, { callerOf }, PORTAL_OPERATIONS);
      done();
    },
    { prefix: '/fhir/R4' },
  );

  if (options.webDist !== false) {
    await registerWebApp(app, options.webDist);
  }
}
