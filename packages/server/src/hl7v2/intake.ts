/**
 * One HL7 v2 message in, one ACK out. In one transaction: the raw message is kept, a repeat of a
 * control id already seen is answered with the first ACK, the header is checked (AR when the message
 * cannot be taken at all), the sender is matched to an organisation, and the handler registered for
 * the message type applies it as that organisation's feed (AA), or says why it cannot (AE; the
 * message stays on the worklist). The ACK is only returned once all of that is committed.
 */
import type { FastifyBaseLogger } from 'fastify';
import { describeActor } from '../access/audit.ts';
import type { Actor } from '../access/actor.ts';
import type { Database, Queryable } from '../db/database.ts';
import { isOperationOutcomeError } from '../fhir/outcome.ts';
import type { AccessEvent, CallerAccess } from '../fhir/store/hooks.ts';
import { ResourceRepository } from '../fhir/store/resource.repository.ts';
import { ResourceService } from '../fhir/store/resource.service.ts';
import { buildAck, type AckCode } from './ack.ts';
import { nhsNumberOf } from './adt.ts';
import { GroupCommit } from './group-commit.ts';
import type { Hl7v2Config } from './config.ts';
import { Hl7MessageRepository, type MessageOutcome, type ReceivedMessage } from './hl7-message.repository.ts';
import { parseHl7, type Hl7Header, type ParsedMessage } from './message.ts';
import { HL7_ERROR, Hl7ApplicationError, type Hl7ErrorCondition, type Hl7HandlerRegistry } from './registry.ts';
import { SenderDirectory } from './sender.ts';

const READS = new Set<AccessEvent['interaction']>(['read', 'vread', 'search', 'history', 'everything']);

/** Versions whose ADT and ACK this server reads and writes. */
const SUPPORTED_VERSION = /^2\.[3-8](\.\d+)?$/;

export interface Hl7IntakeOptions {
  db: Database;
  /** The unrestricted record; writes are made through a copy bound to the feed's actor. */
  resources: ResourceService;
  /** The platform's access for an actor (policy, write rules and audit). */
  accessFor(actor: Actor): CallerAccess;
  config: Hl7v2Config;
  /** Production refuses training (T) and debugging (D) messages. */
  production: boolean;
  registry: Hl7HandlerRegistry;
  log?: Pick<FastifyBaseLogger, 'error' | 'warn'>;
  /** Lanes and batch size of the group commit (group-commit.ts); the defaults suit a 2-core server. */
  groupCommit?: { lanes?: number; maxBatch?: number };
}

/** A message's outcome, to be recorded on its row before the batch commits. */
type Completion = { id: string; outcome: MessageOutcome };

/** A message waiting for its batch. */
interface Received {
  text: string;
  parsed: ParsedMessage;
}

export interface IntakeResult {
  messageId: string;
  status: MessageOutcome['status'] | 'duplicate';
  ackCode: AckCode;
  ack: string;
}

type Refusal = { condition: Hl7ErrorCondition; reason: string; location?: string };

export class Hl7Intake {
  private readonly registry: Hl7HandlerRegistry;
  private readonly senders: SenderDirectory;

  private readonly options: Hl7IntakeOptions;
  private readonly commits: GroupCommit<Received, IntakeResult>;

  constructor(options: Hl7IntakeOptions) {
    this.options = options;
    this.registry = options.registry;
    // PGlite has one connection: a second lane would only wait for it.
    const lanes = options.db.kind === 'pglite' ? 1 : undefined;
    this.commits = new GroupCommit({
      apply: (messages) => this.applyAll(messages),
      ...(lanes ? { lanes } : {}),
      ...options.groupCommit,
    });
    this.senders = new SenderDirectory({
      ...(options.config.allowedFacilities ? { allowedFacilities: options.config.allowedFacilities } : {}),
    });
  }

  /**
   * Takes one message (an MLLP frame's content) and returns the ACK to send, once committed. Messages
   * received at the same time share a transaction (group-commit.ts); each is still kept, checked and
   * applied on its own, and a handler's failure undoes only that message's writes.
   */
  receive(text: string): Promise<IntakeResult> {
    const parsed = parseHl7(text);
    return this.commits.submit(laneKey(parsed), { text, parsed });
  }

  /** Applies received messages in order in one transaction; their ACKs once it has committed. */
  private applyAll(messages: readonly Received[]): Promise<IntakeResult[]> {
    return this.options.db.transaction(async (tx) => {
      const repository = new Hl7MessageRepository(tx);
      // Outcomes are recorded together at the end of the batch, in one statement.
      const completions: Completion[] = [];
      const results: IntakeResult[] = [];
      for (const message of messages) {
        results.push(await this.applyOne(tx, repository, message, completions));
      }
      await repository.completeMany(completions);
      return results;
    });
  }

