/**
 * Domain events (src/events/, docs/EVENTS.md). Events are the writes recorded in the Subscription
 * outbox `subscription_event` (migration 006); when the dispatcher takes an event it adds, in the
 * same transaction, one `event_reaction` row for each reaction registered for it. The row is the
 * reaction's delivery: claimed by one instance at a time, retried with backoff, and left `failed`
 * (listed by GET /api/events/reactions) once its attempts are spent.
 *
 * Access labels: none needed; rows name a resource by type and id only. They are listed to system
 * clients and to staff who work the integration worklist (R8008, R8013).
 */
export const sql = `
create table event_reaction (
  id bigint generated always as identity primary key,
  -- The outbox event (subscription_event.seq); the outbox row itself is deleted once taken.
  event_seq bigint not null,
  reaction text not null,
  resource_type text not null,
  resource_id text not null,
  version_id integer not null,
  interaction text not null check (interaction in ('create', 'update', 'delete')),
  status text not null default 'pending' check (status in ('pending', 'done', 'failed')),
  attempts integer not null default 0,
  last_error text,
  -- When the row may next be claimed: a retry's backoff, or the lease of the instance running it.
  next_attempt_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  done_at timestamptz,
  unique (event_seq, reaction)
);
create index event_reaction_due_idx on event_reaction (next_attempt_at) where status = 'pending';
create index event_reaction_status_idx on event_reaction (status, id);
`;
