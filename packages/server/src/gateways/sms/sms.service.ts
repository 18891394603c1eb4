import type { Actor } from '../../access/actor.ts';
import { isSecondaryUse } from '../../access/secondary-use.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { badRequest, fail } from '../../fhir/outcome.ts';
import type { JobQueue, RunningJob } from '../../jobs/queue.ts';
import type { SmsConfig } from './config.ts';
import { PermanentSmsError, type SmsGateway } from './gateway.ts';
import { optKeyword } from './keywords.ts';
import { InvalidPhoneNumber, normalisePhone } from './phone.ts';
import type { InboundSmsHandler, InboundSmsRegistry } from './registry.ts';
import { SmsRepository, type SmsMessage } from './sms.repository.ts';

export const SMS_SEND_QUEUE = 'sms.send';
const OPTED_OUT = 'opted out';
const MAX_BODY = 918; // six concatenated GSM-7 parts: longer texts are a mistake, not a message
const MAX_COUNT = 200;

/** An outbound text, as a module asks for it. */
export interface OutgoingSms {
  /** Any common way of writing the number; UK unless it has a country code. */
  to: string;
  body: string;
  /** What it concerns ('Appointment/123'): how the sender finds it again. */
  reference?: string;
  /** The Organization sending; its staff see the message and whether it failed. */
  senderOrganizationId?: string;
}

/** What became of an inbound text. */
export type InboundOutcome = 'duplicate' | 'opted-out' | 'opted-in' | 'received';

export interface SmsServiceOptions {
  db: Database;
  queue: JobQueue;
  config: SmsConfig;
  gateway: SmsGateway;
  registry: InboundSmsRegistry;
}

/** Who may read messages: every one (system clients) or one organisation's. Throws 401/403 otherwise. */
function readerScope(actor: Actor | undefined): { organizationId?: string } {
  if (!actor) {
    return fail('login', 'Sign in first');
  }
  if (actor.kind === 'system' && !isSecondaryUse(actor)) {
    return {};
  }
  if (actor.kind === 'staff') {
    return { organizationId: actor.organizationId };
  }
  return fail('forbidden', 'Text messages are for staff and systems');
}

/**
 * Sending (queued, then a job per message with retries) and receiving (idempotent on the
 * provider's id; opt-out keywords first, then the modules' handlers).
 */
export class SmsService {
  private readonly options: SmsServiceOptions;
  private gateway: SmsGateway;

  constructor(options: SmsServiceOptions) {
    this.options = options;
    this.gateway = options.gateway;
    options.queue.define<{ messageId: string }>({
      name: SMS_SEND_QUEUE,
      options: {
        retryLimit: options.config.retryLimit,
        retryDelay: options.config.retryDelaySeconds,
        retryBackoff: true,
        retryDelayMax: 3600,
        expireInSeconds: 120,
      },
      handler: (job) => this.deliver(job),
    });
  }

  /**
   * Adds a module's handler for inbound texts (a module's `inboundSms` part); returns a function
   * that removes it (tests). Opt-out keywords never reach it.
   */
  onInbound(handler: InboundSmsHandler): () => void {
    return this.options.registry.on(handler);
  }

  /** Replaces the gateway (tests, with a fake provider client). */
  useGateway(gateway: SmsGateway): void {
    this.gateway = gateway;
  }

  /**
   * Queues a text: the row and its send job are written in `tx` when given (so a rolled-back write
   * sends nothing), else in a transaction of their own. An invalid number is a 400; a number that
   * texted STOP gets a row marked failed, "opted out", and no job.
   */
  async queueSms(sms: OutgoingSms, options: { tx?: Queryable } = {}): Promise<SmsMessage> {
    let phone: string;
    try {
      phone = normalisePhone(sms.to);
    } catch (error) {
      return badRequest(error instanceof InvalidPhoneNumber ? error.message : 'The phone number is invalid', ['to']);
    }
    if (!sms.body.trim() || sms.body.length > MAX_BODY) {
      return badRequest(`A text message must have 1 to ${MAX_BODY} characters`, ['body']);
    }
    const work = async (tx: Queryable): Promise<SmsMessage> => {
      const repository = new SmsRepository(tx);
      const optedOut = await repository.optedOut(phone);
      const message = await repository.insertOutbound({
        phone,
        body: sms.body,
        provider: this.gateway.name,
        status: optedOut ? 'failed' : 'queued',
        ...(optedOut ? { error: OPTED_OUT } : {}),
        ...(sms.reference !== undefined ? { reference: sms.reference } : {}),
        ...(sms.senderOrganizationId !== undefined ? { senderOrganizationId: sms.senderOrganizationId } : {}),
      });
      if (!optedOut) {
        await this.options.queue.send(SMS_SEND_QUEUE, { messageId: message.id }, { tx });
      }
      return message;
    };
    return options.tx ? work(options.tx) : this.options.db.transaction(work);
  }

