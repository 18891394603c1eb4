import type { Queryable } from '../../db/database.ts';

export type SmsStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'received';

export interface SmsMessage {
  id: string;
  direction: 'in' | 'out';
  phone: string;
  body: string;
  provider: string;
  providerMessageId: string | null;
  status: SmsStatus;
  error: string | null;
  reference: string | null;
  senderOrganizationId: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = `id::text, direction, phone, body, provider, provider_message_id as "providerMessageId", status, error,
  reference, sender_organization_id as "senderOrganizationId", attempts, created_at as "createdAt",
  updated_at as "updatedAt"`;

function row(found: SmsMessage): SmsMessage {
  return {
    ...found,
    attempts: Number(found.attempts),
    createdAt: new Date(found.createdAt).toISOString(),
    updatedAt: new Date(found.updatedAt).toISOString(),
  };
}

/** All SQL of the SMS tables. */
export class SmsRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async insertOutbound(message: {
    phone: string;
    body: string;
    provider: string;
    status: 'queued' | 'failed';
    error?: string;
    reference?: string;
    senderOrganizationId?: string;
  }): Promise<SmsMessage> {
    const [inserted] = await this.db.query<SmsMessage>(
      `insert into sms_message (direction, phone, body, provider, status, error, reference, sender_organization_id)
       values ('out', $1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
      [
        message.phone,
        message.body,
        message.provider,
        message.status,
        message.error ?? null,
        message.reference ?? null,
        message.senderOrganizationId ?? null,
      ],
    );
    return row(inserted!);
  }

  /** The new row, or undefined when this provider's message id is already stored (a repeated callback). */
  async insertInbound(message: {
    phone: string;
    body: string;
    provider: string;
    providerMessageId: string;
  }): Promise<SmsMessage | undefined> {
    const [inserted] = await this.db.query<SmsMessage>(
      `insert into sms_message (direction, phone, body, provider, provider_message_id, status)
       values ('in', $1, $2, $3, $4, 'received')
       on conflict (provider, provider_message_id) where provider_message_id is not null do nothing
       returning ${COLUMNS}`,
      [message.phone, message.body, message.provider, message.providerMessageId],
    );
    return inserted ? row(inserted) : undefined;
  }

  async find(id: string): Promise<SmsMessage | undefined> {
    const [found] = await this.db.query<SmsMessage>(`select ${COLUMNS} from sms_message where id = $1`, [id]);
    return found ? row(found) : undefined;
  }

  /** Records an attempt's outcome; `providerMessageId` when the provider took the message. */
  async update(
    id: string,
    change: { status: SmsStatus; error?: string | null; providerMessageId?: string; provider?: string; attempt?: true },
  ): Promise<void> {
    await this.db.query(
      `update sms_message set status = $2, error = $3, provider_message_id = coalesce($4, provider_message_id),
         provider = coalesce($5, provider), attempts = attempts + $6, updated_at = now()
       where id = $1`,
      [
        id,
        change.status,
        change.error ?? null,
        change.providerMessageId ?? null,
        change.provider ?? null,
        change.attempt ? 1 : 0,
      ],
    );
  }

  /** A provider's delivery receipt: the outbound message it names by its id, or by our reference. */
  async receipt(
    provider: string,
    providerMessageId: string,
    reference: string | undefined,
    status: 'delivered' | 'failed',
    error: string | null,
  ): Promise<boolean> {
    const rows = await this.db.query(
      `update sms_message set status = $4, error = $5, updated_at = now()
       where direction = 'out' and provider = $1
         and (provider_message_id = $2 or (provider_message_id is null and id::text = $3))
       returning id`,
      [provider, providerMessageId, reference ?? null, status, error],
    );
    return rows.length > 0;
  }

  async list(filter: {
    reference?: string;
    phone?: string;
    senderOrganizationId?: string;
    /** With `senderOrganizationId`: also the inbound messages that came through this provider. */
    inboundProvider?: string;
    count: number;
  }): Promise<SmsMessage[]> {
    const rows = await this.db.query<SmsMessage>(
      `select ${COLUMNS} from sms_message
       where ($1::text is null or reference = $1) and ($2::text is null or phone = $2)
         and ($3::text is null or sender_organization_id = $3 or (direction = 'in' and provider = $5))
       order by id desc limit $4`,
      [
        filter.reference ?? null,
        filter.phone ?? null,
        filter.senderOrganizationId ?? null,
        filter.count,
        filter.inboundProvider ?? null,
      ],
    );
    return rows.map(row);
  }

  async optedOut(phone: string): Promise<boolean> {
    const rows = await this.db.query('select 1 from sms_opt_out where phone = $1', [phone]);
    return rows.length > 0;
  }

  async optOut(phone: string, via: string): Promise<void> {
    await this.db.query(
      `insert into sms_opt_out (phone, via) values ($1, $2)
       on conflict (phone) do update set opted_out_at = now(), via = excluded.via`,
      [phone, via],
    );
  }

  async optIn(phone: string): Promise<void> {
    await this.db.query('delete from sms_opt_out where phone = $1', [phone]);
  }
}
