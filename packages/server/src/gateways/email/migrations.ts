import type { ModuleMigration } from '../../modules/contract.ts';

/**
 * The e-mail module's tables. Access labels: `sender_organization_id` is the Organization whose
 * staff or module sent the message; its administrators see its rows, system clients see all
 * (email.service.ts). `email_caught` holds what the local catcher received (demo and tests only).
 */
export const EMAIL_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'email_message and email_caught',
    sql: `
create table email_message (
  id uuid primary key default gen_random_uuid(),
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text,
  -- What the message concerns, as the module that sent it names it ('Communication/123', …).
  reference text,
  sender_organization_id text,
  status text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
  attempts integer not null default 0,
  error text,
  -- The relay's id for it (its Message-ID, or the queue id in its reply).
  provider_message_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  sent_at timestamptz
);
create index email_message_status_idx on email_message (status, created_at);
create index email_message_reference_idx on email_message (reference, created_at);

create table email_caught (
  id bigint generated always as identity primary key,
  message_id text,
  envelope_from text,
  envelope_to text[] not null,
  subject text,
  text_body text,
  html_body text,
  received_at timestamptz not null default now()
);
`,
  },
];
