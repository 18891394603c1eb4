import type { Queryable, SqlParam } from '../db/database.ts';
import { jsonbValue } from '../db/jsonb.ts';
import { emptyPreferences, type StoredPreferences } from './preferences.ts';
import type { OutboundChannel, Priority } from './types.ts';

/** A notification's row (its words are also its Communication's). */
export interface NotificationRow {
  id: string;
  kind: string;
  category: string;
  priority: Priority;
  recipient: string;
  patientId: string | null;
  status: 'sent' | 'refused';
  reason: string | null;
  subject: string | null;
  subjectDisplay: string | null;
  about: string | null;
  aboutDisplay: string | null;
  title: string | null;
  body: string | null;
  sentAt: string;
  readAt: string | null;
  acknowledgedAt: string | null;
}

export type DeliveryStatus = 'pending' | 'digest' | 'sent' | 'skipped' | 'failed';

export interface DeliveryRow {
  notificationId: string;
  channel: OutboundChannel;
  status: DeliveryStatus;
  address: string | null;
  message: string | null;
  deliverAfter: string | null;
  detail: string | null;
  patientId: string | null;
  organizationId: string | null;
}

export type NotificationInsert = Omit<NotificationRow, 'sentAt' | 'readAt' | 'acknowledgedAt'> & {
  sentAt: Date;
  idempotencyKey: string | null;
};
export type DeliveryInsert = Omit<DeliveryRow, 'deliverAfter'> & { deliverAfter: Date | null };

const COLUMNS = `id, kind, category, priority, recipient, patient_id as "patientId", status, reason, subject,
  subject_display as "subjectDisplay", about, about_display as "aboutDisplay", title, body, sent_at as "sentAt",
  read_at as "readAt", acknowledged_at as "acknowledgedAt"`;
const deliveryColumns = (a = 'notification_delivery'): string =>
  `${a}.notification_id as "notificationId", ${a}.channel, ${a}.status, ${a}.address, ${a}.message,
   ${a}.deliver_after as "deliverAfter", ${a}.detail, ${a}.patient_id as "patientId",
   ${a}.organization_id as "organizationId"`;
const DELIVERY_COLUMNS = deliveryColumns();

const iso = (value: string | Date | null): string | null => (value === null ? null : new Date(value).toISOString());

function notificationRow(row: NotificationRow): NotificationRow {
  return { ...row, sentAt: iso(row.sentAt)!, readAt: iso(row.readAt), acknowledgedAt: iso(row.acknowledgedAt) };
}

/** How one delivery ended. */
export interface DeliveryOutcome {
  notificationId: string;
  channel: OutboundChannel;
  status: DeliveryStatus;
  detail: string | null;
}