  /** One message inside the batch's transaction: claimed by control id (or a repeat), then applied. */
  private async applyOne(
    tx: Queryable,
    repository: Hl7MessageRepository,
    message: Received,
    completions: Completion[],
  ): Promise<IntakeResult> {
    const received = receivedMessage(message.text, message.parsed);
    const id = await repository.claim(received);
    if (id === undefined) {
      // The original may be earlier in this same batch: its outcome is recorded first, so the repeat
      // finds it with its ACK.
      await repository.completeMany(completions.splice(0));
      const original = (await repository.original(received.sendingFacility!, received.controlId!))!;
      const duplicateId = await repository.recordDuplicate(received, original);
      return { messageId: duplicateId, status: 'duplicate', ackCode: original.ackCode!, ack: original.ack };
    }
    const outcome = await this.process(tx, message.parsed);
    completions.push({ id, outcome });
    return { messageId: id, status: outcome.status, ackCode: outcome.ackCode, ack: outcome.ack };
  }

  /** A message over the size limit: kept (its head) and answered AR, unread. */
  async refuseOversized(head: string, bytes: number, limit: number): Promise<IntakeResult> {
    const parsed = parseHl7(head);
    const received = { ...receivedMessage(head, parsed), rawBytes: bytes };
    const reason = `The message is ${bytes} bytes; the limit is ${limit}`;
    const ack = buildAck(parsed.message, 'AR', { condition: HL7_ERROR.internal, text: reason });
    // Not claimed by control id: the head is not the message, and a smaller resend must be read.
    const rows = await this.options.db.query<{ id: string | number }>(
      `insert into hl7_message (sending_application, sending_facility, control_id, message_type, trigger_event,
              version, raw, raw_bytes, status, ack_code, ack, error, processed_at, duplicate_of)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'rejected', 'AR', $9, $10, now(), null)
       returning id`,
      [
        null,
        received.sendingFacility || null,
        null,
        received.messageType || null,
        received.triggerEvent || null,
        received.version || null,
        head.replaceAll('\u0000', '\uFFFD'),
        bytes,
        ack,
        reason,
      ],
    );
    return { messageId: String(rows[0]!.id), status: 'rejected', ackCode: 'AR', ack };
  }

  /**
   * Applies a kept message again (after its patient was registered, its facility added, …), in one
   * transaction with the message's row. The caller has checked `by` may. A message now applied gets
   * AA as the ACK a repeat of it will receive.
   */
  async retry(id: string, by: Actor): Promise<MessageOutcome | undefined> {
    return this.options.db.transaction(async (tx) => {
      const repository = new Hl7MessageRepository(tx);
      const row = await repository.get(id, { forUpdate: true });
      if (!row || (row.status !== 'error' && row.status !== 'rejected')) {
        return undefined;
      }
      const outcome = await this.process(tx, parseHl7(row.raw));
      await repository.complete(id, outcome, describeActor(by));
      return outcome;
    });
  }

  /** Decides the outcome of one message and applies it, inside the caller's transaction. */
  private async process(tx: Queryable, parsed: ParsedMessage): Promise<MessageOutcome> {
    if (!parsed.ok) {
      return reject(parsed, { condition: HL7_ERROR.segmentSequence, reason: parsed.reason, location: parsed.location });
    }
    const refusal = this.checkHeader(parsed.header);
    if (refusal) {
      return reject(parsed, refusal);
    }
    const handler = this.registry.find(parsed.header.messageType)!;
    // In the message's transaction: PGlite has one connection, held by it.
    const match = await this.senders.match(parsed.header, new ResourceService(tx, this.options.resources.options));
    if (!match.ok) {
      return reject(parsed, { condition: HL7_ERROR.unknownKey, reason: match.reason, location: 'MSH-4' });
    }
    const { sender } = match;
    const access = this.options.accessFor(sender.actor);
    // What the feed looked at is audited even when the message fails and its writes are undone.
    const reads: AccessEvent[] = [];
    const recordAccess = access.recordAccess?.bind(access);
    const audited: CallerAccess = recordAccess
      ? {
          ...access,
          recordAccess: async (db, event) => {
            if (READS.has(event.interaction)) {
              reads.push(event);
            }
            await recordAccess(db, event);
          },
        }
      : access;
    const resources = new ResourceService(tx, this.options.resources.options, audited, true);
    await tx.exec('savepoint hl7_apply');
    try {
      const result = await handler.handle({
        message: parsed.message,
        header: parsed.header,
        sender,
        resources,
        timeZone: this.options.config.timeZone,
        lock: (keys) => new ResourceRepository(tx).lock(keys),
      });
      // The handler's last writes may still be queued: sent here, so a database failure of them is
      // caught below (the savepoint rolled back, the message kept with an AE), not by the next message.
      await tx.flush();
      // Not released: a release is a round trip that changes nothing the commit would not. The next
      // message of the batch sets its own (inner) savepoint of the same name, which a rollback finds first.
      return {
        status: 'accepted',
        ackCode: 'AA',
        ack: buildAck(parsed.message, 'AA'),
        resources: result.resources,
        organizationId: sender.organizationId,
        ...(result.patientId ? { patientId: result.patientId } : {}),
      };
    } catch (error) {
      // Nothing the handler wrote stays; the message itself does, with the reason.
      await tx.exec('rollback to savepoint hl7_apply');
      for (const event of reads) {
        await recordAccess!(tx, event);
      }
      const failure = this.failure(error, parsed.header);
      const ackCode = failure.ack;
      return {
        status: ackCode === 'AR' ? 'rejected' : 'error',
        ackCode,
        ack: buildAck(parsed.message, ackCode, {
          condition: failure.condition,
          text: failure.message,
          ...(failure.location ? { location: failure.location } : {}),
        }),
        error: failure.message,
        organizationId: sender.organizationId,
        ...(failure.patientId ? { patientId: failure.patientId } : {}),
      };
    } finally {
      await access.flushRefusals?.();
    }
  }

