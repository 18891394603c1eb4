/**
 * Indexes for the privacy officer's audit queries (`$audit-log?agent=…&date=…`, docs/ACCESS.md):
 * without them each such query read the whole trail, which grows by a row per access. The GIN index
 * (jsonb_path_ops, the smallest kind) serves the agent filter's containment tests on the actor
 * document; the btree serves date ranges. Both add a little to every audit insert.
 */
export const sql = `
create index audit_log_actor_idx on audit_log using gin (actor jsonb_path_ops);
create index audit_log_recorded_at_idx on audit_log (recorded_at);
`;
