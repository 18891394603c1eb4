/**
 * FHIR Bulk Data export (src/fhir/bulk/): the export requests, who made them, and their output.
 * The NDJSON files live here rather than on one instance's disk, so any instance can answer a
 * status request or serve a file whichever instance ran the job. A file is stored as chunks (one
 * page of resources each) so neither writing nor serving it holds a whole file in memory.
 * The queue itself is pg-boss's, in its own schema (`pgboss`), installed by pg-boss at start.
 */
export const sql = `
create table bulk_export_job (
  id text primary key,
  -- Whose export it is: only this key may read its status and files (see fhir/bulk/owner.ts).
  owner_key text not null,
  -- The Actor (src/access/actor.ts) as JSON: the job rebuilds the caller's access restriction
  -- from it, in whichever instance runs it.
  actor jsonb not null,
  level text not null check (level in ('system', 'patient', 'group')),
  group_id text,
  -- Requested types; empty means every type the caller's scopes allow.
  types text[] not null default '{}',
  since timestamptz,
  request_url text not null,
  status text not null default 'accepted' check (status in ('accepted', 'in-progress', 'completed', 'failed')),
  progress text,
  error text,
  transaction_time timestamptz not null,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  expires_at timestamptz not null
);
create index bulk_export_job_expiry_idx on bulk_export_job (expires_at);

create table bulk_export_file (
  job_id text not null references bulk_export_job (id) on delete cascade,
  file_no integer not null,
  resource_type text not null,
  resource_count integer not null default 0,
  primary key (job_id, file_no)
);

-- Each chunk is NDJSON lines ending in a newline; a file is its chunks in order.
create table bulk_export_chunk (
  job_id text not null,
  file_no integer not null,
  chunk_no integer not null,
  content text not null,
  primary key (job_id, file_no, chunk_no),
  foreign key (job_id, file_no) references bulk_export_file (job_id, file_no) on delete cascade
);
`;
