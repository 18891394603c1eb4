import type { Queryable } from '../../db/database.ts';

export type EmailStatus = 'queued' | 'sent' | 'failed';
export const EMAIL_STATUSES: readonly EmailStatus[] = ['queued', 'sent', 'failed'];

export interface EmailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  reference: string | null;
  senderOrganizationId: string | null;
  status: EmailStatus;
  attempts: number;
  error: string | null;
  providerMessageId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

/** A message the local catcher received. */
export interface CaughtEmail {
  id: string;
  messageId: string | null;
  from: string | null;
  to: string[];
  subject: string | null;
  text: string | null;
  html: string | null;
  receivedAt: string;
}

const COLUMNS = `id::text, to_address as "to", subject, text_body as "text", html_body as "html", reference,
  sender_organization_id as "senderOrganizationId", status, attempts, error, provider_message_id as "providerMessageId",
  created_at as "createdAt", updated_at as "updatedAt", sent_at as "sentAt"`;

const iso = (value: string | Date | null): string | null => (value === null ? null : new Date(value).toISOString());

function row(found: EmailMessage): EmailMessage {
  return {
    ...found,
    attempts: Number(found.attempts),
    createdAt: iso(found.createdAt)!,
    updatedAt: iso(found.updatedAt)!,
    sentAt: iso(found.sentAt),
  };
}

/** All SQL of the e-mail tables. */
export class EmailRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async insert(message: {
    to: string;
    subject: string;
    text: string;
    html?: string;
    reference?: string;
    senderOrganizationId?: string;
  }): Promise<EmailMessage> {
    const [inserted] = await this.db.query<EmailMessage>(
      `insert into email_message (to_address, subject, text_body, html_body, reference, sender_organization_id)
       values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
      [
        message.to,
        message.subject,
        message.text,
        message.html ?? null,
        message.reference ?? null,
        message.senderOrganizationId ?? null,
      ],
    );
    return row(inserted!);
  }

  async find(id: string): Promise<EmailMessage | undefined> {
    const [found] = await this.db.query<EmailMessage>(`select ${COLUMNS} from email_message where id = $1`, [id]);
    return found ? row(found) : undefined;
  }

  /** Records one attempt: sent (with the relay's id), failed for good, or still queued with its error. */
  async attempted(
    id: string,
    outcome: { status: EmailStatus; error?: string; providerMessageId?: string },
  ): Promise<void> {
    await this.db.query(
      `update email_message set status = $2, error = $3, provider_message_id = coalesce($4, provider_message_id),
         attempts = attempts + 1, updated_at = now(), sent_at = case when $2 = 'sent' then now() else sent_at end
       where id = $1`,
      [id, outcome.status, outcome.error ?? null, outcome.providerMessageId ?? null],
    );
  }

  /** Newest first. */
  async list(filter: {
    status?: EmailStatus;
    reference?: string;
    senderOrganizationId?: string;
    count: number;
  }): Promise<EmailMessage[]> {
    const rows = await this.db.query<EmailMessage>(
      `select ${COLUMNS} from email_message
       where ($1::text is null or status = $1) and ($2::text is null or reference = $2)
         and ($3::text is null or sender_organization_id = $3)
       order by created_at desc, id limit $4`,
      [filter.status ?? null, filter.reference ?? null, filter.senderOrganizationId ?? null, filter.count],
    );
    return rows.map(row);
  }

  async catch(mail: {
    messageId?: string;
    from?: string;
    to: readonly string[];
    subject?: string;
    text?: string;
    html?: string;
  }): Promise<void> {
    await this.db.query(
      `insert into email_caught (message_id, envelope_from, envelope_to, subject, text_body, html_body)
       values ($1, $2, $3, $4, $5, $6)`,
      [mail.messageId ?? null, mail.from ?? null, mail.to, mail.subject ?? null, mail.text ?? null, mail.html ?? null],
    );
  }

  /** Newest first; `to` filters on a recipient. */
  async caught(filter: { to?: string; count: number }): Promise<CaughtEmail[]> {
    const rows = await this.db.query<CaughtEmail & { receivedAt: string | Date }>(
      `select id::text, message_id as "messageId", envelope_from as "from", envelope_to as "to", subject,
         text_body as "text", html_body as "html", received_at as "receivedAt"
       from email_caught where ($1::text is null or $1 = any(envelope_to)) order by id desc limit $2`,
      [filter.to ?? null, filter.count],
    );
    return rows.map((r) => ({ ...r, receivedAt: iso(r.receivedAt)! }));
  }
}
