import type { Queryable } from '../db/database.ts';
import { AUDIT_GENESIS_HASH } from '../db/migrations/002-access.ts';

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Rows checked. */
  checked: number;
  /** The last row of each chain (by chain number), to record elsewhere: rows after them can be removed undetected. */
  heads?: Record<string, ChainHead>;
  /** The first row whose hash or link does not hold, or a row a checkpoint names that is gone or changed. */
  firstBrokenSeq?: number;
  /** The chain of that row. */
  chain?: number;
  reason?: string;
}

interface Row {
  seq: number | string;
  chain: number | string;
  prev_hash: string;
  hash: string;
  recomputed: string;
}

/**
 * Recomputes every chain in seq order, a page at a time: each row's prev_hash must be the hash of
 * the previous row on its chain (zeros for a chain's first row) and its hash
 * sha256(prev_hash || canonical row). Editing a row breaks its hash; removing one breaks its
 * successor's link. Then every checkpoint's record of the other chains' heads must still hold,
 * which catches the removal of a chain's last rows up to the last checkpoint.
 */
export async function verifyAuditChains(db: Queryable, pageSize = 5000): Promise<VerifyResult> {
  const heads = new Map<number, ChainHead>();
  let after = -1;
  let checked = 0;
  for (;;) {
    const rows = await db.query<Row>(
      `select seq, chain, prev_hash, hash,
              encode(sha256(convert_to(prev_hash || audit_log_canonical(a), 'UTF8')), 'hex') as recomputed
         from audit_log a where seq > $1 order by seq limit $2`,
      [after, pageSize],
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      const chain = Number(row.chain);
      if (row.prev_hash !== (heads.get(chain)?.hash ?? AUDIT_GENESIS_HASH)) {
        return broken(checked, seq, chain, 'prev_hash does not match the preceding row of its chain');
      }
      if (row.recomputed !== row.hash) {
        return broken(checked, seq, chain, 'the row does not match its hash');
      }
      heads.set(chain, { seq, hash: row.hash });
      after = seq;
      checked++;
    }
    if (rows.length < pageSize) {
      break;
    }
  }
  const checkpoint = await brokenCheckpoint(db);
  if (checkpoint) {
    return { ...checkpoint, checked };
  }
  const sorted = [...heads.entries()].sort(([a], [b]) => a - b);
  return { ok: true, checked, heads: Object.fromEntries(sorted.map(([chain, head]) => [String(chain), head])) };
}

function broken(checked: number, seq: number, chain: number, reason: string): VerifyResult {
  return { ok: false, checked, firstBrokenSeq: seq, chain, reason };
}

/** The lowest row named by a checkpoint that is gone, changed or on another chain. */
async function brokenCheckpoint(db: Queryable): Promise<VerifyResult | undefined> {
  const [row] = await db.query<{ at: number | string; chain: string; ref_seq: number | string; found: unknown }>(
    `select c.seq as at, e.key as chain, (e.value->>0)::bigint as ref_seq, a.seq as found
       from audit_log c
       cross join lateral jsonb_each(c.checkpoint) e
       left join audit_log a on a.seq = (e.value->>0)::bigint
      where c.checkpoint is not null
        and (a.seq is null or a.hash <> e.value->>1 or a.chain <> e.key::int)
      order by (e.value->>0)::bigint limit 1`,
  );
  if (!row) {
    return undefined;
  }
  const what = row.found === null ? 'is missing' : 'has changed';
  return {
    ...broken(0, Number(row.ref_seq), Number(row.chain), ''),
    reason: `row ${String(row.ref_seq)} ${what}: the checkpoint in row ${String(row.at)} recorded it as the head of chain ${row.chain}`,
  };
}
