/**
 * The audit log as several independent hash chains, so that concurrent writers no longer queue
 * behind one global lock (docs/PERFORMANCE.md, finding 1; docs/ACCESS.md, Audit).
 *
 * - `chain`: which chain a row belongs to (0 … AUDIT_CHAINS - 1). Every row written before this
 *   migration is on chain 0, and the first new chain-0 row links to the last of them, so the old
 *   rows still verify. Each chain has its own advisory lock (the two-key form, keyed by the chain)
 *   and its own "previous hash". A transaction takes the first chain whose lock is free, starting
 *   from `pg_backend_pid() % AUDIT_CHAINS`, and keeps it for the rest of its rows (a
 *   transaction-local setting remembers which). It waits only when every chain is busy, and then
 *   only while it holds none, so the chain locks cannot deadlock.
 * - `checkpoint`: about every AUDIT_CHECKPOINT_EVERY rows (by seq), the row being written also
 *   records the head (seq and hash) of every other chain as committed at that moment. Removing
 *   the last rows of a chain breaks no link inside that chain, but it removes rows a later
 *   checkpoint names, which verification detects. Only rows written after the last surviving
 *   checkpoint can be removed without trace (as the tail of a single chain could be before).
 * - The hash covers `chain` and `checkpoint` too; for rows on chain 0 without a checkpoint the
 *   canonical text is exactly the old one, which is what keeps the existing rows valid.
 */
import { AUDIT_CHAIN_LOCK_KEY, AUDIT_GENESIS_HASH } from './002-access.ts';

export const AUDIT_CHAINS = 16;
export const AUDIT_CHECKPOINT_EVERY = 100;

export const sql = `
alter table audit_log add column chain smallint not null default 0;
alter table audit_log add column checkpoint jsonb;
create index audit_log_chain_idx on audit_log (chain, seq);

create or replace function audit_log_canonical(a audit_log) returns text language sql stable as $fn$
  select case when a.chain = 0 and a.checkpoint is null then
    jsonb_build_array(
      a.seq,
      to_char(a.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      a.actor, a.patient_ids, a.resource_refs, a.interaction, a.purpose, a.decision,
      a.break_glass_reason, a.query
    )::text
  else
    jsonb_build_array(
      a.seq,
      to_char(a.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      a.actor, a.patient_ids, a.resource_refs, a.interaction, a.purpose, a.decision,
      a.break_glass_reason, a.query, a.chain, a.checkpoint
    )::text
  end
$fn$;

-- The chain this transaction writes to: the one it already took (remembered in a transaction-local
-- setting, so a transaction never holds two chains), else the first free one from its backend's
-- own, else (every chain busy) wait for its own. Waiting only while holding none cannot deadlock.
create function audit_log_take_chain() returns smallint language plpgsql as $fn$
declare
  held text := current_setting('careweave.audit_chain', true);
  start integer := pg_backend_pid() % ${AUDIT_CHAINS};
  candidate integer := start;
begin
  if held is not null and held <> '' then
    return held::smallint;
  end if;
  for i in 0 .. ${AUDIT_CHAINS - 1} loop
    if pg_try_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY}, (start + i) % ${AUDIT_CHAINS}) then
      candidate := (start + i) % ${AUDIT_CHAINS};
      exit;
    end if;
    if i = ${AUDIT_CHAINS - 1} then
      perform pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY}, start);
    end if;
  end loop;
  perform set_config('careweave.audit_chain', candidate::text, true);
  return candidate;
end
$fn$;

-- enable_seqscan off: the plans of these lookups are cached per connection, and a plan made while
-- audit_log was small (a seq scan and sort) would otherwise stay in use as it grows, making every
-- insert scan the whole table (a batch of buffered rows then takes minutes). With it, they always
-- use audit_log_chain_idx.
create or replace function audit_log_chain() returns trigger language plpgsql
set enable_seqscan = off as $fn$
declare
  previous text;
begin
  -- All of a transaction's rows go to the chain it took first, in order.
  new.chain := audit_log_take_chain();
  select hash into previous from audit_log where chain = new.chain order by seq desc limit 1;
  new.seq := nextval('audit_log_seq');
  new.recorded_at := clock_timestamp();
  new.prev_hash := coalesce(previous, '${AUDIT_GENESIS_HASH}');
  new.checkpoint := null;
  if new.seq % ${AUDIT_CHECKPOINT_EVERY} = 0 then
    select jsonb_object_agg(h.chain::text, jsonb_build_array(h.seq, h.hash)) into new.checkpoint
      from generate_series(0, ${AUDIT_CHAINS - 1}) as c(n)
      cross join lateral (select a.chain, a.seq, a.hash from audit_log a
                           where a.chain = c.n order by a.seq desc limit 1) h
     where c.n <> new.chain;
  end if;
  new.hash := encode(sha256(convert_to(new.prev_hash || audit_log_canonical(new), 'UTF8')), 'hex');
  return new;
end
$fn$;
`;
