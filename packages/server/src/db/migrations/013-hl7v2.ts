/**
 * HL7 v2 intake (src/hl7v2/, docs/HL7V2.md): every message received over MLLP, kept as it came,
 * whatever became of it. A message is identified by its sender's facility (MSH-4) and control id
 * (MSH-10): the first one is the original, a repeat is kept as a `duplicate` row pointing at it and
 * is answered with the original's ACK. Messages in `error` (AE) and `rejected` (AR) are the
 * integration worklist.
 *
 * Access labels: `organization_id` is the Organization the sending facility was matched to (null
 * when it was not known) and `patient_id` the Patient the message was applied to or matched; staff
 * of that organisation with an integration role see its rows (hl7v2/worklist.ts).
 */
export const sql = `
create table hl7_message (
  id bigint generated always as identity primary key,
  received_at timestamptz not null default now(),
  -- MSH-3 and MSH-4 as sent (HD: namespace id^universal id^type); null when the header was unreadable.
  sending_application text,
  sending_facility text,
  -- MSH-10, MSH-9.1, MSH-9.2, MSH-12.
  control_id text,
  message_type text,
  trigger_event text,
  version text,
  -- The message as received (decoded as UTF-8); for a message over the size limit, its first bytes.
  raw text not null,
  raw_bytes integer not null,
  -- 'received' only inside the transaction that processes the message; never committed.
  status text not null check (status in ('received', 'accepted', 'error', 'rejected', 'duplicate')),
  ack_code text check (ack_code in ('AA', 'AE', 'AR')),
  -- The ACK sent (a repeat of the message gets it again).
  ack text,
  error text,
  -- What the message wrote: 'Encounter/{id}', …
  resource_refs text[] not null default '{}',
  organization_id text,
  patient_id text,
  duplicate_of bigint references hl7_message (id),
  processed_at timestamptz,
  attempts integer not null default 1,
  retried_at timestamptz,
  retried_by jsonb
);
create unique index hl7_message_sender_control_idx on hl7_message (sending_facility, control_id)
  where duplicate_of is null and control_id is not null and sending_facility is not null;
create index hl7_message_worklist_idx on hl7_message (status, id) where status in ('error', 'rejected');
create index hl7_message_organization_idx on hl7_message (organization_id, status, id);
`;
