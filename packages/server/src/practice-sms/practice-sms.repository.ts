import type { Queryable } from '../db/database.ts';
import type { TemplateKind } from './templates.ts';

export interface ReminderSettings {
  remindersEnabled: boolean;
  windowFromHours: number;
  windowToHours: number;
}

export interface ReminderRow {
  appointmentId: string;
  organizationId: string;
  patientId: string;
  patientName: string;
  phone: string;
  appointmentStart: string;
  smsMessageId: string | null;
  status: 'sent' | 'opted-out' | 'cancelled-by-reply';
  sentAt: string;
  cancelledAt: string | null;
}

export interface ConversationMessage {
  id: string;
  organizationId: string;
  phone: string;
  patientId: string | null;
  patientName: string | null;
  direction: 'in' | 'out';
  kind: string;
  body: string;
  about: string | null;
  smsMessageId: string | null;
  communicationId: string | null;
  sentBy: string | null;
  createdAt: string;
}

export interface RecallRow {
  id: string;
  review: string;
  body: string;
  sentCount: number;
  excludedCount: number;
  sentBy: string;
  sentAt: string;
}

const iso = (value: string | null): string | null => (value === null ? null : new Date(value).toISOString());

const REMINDER = `appointment_id as "appointmentId", organization_id as "organizationId", patient_id as "patientId",
  patient_name as "patientName", phone, appointment_start as "appointmentStart", sms_message_id as "smsMessageId",
  status, sent_at as "sentAt", cancelled_at as "cancelledAt"`;
const MESSAGE = `id::text, organization_id as "organizationId", phone, patient_id as "patientId",
  patient_name as "patientName", direction, kind, body, about, sms_message_id as "smsMessageId",
  communication_id as "communicationId", sent_by as "sentBy", created_at as "createdAt"`;

const reminder = (r: ReminderRow): ReminderRow => ({
  ...r,
  appointmentStart: iso(r.appointmentStart)!,
  sentAt: iso(r.sentAt)!,
  cancelledAt: iso(r.cancelledAt),
});
const message = (m: ConversationMessage): ConversationMessage => ({ ...m, createdAt: iso(m.createdAt)! });

