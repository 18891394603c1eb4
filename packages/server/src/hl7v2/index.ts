/**
 * HL7 v2 over MLLP (docs/HL7V2.md): the listener, intake (raw message kept, idempotent on the
 * sender's control id, routed by message type), the ADT handler, and the worklist API. A platform
 * module: other modules add handlers through their `hl7` part (`{ ORU: resultsHandler }`).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Actor } from '../access/actor.ts';
import type { AuditLog } from '../access/audit.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { defineModule } from '../modules/contract.ts';
import { adtHandler } from './adt.ts';
import { Hl7Intake } from './intake.ts';
import { createMllpListener, type MllpListener } from './listener.ts';
import { Hl7HandlerRegistry } from './registry.ts';
import { registerHl7v2Routes } from './routes.ts';
import { Hl7Worklist } from './worklist.ts';

export { Hl7ApplicationError, HL7_ERROR, Hl7HandlerRegistry } from './registry.ts';
export type { Hl7Handler, Hl7HandlerContext, Hl7HandlerResult, Hl7Sender } from './registry.ts';
export { createMllpListener } from './listener.ts';
export { Hl7Intake } from './intake.ts';

export interface Hl7v2Services {
  /** Handlers by message type; modules register theirs through their `hl7` part. */
  handlers: Hl7HandlerRegistry;
  intake: Hl7Intake;
  worklist: Hl7Worklist;
  /** Present when CAREWEAVE_MLLP_PORT is set. */
  listener?: MllpListener;
}

declare module '../modules/contract.ts' {
  interface ModuleServices {
    hl7v2: Hl7v2Services;
  }
}

/** What HL7 v2 intake needs from the platform. */
export interface Hl7v2Deps {
  db: Database;
  resources: ResourceService;
  accessFor(actor: Actor): CallerAccess;
  audit: Pick<AuditLog, 'record'>;
  config: Pick<Config, 'hl7v2' | 'production'>;
}

/** Intake, worklist and (when configured) the listener; tests pass their own registry. */
export function createHl7v2Services(
  deps: Hl7v2Deps,
  options: { registry?: Hl7HandlerRegistry; log?: FastifyBaseLogger } = {},
): Hl7v2Services {
  const handlers = options.registry ?? new Hl7HandlerRegistry();
  const intake = new Hl7Intake({
    db: deps.db,
    resources: deps.resources,
    accessFor: (actor) => deps.accessFor(actor),
    config: deps.config.hl7v2,
    production: deps.config.production,
    registry: handlers,
    ...(options.log ? { log: options.log } : {}),
  });
  const worklist = new Hl7Worklist({ db: deps.db, intake, audit: deps.audit as AuditLog });
  const mllp = deps.config.hl7v2.mllp;
  const listener = mllp
    ? createMllpListener(
        mllp,
        {
          message: async (text) => (await intake.receive(text)).ack,
          oversized: async (head, bytes) => (await intake.refuseOversized(head, bytes, mllp.maxMessageBytes)).ack,
        },
        options.log,
      )
    : undefined;
  return { handlers, intake, worklist, ...(listener ? { listener } : {}) };
}

/**
 * The module: ADT into the record, the worklist API under /api/hl7v2, and the MLLP listener started
 * when the app is ready and closed (after the messages in hand are answered) when it closes.
 */
export const hl7v2Module = defineModule({
  name: 'hl7v2',
  title: 'HL7 v2 over MLLP',
  setup: (context) => {
    const services = createHl7v2Services(
      { ...context, resources: context.system, config: context.config },
      { log: context.log },
    );
    const { listener } = services;
    return {
      provides: { hl7v2: services },
      hl7: { ADT: adtHandler },
      // The message worklist holds patients' details as the messages carried them.
      apiScopes: { read: ['Patient.rs', 'Encounter.rs'], write: ['Patient.cu', 'Encounter.cu'] },
      routes: (app) => registerHl7v2Routes(app, services.worklist),
      start: async () => {
        if (listener) {
          const address = await listener.start();
          context.log.info(`HL7 v2 MLLP listener on ${address.address}:${address.port}`);
        }
      },
      stop: async () => listener?.close(),
    };
  },
});