  /** The send job: one attempt; a failure worth retrying is thrown, a final one is recorded. */
  async deliver(job: RunningJob<{ messageId: string }>): Promise<void> {
    const repository = new SmsRepository(this.options.db);
    const message = await repository.find(job.data.messageId);
    if (message?.status !== 'queued') {
      return; // sent by an earlier attempt, or gone
    }
    // STOP may have arrived since the message was queued.
    if (await repository.optedOut(message.phone)) {
      return repository.update(message.id, { status: 'failed', error: OPTED_OUT });
    }
    try {
      const sent = await this.gateway.send(message.phone, message.body, message.id);
      await repository.update(message.id, {
        status: 'sent',
        providerMessageId: sent.providerId,
        provider: this.gateway.name,
        attempt: true,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'the message could not be sent';
      const final = error instanceof PermanentSmsError || job.lastAttempt;
      await repository.update(message.id, { status: final ? 'failed' : 'queued', error: reason, attempt: true });
      if (!final) {
        throw error;
      }
    }
  }

  /**
   * Stores an inbound text once per provider message id, honours STOP/START, and hands anything
   * else to the modules, all in one transaction.
   */
  async receive(inbound: {
    provider: string;
    providerMessageId: string;
    from: string;
    body: string;
  }): Promise<InboundOutcome> {
    return this.options.db.transaction(async (tx) => {
      const repository = new SmsRepository(tx);
      const stored = await repository.insertInbound({
        phone: inbound.from,
        body: inbound.body,
        provider: inbound.provider,
        providerMessageId: inbound.providerMessageId,
      });
      if (!stored) {
        return 'duplicate';
      }
      const keyword = optKeyword(inbound.body);
      if (keyword === 'opt-out') {
        await repository.optOut(inbound.from, inbound.provider);
        return 'opted-out';
      }
      if (keyword === 'opt-in') {
        await repository.optIn(inbound.from);
        return 'opted-in';
      }
      await this.options.registry.dispatch(
        { id: stored.id, from: stored.phone, body: stored.body, provider: stored.provider },
        tx,
      );
      return 'received';
    });
  }

  /** A delivery receipt; false when it names no message of ours. */
  receipt(
    provider: string,
    providerMessageId: string,
    reference: string | undefined,
    outcome: { delivered: true } | { delivered: false; reason: string },
  ): Promise<boolean> {
    return new SmsRepository(this.options.db).receipt(
      provider,
      providerMessageId,
      reference,
      outcome.delivered ? 'delivered' : 'failed',
      outcome.delivered ? null : outcome.reason,
    );
  }

  /**
   * Messages by reference or phone, newest first: all for system clients, their organisation's for
   * staff (and, on the loopback gateway, the simulated replies from the phone they asked for).
   */
  async list(actor: Actor | undefined, query: { reference?: string; phone?: string; _count?: string }) {
    const scope = readerScope(actor);
    const count = query._count === undefined ? 50 : Number(query._count);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      return badRequest(`_count must be 1 to ${MAX_COUNT}`);
    }
    let phone: string | undefined;
    try {
      phone = query.phone === undefined ? undefined : normalisePhone(query.phone);
    } catch (error) {
      return badRequest((error as Error).message, ['phone']);
    }
    // The demo's phone simulator: on the loopback gateway, staff looking up one number also see the
    // replies simulated from it (provider 'loopback' only; replies through a real provider stay hidden).
    const simulatedReplies =
      phone !== undefined && scope.organizationId !== undefined && this.gateway.name === 'loopback';
    const messages = await new SmsRepository(this.options.db).list({
      count,
      ...(query.reference !== undefined ? { reference: query.reference } : {}),
      ...(phone !== undefined ? { phone } : {}),
      ...(scope.organizationId !== undefined ? { senderOrganizationId: scope.organizationId } : {}),
      ...(simulatedReplies ? { inboundProvider: 'loopback' } : {}),
    });
    return { messages };
  }

  /** The demo's patient phone: a reply as if it came through a provider (loopback gateway only). */
  async simulateInbound(actor: Actor | undefined, body: { from?: unknown; body?: unknown; id?: unknown }) {
    readerScope(actor);
    if (this.gateway.name !== 'loopback') {
      return fail('not-found', 'Simulated replies are only taken when CAREWEAVE_SMS_GATEWAY=loopback');
    }
    if (typeof body.from !== 'string' || typeof body.body !== 'string' || !body.body.trim()) {
      return badRequest('Send { "from": "<phone number>", "body": "<text>" }');
    }
    let from: string;
    try {
      from = normalisePhone(body.from);
    } catch (error) {
      return badRequest((error as Error).message, ['from']);
    }
    const providerMessageId = typeof body.id === 'string' && body.id ? body.id : crypto.randomUUID();
    const outcome = await this.receive({ provider: 'loopback', providerMessageId, from, body: body.body });
    return { outcome, providerMessageId };
  }
}
