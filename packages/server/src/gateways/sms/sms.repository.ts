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

export interface OutboundInsert {
  phone: string;
  body: string;
  provider: string;
  status: 'queued' | 'failed';
  error?: string;
  reference?: string;
  senderOrganizationId?: string;
}

/** What one attempt changed. */
export interface SmsChange {
  status: SmsStatus;
  error?: string | null;
  providerMessageId?: string;
  provider?: string;
  attempt?: true;
}

/** All SQL of the SMS tables. */
export class SmsRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /** Outbound messages in one statement; the rows come back in the order given. */
  async insertOutbound(messages: readonly OutboundInsert[]): Promise<SmsMessage[]> {
    if (!messages.length) {
      return [];
    }
    const inserted = await this.db.query<SmsMessage>(
      `insert into sms_message (direction, phone, body, provider, status, error, reference, sender_organization_id)
       select 'out', phone, body, provider, status, error, reference, organization
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              with ordinality as m(phone, body, provider, status, error, reference, organization, position)
        order by position
       returning ${COLUMNS}`,
      [
        messages.map((m) => m.phone),
        messages.map((m) => m.body),
        messages.map((m) => m.provider),
        messages.map((m) => m.status),
        messages.map((m) => m.error ?? null),
        messages.map((m) => m.reference ?? null),
        messages.map((m) => m.senderOrganizationId ?? null),
      ],
    );
    // The identity is drawn row by row in insertion order, so by id is the order given.
    return inserted.map(row).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
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
    return (await this.findMany([id])).get(id);
  }

  async findMany(ids: readonly string[]): Promise<Map<string, SmsMessage>> {
    const found = await this.db.query<SmsMessage>(`select ${COLUMNS} from sms_message where id = any($1::bigint[])`, [
      ids,
    ]);
    return new Map(found.map((m) => [m.id, row(m)]));
  }

  /** Records an attempt's outcome; `providerMessageId` when the provider took the message. */
  async update(id: string, change: SmsChange): Promise<void> {
    await this.updateMany([{ id, ...change }]);
  }

  /** Many attempts' outcomes in one statement. */
  async updateMany(changes: readonly (SmsChange & { id: string })[]): Promise<void> {
    if (!changes.length) {
      return;
    }
    await this.db.query(
      `update sms_message m set status = c.status, error = c.error,
         provider_message_id = coalesce(c.provider_message_id, m.provider_message_id),
         provider = coalesce(c.provider, m.provider), attempts = m.attempts + c.attempt, updated_at = now()
         from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
              as c(id, status, error, provider_message_id, provider, attempt)
        where m.id = c.id`,
      [
        changes.map((c) => c.id),
        changes.map((c) => c.status),
        changes.map((c) => c.error ?? null),
        changes.map((c) => c.providerMessageId ?? null),
        changes.map((c) => c.provider ?? null),
        changes.map((c) => (c.attempt ? 1 : 0)),
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
       order by sms_message.id desc limit $4`,
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

  /** The last outbound text to `phone` that was not refused (the one a reply most likely answers). */
  async lastOutbound(
    phone: string,
  ): Promise<{ id: string; reference: string | null; senderOrganizationId: string | null; at: string } | undefined> {
    const [last] = await this.db.query<{ id: string; reference: string | null; org: string | null; at: string }>(
      `select id::text, reference, sender_organization_id as org, created_at as at from sms_message
        where direction = 'out' and phone = $1 and status <> 'failed' order by sms_message.id desc limit 1`,
      [phone],
    );
    return last
      ? { id: last.id, reference: last.reference, senderOrganizationId: last.org, at: new Date(last.at).toISOString() }
      : undefined;
  }

  async optedOut(phone: string): Promise<boolean> {
    return (await this.optedOutAmong([phone])).has(phone);
  }

  /** The numbers among `phones` that texted STOP. */
  async optedOutAmong(phones: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.query<{ phone: string }>('select phone from sms_opt_out where phone = any($1::text[])', [
      [...new Set(phones)],
    ]);
    return new Set(rows.map((r) => r.phone));
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
