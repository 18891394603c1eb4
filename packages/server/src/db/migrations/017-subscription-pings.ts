/**
 * FHIR Subscriptions' websocket channel (src/fhir/subscriptions/websocket.ts). A client's websocket
 * is bound on one instance while the notification may be produced on any: each ping is a row here,
 * committed with a NOTIFY, which every instance reads for the Subscriptions bound on it. Rows only
 * carry a Subscription id (what the R4 `ping {id}` frame says) and are swept after minutes.
 */
export const sql = `
create table subscription_ping (
  seq bigint generated always as identity primary key,
  subscription_id text not null,
  sent_at timestamptz not null default now()
);
create index subscription_ping_recent_idx on subscription_ping (subscription_id, sent_at);
create index subscription_ping_sent_idx on subscription_ping (sent_at);
`;