  /** AR for what this server does not take at all: version, processing id, message type, event. */
  private checkHeader(header: Hl7Header): Refusal | undefined {
    if (!SUPPORTED_VERSION.test(header.version)) {
      return {
        condition: HL7_ERROR.unsupportedVersion,
        reason: `HL7 version '${header.version}' is not supported (2.3 to 2.8 are)`,
        location: 'MSH-12',
      };
    }
    const processing = header.processingId || 'P';
    if (processing !== 'P' && (this.options.production || !['T', 'D'].includes(processing))) {
      return {
        condition: HL7_ERROR.unsupportedProcessingId,
        reason: `Processing id '${processing}' is not accepted by this ${this.options.production ? 'production ' : ''}server`,
        location: 'MSH-11',
      };
    }
    const handler = this.registry.find(header.messageType);
    if (!handler) {
      return {
        condition: HL7_ERROR.unsupportedMessageType,
        reason: `Message type '${header.messageType}' is not handled here (${this.registry.types().join(', ') || 'none'} are)`,
        location: 'MSH-9',
      };
    }
    if (!handler.events.includes(header.triggerEvent)) {
      return {
        condition: HL7_ERROR.unsupportedEvent,
        reason: `${header.messageType} ${header.triggerEvent} is not handled here (${header.messageType} ${handler.events.join(', ')} are)`,
        location: 'MSH-9',
      };
    }
    return undefined;
  }

  /** Why a handler failed, as an HL7 error; anything unexpected is logged and answered AE 207. */
  private failure(error: unknown, header: Hl7Header): Hl7ApplicationError {
    if (error instanceof Hl7ApplicationError) {
      return error;
    }
    if (isOperationOutcomeError(error)) {
      // The record refused what the message would make (an invalid value): the message's content.
      return new Hl7ApplicationError(`The record refused the change: ${error.message}`, {
        condition: HL7_ERROR.internal,
      });
    }
    this.options.log?.error(
      { err: error, controlId: header.controlId, facility: header.facilityCode },
      'an HL7 v2 message could not be applied',
    );
    return new Hl7ApplicationError('The message could not be applied because of an internal error', {
      condition: HL7_ERROR.internal,
    });
  }
}

function reject(parsed: ParsedMessage, refusal: Refusal): MessageOutcome {
  return {
    status: 'rejected',
    ackCode: 'AR',
    ack: buildAck(parsed.message, 'AR', {
      condition: refusal.condition,
      text: refusal.reason,
      ...(refusal.location ? { location: refusal.location } : {}),
    }),
    error: refusal.reason,
  };
}

function receivedMessage(text: string, parsed: ParsedMessage): ReceivedMessage {
  const header: Partial<Hl7Header> = parsed.header;
  return {
    raw: text,
    rawBytes: Buffer.byteLength(text, 'utf8'),
    ...(header.sendingApplication ? { sendingApplication: header.sendingApplication } : {}),
    ...(header.sendingFacility ? { sendingFacility: header.sendingFacility } : {}),
    ...(header.controlId ? { controlId: header.controlId } : {}),
    ...(header.messageType ? { messageType: header.messageType } : {}),
    ...(header.triggerEvent ? { triggerEvent: header.triggerEvent } : {}),
    ...(header.version ? { version: header.version } : {}),
  };
}

/**
 * The lane of a message: its patient, so one patient's messages are applied in the order they
 * arrived whichever connection they came on. The NHS number when PID-3 has one (a visit's A01 and A03
 * may list the patient's other identifiers differently), else PID-3 as sent, else the sender.
 */
function laneKey(parsed: ParsedMessage): string {
  const pid = parsed.message?.getSegment('PID');
  if (!pid) {
    return `MSH|${parsed.header.sendingFacility ?? ''}`;
  }
  try {
    return `NHS|${nhsNumberOf(pid)}`;
  } catch {
    return `PID|${pid.getField(3)?.toString() ?? ''}`;
  }
}
