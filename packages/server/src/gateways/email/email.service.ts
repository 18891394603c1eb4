import type { Actor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { badRequest, fail } from '../../fhir/outcome.ts';
import type { JobQueue, RunningJob } from '../../jobs/queue.ts';
import {
  EMAIL_STATUSES,
  EmailRepository,
  type CaughtEmail,
  type EmailMessage,
  type EmailStatus,
} from './email.repository.ts';
import { isMailbox } from './settings.ts';
import { isPermanentFailure, relayId, type MailTransport } from './transport.ts';

export const EMAIL_SEND_QUEUE = 'email.send';
/** Who reads the message log: R8008 admin and clinical support, R8013 health records manager (their organisation's). */
export const EMAIL_ROLES: readonly string[] = ['R8008', 'R8013'];
const MAX_COUNT = 200;
const MAX_BODY = 1024 * 1024;

/** An e-mail, as a module asks for it. */
export interface OutgoingEmail {
  /** `a@b.example` or `Name <a@b.example>`. */
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** What it concerns ('Communication/123'): how the sender finds it again. */
  reference?: string;
  /** The Organization sending; its administrators see the message and whether it failed. */
  senderOrganizationId?: string;
}

export interface EmailServiceOptions {
  db: Database;
  queue: JobQueue;
  /** The From header. */
  from: string;
  /** The relay (or catcher), made when first needed. */
  transport: () => Promise<MailTransport>;
  retry: { limit: number; delaySeconds: number };
  log: { warn(details: object, message: string): void };
  /** Whether GET /api/email/caught has anything to show (the catcher is running, not a relay). */
  catching: boolean;
}

/** E-mail out (docs/EMAIL.md): a row and a send job written together, sent over SMTP with retries. */
export class EmailService {
  private readonly options: EmailServiceOptions;
  private transport: Promise<MailTransport> | undefined;

  constructor(options: EmailServiceOptions) {
    this.options = options;
  }

  /** The send job's definition (the module's `jobs` part). */
  job() {
    return {
      name: EMAIL_SEND_QUEUE,
      options: {
        retryLimit: this.options.retry.limit,
        retryDelay: this.options.retry.delaySeconds,
        retryBackoff: true,
        retryDelayMax: 3600,
        expireInSeconds: 120,
      },
      handler: (job: RunningJob<{ messageId: string }>) => this.deliver(job),
    };
  }

  /** Replaces the transport (tests, with a relay of their own). */
  useTransport(transport: MailTransport): void {
    this.transport = Promise.resolve(transport);
  }

  /**
   * Queues an e-mail: the row and its send job are written in `tx` when given (so a rolled-back
   * write sends nothing), else in a transaction of their own. A malformed address is a 400.
   */
  async send(email: OutgoingEmail, options: { tx?: Queryable } = {}): Promise<{ id: string }> {
    checkEmail(email);
    const work = async (tx: Queryable): Promise<{ id: string }> => {
      const message = await new EmailRepository(tx).insert(email);
      await this.options.queue.send(EMAIL_SEND_QUEUE, { messageId: message.id }, { tx });
      return { id: message.id };
    };
    return options.tx ? work(options.tx) : this.options.db.transaction(work);
  }

  /** The send job: one attempt; a failure worth retrying is thrown, a final one is recorded. */
  async deliver(job: RunningJob<{ messageId: string }>): Promise<void> {
    const repository = new EmailRepository(this.options.db);
    const message = await repository.find(job.data.messageId);
    if (message?.status !== 'queued') {
      return; // sent by an earlier attempt, or gone
    }
    try {
      this.transport ??= this.options.transport();
      const info = (await (
        await this.transport
      ).sendMail({
        from: this.options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html !== null ? { html: message.html } : {}),
        // One Message-ID per message, so a relay or mailbox can spot a repeat after a lost reply.
        messageId: `<${message.id}@${domainOf(this.options.from)}>`,
      })) as { messageId?: string; response?: string };
      const providerMessageId = relayId(info);
      await repository.attempted(message.id, { status: 'sent', ...(providerMessageId ? { providerMessageId } : {}) });
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
      const final = isPermanentFailure(error) || job.lastAttempt;
      await repository.attempted(message.id, { status: final ? 'failed' : 'queued', error: reason });
      if (!final) {
        throw error;
      }
      this.options.log.warn({ email: message.id, reference: message.reference, err: error }, 'e-mail failed');
    }
  }

  /** Messages newest first: every one for system clients, their organisation's for R8008/R8013 staff. */
  async list(
    actor: Actor | undefined,
    query: { status?: string; reference?: string; _count?: string },
  ): Promise<{ messages: EmailMessage[] }> {
    const reader = requireStaff(actor, { roles: EMAIL_ROLES, allowSystem: true, doing: 'read the e-mail log' });
    if (query.status !== undefined && !EMAIL_STATUSES.includes(query.status as EmailStatus)) {
      return badRequest(`status must be one of ${EMAIL_STATUSES.join(', ')}`, ['status']);
    }
    const messages = await new EmailRepository(this.options.db).list({
      count: countOf(query._count),
      ...(query.status ? { status: query.status as EmailStatus } : {}),
      ...(query.reference !== undefined ? { reference: query.reference } : {}),
      ...(reader.kind === 'staff' ? { senderOrganizationId: reader.organizationId } : {}),
    });
    return { messages };
  }

  /** What the local catcher received (demo and tests): any member of staff, or a system client. */
  async caught(actor: Actor | undefined, query: { to?: string; _count?: string }): Promise<{ caught: CaughtEmail[] }> {
    requireStaff(actor, { allowSystem: true, doing: 'read the demo mail catcher' });
    if (!this.options.catching) {
      return fail('not-found', 'No mail catcher: CAREWEAVE_EMAIL_SMTP_URL sends mail to a relay');
    }
    const caught = await new EmailRepository(this.options.db).caught({
      count: countOf(query._count),
      ...(query.to !== undefined ? { to: query.to } : {}),
    });
    return { caught };
  }

  async close(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    (await transport?.catch(() => undefined))?.close();
  }
}

function checkEmail(email: OutgoingEmail): void {
  if (typeof email.to !== 'string' || !isMailbox(email.to)) {
    badRequest('to must be an e-mail address', ['to']);
  }
  if (
    typeof email.subject !== 'string' ||
    !email.subject.trim() ||
    email.subject.length > 998 ||
    /[\r\n]/.test(email.subject)
  ) {
    badRequest('subject must be one line of 1 to 998 characters', ['subject']);
  }
  if (typeof email.text !== 'string' || !email.text.trim() || email.text.length > MAX_BODY) {
    badRequest(`text must have 1 to ${MAX_BODY} characters`, ['text']);
  }
  if (email.html !== undefined && (typeof email.html !== 'string' || email.html.length > MAX_BODY)) {
    badRequest(`html must have at most ${MAX_BODY} characters`, ['html']);
  }
}

function countOf(value: string | undefined): number {
  const count = value === undefined ? 50 : Number(value);
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    return badRequest(`_count must be 1 to ${MAX_COUNT}`, ['_count']);
  }
  return count;
}

function domainOf(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'careweave.localhost';
}
