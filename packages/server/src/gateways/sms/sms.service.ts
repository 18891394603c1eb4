import type { Actor } from '../../access/actor.ts';
import { isSecondaryUse } from '../../access/secondary-use.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { badRequest, fail } from '../../fhir/outcome.ts';
import type { BatchFailures, JobQueue, RunningJob } from '../../jobs/queue.ts';
import type { SmsConfig } from './config.ts';
import { PermanentSmsError, type SmsGateway } from './gateway.ts';
import { isReplyWord, optKeyword } from './keywords.ts';
import { InvalidPhoneNumber, normalisePhone } from './phone.ts';
import type {
  InboundSms,
  InboundSmsHandler,
  InboundSmsRegistry,
  OptChangeListener,
  ReplyWordClaimer,
} from './registry.ts';
import { SmsRepository, type SmsChange, type SmsMessage } from './sms.repository.ts';

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

/** The answer to a text no module claims: says nothing about anyone, points to the practice. */
export const UNCLAIMED_TEXT =
  'Sorry, this number is not linked to a CareWeave service. If you expected texts from your care team, please ' +
  'contact your GP practice.';

/** Texts a send job takes at once: sent together, recorded in one statement. */
const SEND_BATCH = 25;

interface SendJob {
  messageId: string;
}

/** A text `queueMany` queued (or recorded as opted out), or one it refused and why. */
export type QueuedSms = { message: SmsMessage } | { invalid: string; field: 'to' | 'body'; sms: OutgoingSms };

