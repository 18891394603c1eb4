import type { ModuleMigration } from '../modules/contract.ts';

/**
 * The module's operational state. Each notification's words are also a FHIR Communication in the
 * record (same id); these rows add what the record does not keep: who has read or acknowledged
 * it, and what became of each text message or e-mail. Every row carries the access label of its
 * Communication: the patient it is about (`patient_id`, null for none).
 */
export const NOTIFICATION_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'inbox, deliveries, preferences, digests',
    sql: `
create table notification (
  id text primary key,
  kind text not null,
  category text not null,
  priority text not null check (priority in ('routine', 'urgent')),
  -- Practitioner/…, Patient/… or RelatedPerson/…
  recipient text not null,
  patient_id text,
  -- sent: in the inbox, with its Communication; refused: the recipient may not see what it is about,
  -- so nothing was sent and no words are kept (reason says why).
  status text not null check (status in ('sent', 'refused')),
  reason text,
  subject text,
  subject_display text,
  about text,
  about_display text,
  title text,
  body text,
  -- A caller's key for "this once" (a reaction run twice notifies once).
  idempotency_key text unique,
  sent_at timestamptz not null default now(),
  read_at timestamptz,
  acknowledged_at timestamptz
);
create index notification_inbox_idx on notification (recipient, sent_at desc) where status = 'sent';
create index notification_unread_idx on notification (recipient) where status = 'sent' and read_at is null;

create table notification_delivery (
  notification_id text not null references notification (id) on delete cascade,
  channel text not null check (channel in ('sms', 'email')),
  -- pending: a job will send it (after deliver_after); digest: waits for the daily digest;
  -- sent: handed to the SMS or e-mail module; skipped / failed: not sent (detail says why).
  status text not null check (status in ('pending', 'digest', 'sent', 'skipped', 'failed')),
  address text,
  -- The text message, or the e-mail's subject: minimal, never the inbox text.
  message text,
  deliver_after timestamptz,
  detail text,
  patient_id text,
  -- The organisation a text is sent for (a member of staff's own): its staff see it in /api/sms.
  organization_id text,
  updated_at timestamptz not null default now(),
  primary key (notification_id, channel)
);
create index notification_delivery_digest_idx on notification_delivery (channel) where status = 'digest';

create table notification_preference (
  recipient text primary key,
  kinds jsonb not null default '{}'::jsonb,
  quiet_start text,
  quiet_end text,
  digest_time text not null default '08:00',
  phone text,
  email text,
  updated_at timestamptz not null default now()
);

-- One digest per person, channel and (Europe/London) day, across every instance.
create table notification_digest (
  recipient text not null,
  channel text not null,
  day date not null,
  items integer not null,
  sent_at timestamptz not null default now(),
  primary key (recipient, channel, day)
);
`,
  },
];
