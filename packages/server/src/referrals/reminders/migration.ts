/**
 * Referral appointment reminders: one row per appointment and lead time (operational state: when it is
 * due, and what became of it), labelled with the appointment's patient as the module's other tables
 * are (`referrals_ubrn.patient_id`). Planned in step with every Appointment write (./plan.ts); claimed
 * `for update skip locked` by the job, so each is sent once across instances. The text itself is a
 * Communication in the record, never here.
 */
export const REFERRAL_REMINDERS = `
create table referrals_reminder (
  appointment_id text not null,
  lead_days integer not null check (lead_days between 1 and 28),
  patient_id text not null,
  appointment_start timestamptz not null,
  due_at timestamptz not null,
  status text not null default 'due' check (status in ('due', 'sent', 'skipped', 'cancelled')),
  reason text,
  sms_message_id text,
  communication_id text,
  updated_at timestamptz not null default now(),
  primary key (appointment_id, lead_days)
);
create index referrals_reminder_due_idx on referrals_reminder (due_at) where status = 'due';
create index referrals_reminder_patient_idx on referrals_reminder (patient_id);
`;
