/**
 * FHIR Subscriptions (src/fhir/subscriptions/). The Subscription resources themselves are ordinary
 * resources in the store; `subscription` holds what the store does not: who owns each one (the
 * Actor the notifications are evaluated as) and a copy of what matching needs, kept in step with
 * the resource by the store hook. `subscription_event` is the outbox: one row per write of a type
 * some Subscription watches, inserted in the write's own transaction, consumed by the dispatcher.
 */
export const sql = `
create table subscription (
  id text primary key,
  -- Who may see and change it (fhir/subscriptions/owner.ts); null: written without a caller
  -- (import, internal), so it is hidden from everyone but system clients and never delivered.
  owner_key text,
  -- The owner's Actor (src/access/actor.ts) as JSON: delivery is evaluated as this actor.
  owner jsonb,
  -- Mirrors of the resource (null until the first write's hook has run).
  resource_type text,
  criteria text,
  status text,
  ends_at timestamptz,
  deleted boolean not null default false,
  -- Numbering of notifications (R4 backport: events-since-subscription-start).
  events_since_start bigint not null default 0,
  created_at timestamptz not null default now()
);
create index subscription_owner_idx on subscription (owner_key);
create index subscription_live_idx on subscription (resource_type) where status in ('active', 'error') and not deleted;

create table subscription_event (
  seq bigint generated always as identity primary key,
  resource_type text not null,
  resource_id text not null,
  version_id integer not null,
  deleted boolean not null,
  recorded_at timestamptz not null default now()
);
`;
