import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import type { Interaction } from './bus.ts';

export type ReactionStatus = 'pending' | 'done' | 'failed';
export const REACTION_STATUSES: readonly ReactionStatus[] = ['pending', 'done', 'failed'];

export interface ReactionRow {
  id: string;
  eventSeq: string;
  reaction: string;
  resourceType: string;
  resourceId: string;
  versionId: number;
  interaction: Interaction;
  status: ReactionStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  createdAt: string;
  doneAt: string | null;
}

export interface NewReaction {
  eventSeq: string;
  reaction: string;
  resourceType: string;
  resourceId: string;
  versionId: number;
  interaction: Interaction;
  /** Set when the reaction failed before it could run (its filter threw). */
  error?: string;
}

interface Row {
  id: string;
  event_seq: string;
  reaction: string;
  resource_type: string;
  resource_id: string;
  version_id: number;
  interaction: Interaction;
  status: ReactionStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | string;
  created_at: Date | string;
  done_at: Date | string | null;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

function toRow(row: Row): ReactionRow {
  return {
    id: String(row.id),
    eventSeq: String(row.event_seq),
    reaction: row.reaction,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    versionId: Number(row.version_id),
    interaction: row.interaction,
    status: row.status,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    nextAttemptAt: iso(row.next_attempt_at),
    createdAt: iso(row.created_at),
    doneAt: row.done_at === null ? null : iso(row.done_at),
  };
}

const COLUMNS =
  'id::text as id, event_seq::text as event_seq, reaction, resource_type, resource_id, version_id, interaction, status, attempts, last_error, next_attempt_at, created_at, done_at';

/** Deliveries of events to reactions (migration 015). */
export class ReactionRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /** Records deliveries; one already recorded for the same event and reaction is kept. */
  async record(rows: readonly NewReaction[]): Promise<number> {
    if (!rows.length) {
      return 0;
    }
    const added = await this.db.query(
      `insert into event_reaction (event_seq, reaction, resource_type, resource_id, version_id, interaction, status, last_error)
       select s, r, t, i, v, n, case when e is null then 'pending' else 'failed' end, e
         from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[])
           as x(s, r, t, i, v, n, e)
       on conflict (event_seq, reaction) do nothing
       returning 1`,
      [
        rows.map((r) => r.eventSeq),
        rows.map((r) => r.reaction),
        rows.map((r) => r.resourceType),
        rows.map((r) => r.resourceId),
        rows.map((r) => r.versionId),
        rows.map((r) => r.interaction),
        rows.map((r) => r.error ?? null),
      ],
    );
    return added.length;
  }

  /**
   * Takes due deliveries no other instance holds and leases them for `leaseMs` (counting the
   * attempt): an instance that dies mid-run leaves them to be taken again when the lease ends.
   */
  async claim(limit: number, leaseMs: number): Promise<ReactionRow[]> {
    const rows = await this.db.query<Row>(
      `update event_reaction set attempts = attempts + 1,
              next_attempt_at = now() + $2::double precision * interval '1 millisecond'
        where id in (select id from event_reaction where status = 'pending' and next_attempt_at <= now()
                      order by id limit $1 for update skip locked)
        returning ${COLUMNS}`,
      [limit, leaseMs],
    );
    return rows.map(toRow);
  }

  /** Marks deliveries handled together done, in one statement. */
  async doneMany(ids: readonly string[]): Promise<void> {
    await this.db.query(
      `update event_reaction set status = 'done', done_at = now(), last_error = null where id = any($1::bigint[])`,
      [ids],
    );
  }

  async done(id: string): Promise<void> {
    await this.db.query(`update event_reaction set status = 'done', done_at = now(), last_error = null where id = $1`, [
      id,
    ]);
  }

  /** Records a failed attempt: tried again after `retryInMs`, or failed for good when undefined. */
  async failed(id: string, error: string, retryInMs: number | undefined): Promise<void> {
    await this.db.query(
      retryInMs === undefined
        ? `update event_reaction set status = 'failed', last_error = $2 where id = $1`
        : `update event_reaction set last_error = $2,
             next_attempt_at = now() + $3::double precision * interval '1 millisecond' where id = $1`,
      retryInMs === undefined ? [id, error] : [id, error, retryInMs],
    );
  }

  /** Gives a claimed delivery back untried (its attempt not counted), to be taken after `delayMs`. */
  async postpone(id: string, reason: string, delayMs: number): Promise<void> {
    await this.db.query(
      `update event_reaction set attempts = greatest(attempts - 1, 0), last_error = $2,
         next_attempt_at = now() + $3::double precision * interval '1 millisecond' where id = $1`,
      [id, reason, delayMs],
    );
  }

  /**
   * Stored versions of resources, in one query (the outbox dispatcher's filters see a batch of
   * events at once), keyed `Type/id/version`; a missing or deleted version is absent. Read straight
   * from the FHIR store's `resource_version`: unrestricted and unaudited, as nothing is disclosed here.
   */
  async versions(
    keys: readonly { resourceType: string; id: string; versionId: number }[],
  ): Promise<Map<string, Resource>> {
    const wanted = keys.filter((k) => k.versionId >= 1);
    if (!wanted.length) {
      return new Map();
    }
    const rows = await this.db.query<{
      resource_type: string;
      id: string;
      version_id: number;
      content: string | object;
    }>(
      `select v.resource_type, v.id, v.version_id, v.content
         from resource_version v
         join unnest($1::text[], $2::text[], $3::int[]) as k(t, i, n) on v.resource_type = k.t and v.id = k.i and v.version_id = k.n
        where not v.deleted and v.content is not null`,
      [wanted.map((k) => k.resourceType), wanted.map((k) => k.id), wanted.map((k) => k.versionId)],
    );
    return new Map(
      rows.map((r) => [
        `${r.resource_type}/${r.id}/${Number(r.version_id)}`,
        (typeof r.content === 'string' ? JSON.parse(r.content) : r.content) as Resource,
      ]),
    );
  }

  /** Milliseconds until the next pending delivery is due, if any. */
  async nextDueInMs(): Promise<number | undefined> {
    const [row] = await this.db.query<{ ms: number | string | null }>(
      `select extract(epoch from (min(next_attempt_at) - now())) * 1000 as ms from event_reaction where status = 'pending'`,
    );
    return row?.ms === null || row?.ms === undefined ? undefined : Math.max(0, Number(row.ms));
  }

  async find(id: string): Promise<ReactionRow | undefined> {
    const [row] = await this.db.query<Row>(`select ${COLUMNS} from event_reaction where id = $1`, [id]);
    return row && toRow(row);
  }

  /** Newest first; `before` an id for the next page. */
  async list(filter: { status?: ReactionStatus; before?: string; count: number }): Promise<ReactionRow[]> {
    const rows = await this.db.query<Row>(
      `select ${COLUMNS} from event_reaction
        where ($1::text is null or status = $1) and ($2::bigint is null or id < $2)
        order by id desc limit $3`,
      [filter.status ?? null, filter.before ?? null, filter.count],
    );
    return rows.map(toRow);
  }

  /** Puts a failed delivery back to be run now, with its attempts counted afresh. */
  async retry(id: string): Promise<ReactionRow | undefined> {
    const [row] = await this.db.query<Row>(
      `update event_reaction set status = 'pending', attempts = 0, next_attempt_at = now()
        where id = $1 and status = 'failed' returning ${COLUMNS}`,
      [id],
    );
    return row && toRow(row);
  }
}
