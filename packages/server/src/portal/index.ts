import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import { FHIR_JSON } from '../fhir/rest/http.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { Platform } from '../http/app.ts';
import { bookAppointment, cancelAppointment } from './appointments.ts';
import { approveRepeat, orderRepeat, rejectRepeat } from './repeats.ts';
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

type Req = FastifyRequest<{ Params: { id: string } }>;

/**
 * What the web app and patient portal need from the server: the FHIR operations for booking
 * appointments and ordering repeat prescriptions (under `/fhir/R4`), and the built web app at `/`.
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
  const base = '/fhir/R4';
  const send = (reply: FastifyReply, resource: unknown, status = 200): FastifyReply =>
    reply.code(status).header('content-type', FHIR_JSON).send(JSON.stringify(resource));

  app.post(`${base}/Appointment/$book`, async (request, reply) =>
    send(reply, await bookAppointment(callerOf(request), request.body), 201),
  );
  app.post(`${base}/Appointment/:id/$cancel`, async (request: Req, reply) =>
    send(reply, await cancelAppointment(callerOf(request), request.params.id, request.body)),
  );
  app.post(`${base}/MedicationRequest/:id/$order-repeat`, async (request: Req, reply) =>
    send(reply, await orderRepeat(callerOf(request), request.params.id, request.body), 201),
  );
  app.post(`${base}/MedicationRequest/:id/$approve`, async (request: Req, reply) =>
    send(reply, await approveRepeat(callerOf(request), request.params.id, request.body), 201),
  );
  app.post(`${base}/MedicationRequest/:id/$reject`, async (request: Req, reply) =>
    send(reply, await rejectRepeat(callerOf(request), request.params.id, request.body)),
  );

  if (options.webDist !== false) {
    await registerWebApp(app, options.webDist);
  }
}
