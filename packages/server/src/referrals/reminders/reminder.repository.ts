/** SQL for the reminder plan (`referrals_reminder`, migration 4). */
import type { Queryable } from '../../db/database.ts';

export interface DueReminder {
  appointmentId: string;
  leadDays: number;
  patientId: string;
  appointmentStart: string;
}

export interface ReminderOutcome {
  appointmentId: string;
  leadDays: number;
  status: 'sent' | 'skipped';
  reason?: string;
  smsMessageId?: string;
  communicationId?: string;
}

interface Row {
  appointment_id: string;
  lead_days: number;
  patient_id: string;
  appointment_start: Date | string;
}

export class ReminderRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /**
   * Claims reminders due by `now`, skipping rows another instance holds: each is sent by one
   * instance, once, in the claiming transaction (as telehealth claims its prompts).
   */
  async claimDue(now: Date, limit: number): Promise<DueReminder[]> {
    const rows = await this.db.query<Row>(
      `select appointment_id, lead_days, patient_id, appointment_start from referrals_reminder
        where status = 'due' and due_at <= $1
        order by due_at limit $2 for update skip locked`,
      [now.toISOString(), limit],
    );
    return rows.map((r) => ({
      appointmentId: r.appointment_id,
      leadDays: r.lead_days,
      patientId: r.patient_id,
      appointmentStart: new Date(r.appointment_start).toISOString(),
    }));
  }

  async record(outcomes: readonly ReminderOutcome[]): Promise<void> {
    if (!outcomes.length) {
      return;
    }
    await this.db.query(
      `update referrals_reminder r
          set status = o.status, reason = o.reason, sms_message_id = o.sms, communication_id = o.communication,
              updated_at = now()
         from unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
              as o(appointment_id, lead_days, status, reason, sms, communication)
        where r.appointment_id = o.appointment_id and r.lead_days = o.lead_days`,
      [
        outcomes.map((o) => o.appointmentId),
        outcomes.map((o) => o.leadDays),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.reason ?? null),
        outcomes.map((o) => o.smsMessageId ?? null),
        outcomes.map((o) => o.communicationId ?? null),
      ],
    );
  }

  /** An appointment's reminders (tests, support). */
  async ofAppointment(
    appointmentId: string,
  ): Promise<(Omit<ReminderOutcome, 'status'> & { status: string; dueAt: string })[]> {
    const rows = await this.db.query<{
      lead_days: number;
      status: string;
      reason: string | null;
      sms_message_id: string | null;
      communication_id: string | null;
      due_at: Date | string;
    }>(
      `select lead_days, status, reason, sms_message_id, communication_id, due_at from referrals_reminder
        where appointment_id = $1 order by lead_days desc`,
      [appointmentId],
    );
    return rows.map((r) => ({
      appointmentId,
      leadDays: r.lead_days,
      status: r.status,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.sms_message_id ? { smsMessageId: r.sms_message_id } : {}),
      ...(r.communication_id ? { communicationId: r.communication_id } : {}),
      dueAt: new Date(r.due_at).toISOString(),
    }));
  }
}