function checkOutgoing(
  sms: OutgoingSms,
): { sms: OutgoingSms; phone: string } | Extract<QueuedSms, { invalid: string }> {
  let phone: string;
  try {
    phone = normalisePhone(sms.to);
  } catch (error) {
    const invalid = error instanceof InvalidPhoneNumber ? error.message : 'The phone number is invalid';
    return { invalid, field: 'to', sms };
  }
  if (!sms.body.trim() || sms.body.length > MAX_BODY) {
    return { invalid: `A text message must have 1 to ${MAX_BODY} characters`, field: 'body', sms };
  }
  return { sms, phone };
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
    options.queue.define<SendJob>({
      name: SMS_SEND_QUEUE,
      options: {
        retryLimit: options.config.retryLimit,
        retryDelay: options.config.retryDelaySeconds,
        retryBackoff: true,
        retryDelayMax: 3600,
        expireInSeconds: 120,
      },
      // A fan-out (a recall, a notification to many) is sent SEND_BATCH texts per transaction.
      batch: { size: SEND_BATCH, handler: (jobs) => this.deliver(jobs) },
    });
  }

  /**
   * Adds a module's handler for inbound texts (a module's `inboundSms` part); returns a function
   * that removes it (tests). Opt-out keywords never reach it.
   */
  onInbound(handler: InboundSmsHandler): () => void {
    return this.options.registry.on(handler);
  }

  /**
   * Lets a module claim a reply word that is also an opt-out keyword (`CANCEL`) when it asked the
   * question that word answers; unclaimed, the word opts out as before (docs/SMS.md).
   */
  /**
   * Tells a module when a number texts STOP or START, in the transaction that records it (telehealth
   * pauses and resumes that number's enrolments at once).
   */
  onOptChange(listener: OptChangeListener): void {
    this.options.registry.onOptChange(listener);
  }

  onReplyWord(claimer: ReplyWordClaimer): void {
    this.options.registry.onReplyWord(claimer);
  }

  /** The numbers among `phones` (E.164) that texted STOP: for previews of a fan-out. */
  optedOutAmong(phones: readonly string[], options: { tx?: Queryable } = {}): Promise<Set<string>> {
    return new SmsRepository(options.tx ?? this.options.db).optedOutAmong(phones);
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
    const queued = (await this.queueMany([sms], options))[0]!;
    if ('invalid' in queued) {
      return badRequest(queued.invalid, [queued.field]);
    }
    return queued.message;
  }

  /**
   * `queueSms` for many texts in three statements (a fan-out). A text with an invalid number or
   * body is not queued and comes back `invalid`, with why; the others are queued as `queueSms` would.
   */
  async queueMany(list: readonly OutgoingSms[], options: { tx?: Queryable } = {}): Promise<QueuedSms[]> {
    const checked = list.map((sms) => checkOutgoing(sms));
    const valid = checked.filter((c): c is { sms: OutgoingSms; phone: string } => 'phone' in c);
    const work = async (tx: Queryable): Promise<SmsMessage[]> => {
      const repository = new SmsRepository(tx);
      const optedOut = await repository.optedOutAmong(valid.map((c) => c.phone));
      const messages = await repository.insertOutbound(
        valid.map(({ sms, phone }) => ({
          phone,
          body: sms.body,
          provider: this.gateway.name,
          status: optedOut.has(phone) ? 'failed' : 'queued',
          ...(optedOut.has(phone) ? { error: OPTED_OUT } : {}),
          ...(sms.reference !== undefined ? { reference: sms.reference } : {}),
          ...(sms.senderOrganizationId !== undefined ? { senderOrganizationId: sms.senderOrganizationId } : {}),
        })),
      );
      const jobs = messages.filter((m) => m.status === 'queued').map((m) => ({ data: { messageId: m.id } }));
      await this.options.queue.sendMany(SMS_SEND_QUEUE, jobs, { tx });
      return messages;
    };
    const messages = valid.length ? await (options.tx ? work(options.tx) : this.options.db.transaction(work)) : [];
    let next = 0;
    return checked.map((c) => ('phone' in c ? { message: messages[next++]! } : c));
  }

  /**
   * The send jobs, a batch at a time: each message is handed to the gateway (all at once) and the
   * outcomes recorded in one statement. A failure worth retrying is returned for its job; a final
   * one is recorded on the message.
   */
  async deliver(jobs: readonly RunningJob<SendJob>[]): Promise<BatchFailures> {
    const repository = new SmsRepository(this.options.db);
    const messages = await repository.findMany(jobs.map((job) => job.data.messageId));
    // Sent by an earlier attempt, or gone: nothing to do.
    const due = jobs.flatMap((job) => {
      const message = messages.get(job.data.messageId);
      return message?.status === 'queued' ? [{ job, message }] : [];
    });
    // STOP may have arrived since the messages were queued.
    const optedOut = await repository.optedOutAmong(due.map((d) => d.message.phone));
    const failures = new Map<string, Error>();
    const changes = await Promise.all(
      due.map(async ({ job, message }): Promise<SmsChange & { id: string }> => {
        if (optedOut.has(message.phone)) {
          return { id: message.id, status: 'failed', error: OPTED_OUT };
        }
        try {
          const sent = await this.gateway.send(message.phone, message.body, message.id);
          const { name: provider } = this.gateway;
          return { id: message.id, status: 'sent', providerMessageId: sent.providerId, provider, attempt: true };
        } catch (error) {
          const reason = error instanceof Error ? error.message : 'the message could not be sent';
          const final = error instanceof PermanentSmsError || job.lastAttempt;
          if (!final) {
            failures.set(job.id, error instanceof Error ? error : new Error(reason));
          }
          return { id: message.id, status: final ? 'failed' : 'queued', error: reason, attempt: true };
        }
      }),
    );
    await repository.updateMany(changes);
    return failures;
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
      const last = await repository.lastOutbound(stored.phone);
      const message: InboundSms = {
        id: stored.id,
        from: stored.phone,
        body: stored.body,
        provider: stored.provider,
        ...(last ? { inReplyTo: last } : {}),
      };
      const keyword = optKeyword(inbound.body);
      if (
        keyword === 'opt-out' &&
        isReplyWord(inbound.body) &&
        (await this.options.registry.claimReplyWord(message, tx))
      ) {
        return 'received';
      }
      if (keyword === 'opt-out') {
        await repository.optOut(inbound.from, inbound.provider);
        await this.options.registry.optChanged({ phone: stored.phone, optedOut: true }, tx);
        return 'opted-out';
      }
      if (keyword === 'opt-in') {
        await repository.optIn(inbound.from);
        await this.options.registry.optChanged({ phone: stored.phone, optedOut: false }, tx);
        return 'opted-in';
      }
      if (!(await this.options.registry.dispatch(message, tx))) {
        // A text no module claims (a stranger, a wrong number): a neutral answer, nothing kept but the text.
        await this.queueMany([{ to: stored.phone, body: UNCLAIMED_TEXT }], { tx });
      }
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
