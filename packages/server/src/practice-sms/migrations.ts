import type { ModuleMigration } from '../modules/contract.ts';

/**
 * Operational state only: settings and templates per practice, which appointments were reminded (so
 * each is reminded once, across instances), the practice's text conversations (the inbox, for staff
 * who may not read Communications — clerical staff see demographics and appointments only) and the
 * recalls sent. Every row names its practice (`organization_id`) and, when known, the patient it is
 * about (`patient_id`), as the record's rows are labelled.
 */
export const PRACTICE_SMS_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'reminders-conversations-recalls',
    sql: `
create table practice_sms_settings (
  organization_id text primary key,
  reminders_enabled boolean not null default false,
  window_from_hours integer not null default 24 check (window_from_hours >= 1),
  window_to_hours integer not null default 48 check (window_to_hours <= 168),
  updated_at timestamptz not null default now(),
  check (window_from_hours < window_to_hours)
);
create table practice_sms_template (
  organization_id text not null,
  kind text not null,
  body text not null,
  updated_at timestamptz not null default now(),
  primary key (organization_id, kind)
);
create table practice_sms_reminder (
  appointment_id text primary key,
  organization_id text not null,
  patient_id text not null,
  patient_name text not null,
  phone text not null,
  appointment_start timestamptz not null,
  sms_message_id text,
  status text not null check (status in ('sent', 'opted-out', 'cancelled-by-reply')),
  sent_at timestamptz not null default now(),
  cancelled_at timestamptz
);
create index practice_sms_reminder_phone_idx on practice_sms_reminder (phone, sent_at);
create index practice_sms_reminder_org_idx on practice_sms_reminder (organization_id, sent_at);
create table practice_sms_message (
  id bigint generated always as identity primary key,
  organization_id text not null,
  phone text not null,
  patient_id text,
  patient_name text,
  direction text not null check (direction in ('in', 'out')),
  kind text not null,
  body text not null,
  -- What it concerns (Appointment/1, DiagnosticReport/2): a results text is sent once per result.
  about text,
  sms_message_id text,
  communication_id text,
  sent_by text,
  created_at timestamptz not null default now()
);
create index practice_sms_message_thread_idx on practice_sms_message (organization_id, phone, id);
create index practice_sms_message_sms_idx on practice_sms_message (sms_message_id);
create table practice_sms_recall (
  id bigint generated always as identity primary key,
  organization_id text not null,
  review text not null,
  body text not null,
  sent_count integer not null,
  excluded_count integer not null,
  sent_by text not null,
  sent_at timestamptz not null default now()
);
create index practice_sms_recall_org_idx on practice_sms_recall (organization_id, sent_at);
`,
  },
];
