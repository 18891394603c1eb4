/**
 * Text messages (src/gateways/sms/, docs/SMS.md): every message sent or received, and the numbers
 * that texted STOP. An inbound message is identified by its provider's message id, so a callback
 * the provider repeats is stored once.
 *
 * Access labels: `sender_organization_id` is the Organization whose staff or module sent an
 * outbound message; its staff see its rows, system clients see all (gateways/sms/sms.service.ts).
 */
export const sql = `
create table sms_message (
  id bigint generated always as identity primary key,
  direction text not null check (direction in ('in', 'out')),
  -- E.164, e.g. +447700900123.
  phone text not null,
  body text not null,
  -- 'loopback', 'notify', 'twilio'.
  provider text not null,
  provider_message_id text,
  status text not null check (status in ('queued', 'sent', 'delivered', 'failed', 'received')),
  error text,
  -- What the message concerns, as the module that sent it names it ('Appointment/123', …).
  reference text,
  sender_organization_id text,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index sms_message_provider_id_idx on sms_message (provider, provider_message_id)
  where provider_message_id is not null;
create index sms_message_reference_idx on sms_message (reference, id);
create index sms_message_phone_idx on sms_message (phone, id);

create table sms_opt_out (
  phone text primary key,
  opted_out_at timestamptz not null default now(),
  -- The provider the STOP came through.
  via text not null
);
`;
