/**
 * HL7 v2 over MLLP (docs/HL7V2.md): the listener, intake (raw message kept, idempotent on the
 * sender's control id, routed by message type), the ADT handler, and the worklist API.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../http/app.ts';
import { adtHandler } from './adt.ts';
import { Hl7Intake } from './intake.ts';
import { createMllpListener, type MllpListener } from './listener.ts';
import { hl7Handlers, type Hl7HandlerRegistry } from './registry.ts';
import { registerHl7v2Routes } from './routes.ts';
import { Hl7Worklist } from './worklist.ts';

export { registerHl7Handler, Hl7ApplicationError, HL7_ERROR } from './registry.ts';
export type { Hl7Handler, Hl7HandlerContext, Hl7HandlerResult, Hl7Sender } from './registry.ts';
export { createMllpListener } from './listener.ts';
export { Hl7Intake } from './intake.ts';

export interface Hl7v2Module {
  intake: Hl7Intake;
  worklist: Hl7Worklist;
  /** Present when CAREWEAVE_MLLP_PORT is set. */
  listener?: MllpListener;
}

/** Intake and worklist over a platform, with ADT registered (tests pass their own registry). */
export function createHl7v2Module(
  platform: Platform,
  options: { registry?: Hl7HandlerRegistry; log?: FastifyInstance['log'] } = {},
): Hl7v2Module {
  const registry = options.registry ?? hl7Handlers;
  registry.register('ADT', adtHandler);
  const intake = new Hl7Intake({
    db: platform.db,
    resources: platform.resources,
    accessFor: (actor) => platform.accessFor(actor),
    config: platform.config.hl7v2,
    production: platform.config.production,
    registry,
    ...(options.log ? { log: options.log } : {}),
  });
  const worklist = new Hl7Worklist({ db: platform.db, intake, audit: platform.access.audit });
  const mllp = platform.config.hl7v2.mllp;
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
  return { intake, worklist, ...(listener ? { listener } : {}) };
}

/**
 * The module in the app: the worklist API, and the MLLP listener started when the app is ready and
 * closed (after the messages in hand are answered) when it closes.
 */
export function registerHl7v2(app: FastifyInstance, platform: Platform): Hl7v2Module {
  const module = createHl7v2Module(platform, { log: app.log });
  app.decorate('hl7v2', module);
  registerHl7v2Routes(app, module.worklist);
  const { listener } = module;
  if (listener) {
    app.addHook('onReady', async () => {
      const address = await listener.start();
      app.log.info(`HL7 v2 MLLP listener on ${address.address}:${address.port}`);
    });
    app.addHook('onClose', async () => listener.close());
  }
  return module;
}
