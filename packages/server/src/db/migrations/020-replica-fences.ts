/**
 * Read replicas (src/db/replicas.ts): each caller's last write position, kept on the primary so
 * every app instance routes that caller's reads to a replica only once it has replayed the write
 * (read-your-writes across instances).
 */
export const sql = `
create table replica_read_fence (
  caller text primary key,
  lsn pg_lsn not null,
  written_at timestamptz not null default now()
);
`;