/** All SQL of the notification tables. */
export class NotificationRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /** Notifications in one statement. */
  async insertMany(rows: readonly NotificationInsert[]): Promise<void> {
    if (!rows.length) {
      return;
    }
    const column = <K extends keyof NotificationInsert>(key: K) => rows.map((row) => row[key]);
    await this.db.query(
      `insert into notification (id, kind, category, priority, recipient, patient_id, status, reason, subject,
         subject_display, about, about_display, title, body, sent_at, idempotency_key)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[],
         $16::text[])`,
      [
        column('id'),
        column('kind'),
        column('category'),
        column('priority'),
        column('recipient'),
        column('patientId'),
        column('status'),
        column('reason'),
        column('subject'),
        column('subjectDisplay'),
        column('about'),
        column('aboutDisplay'),
        column('title'),
        column('body'),
        rows.map((row) => row.sentAt.toISOString()),
        column('idempotencyKey'),
      ] as SqlParam[],
    );
  }

  /** Deliveries in one statement. */
  async insertDeliveries(rows: readonly DeliveryInsert[]): Promise<void> {
    if (!rows.length) {
      return;
    }
    const column = <K extends keyof DeliveryInsert>(key: K) => rows.map((row) => row[key]);
    await this.db.query(
      `insert into notification_delivery (notification_id, channel, status, address, message, deliver_after, detail,
         patient_id, organization_id)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
         $7::text[], $8::text[], $9::text[])`,
      [
        column('notificationId'),
        column('channel'),
        column('status'),
        column('address'),
        column('message'),
        rows.map((row) => row.deliverAfter?.toISOString() ?? null),
        column('detail'),
        column('patientId'),
        column('organizationId'),
      ] as SqlParam[],
    );
  }

  /** A person's inbox, newest first. */
  async inbox(
    recipient: string,
    query: { unreadOnly: boolean; category?: string; count: number },
  ): Promise<NotificationRow[]> {
    const rows = await this.db.query<NotificationRow>(
      `select ${COLUMNS} from notification
        where recipient = $1 and status = 'sent' and ($2::boolean = false or read_at is null)
          and ($3::text is null or category = $3)
        order by sent_at desc, id desc limit $4`,
      [recipient, query.unreadOnly, query.category ?? null, query.count],
    );
    return rows.map(notificationRow);
  }

  async unreadCount(recipient: string): Promise<number> {
    const [row] = await this.db.query<{ n: number | string }>(
      `select count(*) as n from notification where recipient = $1 and status = 'sent' and read_at is null`,
      [recipient],
    );
    return Number(row?.n ?? 0);
  }

  /** The notification sent under `key`, waiting for any other transaction sending under it. */
  async findByKey(key: string): Promise<NotificationRow | undefined> {
    await this.db.queue('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`notification:${key}`]);
    const [row] = await this.db.query<NotificationRow>(
      `select ${COLUMNS} from notification where idempotency_key = $1`,
      [key],
    );
    return row ? notificationRow(row) : undefined;
  }

  /**
   * `findByKey` for several keys: the locks taken in one statement (in key order, so two batches
   * cannot deadlock), then the notifications already sent under them, by key.
   */
  async findByKeys(keys: readonly string[]): Promise<Map<string, NotificationRow>> {
    const unique = [...new Set(keys)].sort();
    if (!unique.length) {
      return new Map();
    }
    await this.db.queue(
      `select pg_advisory_xact_lock(hashtextextended('notification:' || k, 0))
         from unnest($1::text[]) with ordinality as u(k, n) order by n`,
      [unique],
    );
    const rows = await this.db.query<NotificationRow & { key: string }>(
      `select ${COLUMNS}, idempotency_key as key from notification where idempotency_key = any($1::text[])`,
      [unique],
    );
    return new Map(rows.map(({ key, ...row }) => [key, notificationRow(row)]));
  }

  async find(id: string): Promise<NotificationRow | undefined> {
    const [row] = await this.db.query<NotificationRow>(`select ${COLUMNS} from notification where id = $1`, [id]);
    return row ? notificationRow(row) : undefined;
  }

  /** Marks an item read (and, for `acknowledged`, acknowledged); the first time is kept. */
  async mark(id: string, recipient: string, what: 'read' | 'acknowledged'): Promise<NotificationRow | undefined> {
    const [row] = await this.db.query<NotificationRow>(
      `update notification set read_at = coalesce(read_at, now()),
         acknowledged_at = case when $3 = 'acknowledged' then coalesce(acknowledged_at, now()) else acknowledged_at end
       where id = $1 and recipient = $2 and status = 'sent' returning ${COLUMNS}`,
      [id, recipient, what],
    );
    return row ? notificationRow(row) : undefined;
  }

  async deliveries(notificationId: string): Promise<DeliveryRow[]> {
    return this.db.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from notification_delivery where notification_id = $1 order by channel`,
      [notificationId],
    );
  }

  /**
   * Takes pending deliveries for this transaction: the rows stay locked until it ends, and a second
   * taker (another instance, a repeated job) finds them no longer pending.
   */
  async claim(wanted: readonly { notificationId: string; channel: OutboundChannel }[]): Promise<DeliveryRow[]> {
    return this.db.query<DeliveryRow>(
      `update notification_delivery d set updated_at = now()
         from unnest($1::text[], $2::text[]) as w(notification_id, channel)
        where d.notification_id = w.notification_id and d.channel = w.channel and d.status = 'pending'
        returning ${deliveryColumns('d')}`,
      [wanted.map((w) => w.notificationId), wanted.map((w) => w.channel)],
    );
  }

  /** Records how deliveries ended, in one statement. */
  async settle(outcomes: readonly DeliveryOutcome[]): Promise<void> {
    if (!outcomes.length) {
      return;
    }
    await this.db.query(
      `update notification_delivery d set status = o.status, detail = o.detail, updated_at = now()
         from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as o(notification_id, channel, status, detail)
        where d.notification_id = o.notification_id and d.channel = o.channel`,
      [
        outcomes.map((o) => o.notificationId),
        outcomes.map((o) => o.channel),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.detail),
      ],
    );
  }

  /** Deliveries waiting for a digest, with whom and what category they are for. */
  async waitingForDigest(): Promise<(DeliveryRow & { recipient: string; category: string })[]> {
    return this.db.query(
      `select ${deliveryColumns('d')}, n.recipient, n.category
         from notification_delivery d join notification n on n.id = d.notification_id
        where d.status = 'digest' order by n.recipient, d.channel, n.sent_at`,
    );
  }

  /** Claims the one digest of a person, channel and day; false when another instance sent it. */
  async claimDigest(recipient: string, channel: OutboundChannel, day: string, items: number): Promise<boolean> {
    const rows = await this.db.query(
      `insert into notification_digest (recipient, channel, day, items) values ($1, $2, $3, $4)
       on conflict do nothing returning day`,
      [recipient, channel, day, items],
    );
    return rows.length > 0;
  }

  async settleDigested(ids: readonly string[], channel: OutboundChannel, detail: string): Promise<void> {
    await this.db.query(
      `update notification_delivery set status = 'sent', detail = $3, updated_at = now()
        where notification_id = any($1::text[]) and channel = $2 and status = 'digest'`,
      [ids, channel, detail],
    );
  }

  async preferences(recipient: string): Promise<StoredPreferences> {
    return (await this.preferencesOf([recipient])).get(recipient)!;
  }

  /** Each person's saved choices (the defaults for someone who has saved none). */
  async preferencesOf(recipients: readonly string[]): Promise<Map<string, StoredPreferences>> {
    const rows = await this.db.query<{
      recipient: string;
      kinds: StoredPreferences['kinds'] | string;
      quietStart: string | null;
      quietEnd: string | null;
      digestTime: string;
      phone: string | null;
      email: string | null;
    }>(
      `select recipient, kinds, quiet_start as "quietStart", quiet_end as "quietEnd", digest_time as "digestTime",
              phone, email
         from notification_preference where recipient = any($1::text[])`,
      [recipients],
    );
    const found = new Map<string, StoredPreferences>(recipients.map((r) => [r, emptyPreferences()]));
    for (const row of rows) {
      found.set(row.recipient, {
        kinds: jsonbValue(row.kinds),
        quietHours: row.quietStart && row.quietEnd ? { start: row.quietStart, end: row.quietEnd } : null,
        digestTime: row.digestTime,
        ...(row.phone ? { phone: row.phone } : {}),
        ...(row.email ? { email: row.email } : {}),
      });
    }
    return found;
  }

  async savePreferences(recipient: string, preferences: StoredPreferences): Promise<void> {
    await this.db.query(
      `insert into notification_preference (recipient, kinds, quiet_start, quiet_end, digest_time, phone, email)
       values ($1, $2::jsonb, $3, $4, $5, $6, $7)
       on conflict (recipient) do update set kinds = excluded.kinds, quiet_start = excluded.quiet_start,
         quiet_end = excluded.quiet_end, digest_time = excluded.digest_time, phone = excluded.phone,
         email = excluded.email, updated_at = now()`,
      [
        recipient,
        JSON.stringify(preferences.kinds),
        preferences.quietHours?.start ?? null,
        preferences.quietHours?.end ?? null,
        preferences.digestTime,
        preferences.phone ?? null,
        preferences.email ?? null,
      ],
    );
  }
}