/** All SQL of the module's tables. */
export class PracticeSmsRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async settings(organizationId: string): Promise<ReminderSettings> {
    const [row] = await this.db.query<ReminderSettings>(
      `select reminders_enabled as "remindersEnabled", window_from_hours as "windowFromHours",
              window_to_hours as "windowToHours" from practice_sms_settings where organization_id = $1`,
      [organizationId],
    );
    return row ?? { remindersEnabled: false, windowFromHours: 24, windowToHours: 48 };
  }

  async saveSettings(organizationId: string, s: ReminderSettings): Promise<void> {
    await this.db.query(
      `insert into practice_sms_settings (organization_id, reminders_enabled, window_from_hours, window_to_hours)
       values ($1, $2, $3, $4)
       on conflict (organization_id) do update set reminders_enabled = $2, window_from_hours = $3,
         window_to_hours = $4, updated_at = now()`,
      [organizationId, s.remindersEnabled, s.windowFromHours, s.windowToHours],
    );
  }

  /** Practices with reminders on. */
  async reminderPractices(): Promise<(ReminderSettings & { organizationId: string })[]> {
    return this.db.query(
      `select organization_id as "organizationId", reminders_enabled as "remindersEnabled",
              window_from_hours as "windowFromHours", window_to_hours as "windowToHours"
         from practice_sms_settings where reminders_enabled`,
    );
  }

  async templates(organizationId: string): Promise<Map<TemplateKind, string>> {
    const rows = await this.db.query<{ kind: TemplateKind; body: string }>(
      'select kind, body from practice_sms_template where organization_id = $1',
      [organizationId],
    );
    return new Map(rows.map((r) => [r.kind, r.body]));
  }

  async saveTemplate(organizationId: string, kind: TemplateKind, body: string): Promise<void> {
    await this.db.query(
      `insert into practice_sms_template (organization_id, kind, body) values ($1, $2, $3)
       on conflict (organization_id, kind) do update set body = $3, updated_at = now()`,
      [organizationId, kind, body],
    );
  }

  /** Claims an appointment's reminder: false when it was already reminded (by any instance, ever). */
  async claimReminder(row: Omit<ReminderRow, 'smsMessageId' | 'status' | 'sentAt' | 'cancelledAt'>): Promise<boolean> {
    const inserted = await this.db.query(
      `insert into practice_sms_reminder
         (appointment_id, organization_id, patient_id, patient_name, phone, appointment_start, status)
       values ($1, $2, $3, $4, $5, $6, 'sent') on conflict (appointment_id) do nothing returning appointment_id`,
      [row.appointmentId, row.organizationId, row.patientId, row.patientName, row.phone, row.appointmentStart],
    );
    return inserted.length > 0;
  }

  async reminderSent(appointmentId: string, smsMessageId: string, optedOut: boolean): Promise<void> {
    await this.db.query('update practice_sms_reminder set sms_message_id = $2, status = $3 where appointment_id = $1', [
      appointmentId,
      smsMessageId,
      optedOut ? 'opted-out' : 'sent',
    ]);
  }

  /** Reminders to `phone` sent since `since` for appointments still ahead and not cancelled by reply. */
  async liveReminders(phone: string, since: Date): Promise<ReminderRow[]> {
    const rows = await this.db.query<ReminderRow>(
      `select ${REMINDER} from practice_sms_reminder
        where phone = $1 and status = 'sent' and sent_at >= $2 and appointment_start > now()
        order by sent_at desc for update`,
      [phone, since.toISOString()],
    );
    return rows.map(reminder);
  }

  async markCancelled(appointmentId: string): Promise<void> {
    await this.db.query(
      `update practice_sms_reminder set status = 'cancelled-by-reply', cancelled_at = now() where appointment_id = $1`,
      [appointmentId],
    );
  }

  async reminders(organizationId: string, limit = 100): Promise<ReminderRow[]> {
    const rows = await this.db.query<ReminderRow>(
      `select ${REMINDER} from practice_sms_reminder where organization_id = $1 order by sent_at desc limit $2`,
      [organizationId, limit],
    );
    return rows.map(reminder);
  }

  async addMessage(m: Omit<ConversationMessage, 'id' | 'createdAt'>): Promise<ConversationMessage> {
    const [row] = await this.db.query<ConversationMessage>(
      `insert into practice_sms_message (organization_id, phone, patient_id, patient_name, direction, kind, body,
         sms_message_id, communication_id, sent_by, about)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning ${MESSAGE}`,
      [
        m.organizationId,
        m.phone,
        m.patientId,
        m.patientName,
        m.direction,
        m.kind,
        m.body,
        m.smsMessageId,
        m.communicationId,
        m.sentBy,
        m.about,
      ],
    );
    return message(row!);
  }

  /** Our message that an SMS message id is (so a reply to it is ours). */
  async bySmsMessage(smsMessageId: string): Promise<ConversationMessage | undefined> {
    const [row] = await this.db.query<ConversationMessage>(
      `select ${MESSAGE} from practice_sms_message where sms_message_id = $1 and direction = 'out' limit 1`,
      [smsMessageId],
    );
    return row ? message(row) : undefined;
  }

  /** The practice's conversations: the latest message of each number, newest first. */
  async conversations(organizationId: string, limit = 100): Promise<(ConversationMessage & { count: number })[]> {
    const rows = await this.db.query<ConversationMessage & { count: string }>(
      `select * from (
         select distinct on (phone) ${MESSAGE}, count(*) over (partition by phone) as count
           from practice_sms_message m where organization_id = $1 order by phone, m.id desc
       ) latest order by "createdAt" desc limit $2`,
      [organizationId, limit],
    );
    return rows.map((r) => ({ ...message(r), count: Number(r.count) }));
  }

  async thread(organizationId: string, phone: string): Promise<ConversationMessage[]> {
    const rows = await this.db.query<ConversationMessage>(
      // m.id: a bare "id" would sort by the output column, id::text ('10' before '9').
      `select ${MESSAGE} from practice_sms_message m where organization_id = $1 and phone = $2 order by m.id`,
      [organizationId, phone],
    );
    return rows.map(message);
  }

  async addRecall(r: Omit<RecallRow, 'id' | 'sentAt'> & { organizationId: string }): Promise<RecallRow> {
    const [row] = await this.db.query<RecallRow>(
      `insert into practice_sms_recall (organization_id, review, body, sent_count, excluded_count, sent_by)
       values ($1, $2, $3, $4, $5, $6)
       returning id::text, review, body, sent_count as "sentCount", excluded_count as "excludedCount",
                 sent_by as "sentBy", sent_at as "sentAt"`,
      [r.organizationId, r.review, r.body, r.sentCount, r.excludedCount, r.sentBy],
    );
    return { ...row!, sentAt: iso(row!.sentAt)! };
  }

  async recalls(organizationId: string): Promise<RecallRow[]> {
    const rows = await this.db.query<RecallRow>(
      `select id::text, review, body, sent_count as "sentCount", excluded_count as "excludedCount",
              sent_by as "sentBy", sent_at as "sentAt"
         from practice_sms_recall r where organization_id = $1 order by r.id desc limit 100`,
      [organizationId],
    );
    return rows.map((r) => ({ ...r, sentAt: iso(r.sentAt)! }));
  }
}
