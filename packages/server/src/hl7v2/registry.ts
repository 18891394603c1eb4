/**
 * Which module handles which HL7 v2 message type. Intake (intake.ts) routes each message by MSH-9.1
 * to the handler registered for it; a module adds one with `registerHl7Handler('ORU', handler)`.
 */
import type { Hl7Message } from '@medplum/core';
import type { SystemActor } from '../access/actor.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { Hl7Header } from './message.ts';

/** HL7 table 0357, message error condition codes (ERR-3). */
export const HL7_ERROR = {
  segmentSequence: { code: '100', text: 'Segment sequence error' },
  requiredFieldMissing: { code: '101', text: 'Required field missing' },
  dataType: { code: '102', text: 'Data type error' },
  tableValueNotFound: { code: '103', text: 'Table value not found' },
  unsupportedMessageType: { code: '200', text: 'Unsupported message type' },
  unsupportedEvent: { code: '201', text: 'Unsupported event code' },
  unsupportedProcessingId: { code: '202', text: 'Unsupported processing id' },
  unsupportedVersion: { code: '203', text: 'Unsupported version id' },
  unknownKey: { code: '204', text: 'Unknown key identifier' },
  duplicateKey: { code: '205', text: 'Duplicate key identifier' },
  recordLocked: { code: '206', text: 'Application record locked' },
  internal: { code: '207', text: 'Application internal error' },
} as const;

export type Hl7ErrorCondition = (typeof HL7_ERROR)[keyof typeof HL7_ERROR];

/**
 * A message that cannot be applied, and why. `ack` AE (the default): well formed, but the record
 * cannot take it now (an unknown patient); kept on the worklist to be retried. AR: the message
 * itself is unacceptable (a required segment missing).
 */
export class Hl7ApplicationError extends Error {
  readonly condition: Hl7ErrorCondition;
  /** Where in the message, e.g. `PID-3` or `PV1-19`. */
  readonly location?: string;
  readonly ack: 'AE' | 'AR';
  /** The patient the message was matched to before it failed (labels the worklist row). */
  readonly patientId?: string;

  constructor(
    reason: string,
    options: { condition?: Hl7ErrorCondition; location?: string; ack?: 'AE' | 'AR'; patientId?: string } = {},
  ) {
    super(reason);
    this.condition = options.condition ?? HL7_ERROR.internal;
    this.location = options.location;
    this.ack = options.ack ?? 'AE';
    this.patientId = options.patientId;
  }
}

/** The organisation a message comes from, and the system actor its writes are made as. */
export interface Hl7Sender {
  organizationId: string;
  /** The MSH-4 facility code it was matched by. */
  facility: string;
  name?: string;
  /** `HL7 feed from {facility}`: what the audit trail shows for everything the feed does. */
  actor: SystemActor;
}

export interface Hl7HandlerContext {
  message: Hl7Message;
  header: Hl7Header;
  sender: Hl7Sender;
  /**
   * The record as the sender's system actor sees it, inside the message's transaction: every read
   * and write goes through the access policy and into the audit trail as that actor.
   */
  resources: ResourceService;
  /** Time zone of date/times sent without an offset. */
  timeZone: string;
  /**
   * Serialises work on the same keys across connections and processes until the message's
   * transaction ends (PostgreSQL advisory locks, as the FHIR store's conditional interactions use:
   * `conditional:Encounter?identifier=…` also waits for a FHIR conditional update of that query).
   */
  lock(keys: readonly string[]): Promise<void>;
}

export interface Hl7HandlerResult {
  /** What was written, as `Type/id`. */
  resources: string[];
  /** The patient the message was about, when known. */
  patientId?: string;
}

export interface Hl7Handler {
  /** Trigger events (MSH-9.2) handled; any other event of the type is answered AR 201. */
  events: readonly string[];
  /** Applies the message; throws Hl7ApplicationError to answer AE (or AR) with a reason. */
  handle(context: Hl7HandlerContext): Promise<Hl7HandlerResult>;
}

/** Handlers by message type (MSH-9.1). */
export class Hl7HandlerRegistry {
  private readonly handlers = new Map<string, Hl7Handler>();

  /** Registering the same handler again is a no-op; a different one for a taken type is an error. */
  register(messageType: string, handler: Hl7Handler): void {
    const existing = this.handlers.get(messageType);
    if (existing && existing !== handler) {
      throw new Error(`An HL7 v2 handler for ${messageType} is already registered`);
    }
    this.handlers.set(messageType, handler);
  }

  find(messageType: string): Hl7Handler | undefined {
    return this.handlers.get(messageType);
  }

  /** Message types handled, for documentation and errors. */
  types(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
