import type { Actor } from '../../access/actor.ts';
import type { Queryable } from '../../db/database.ts';
import { jsonbValue } from '../../db/jsonb.ts';

export interface SubscriptionRow {
  id: string;
  ownerKey: string | null;
  owner: Actor | null;
  resourceType: string | null;
  criteria: string | null;
  status: string | null;
  deleted: boolean;
}

export interface OutboxEvent {
  seq: string;
  resourceType: string;
  resourceId: string;
  versionId: number;
  deleted: boolean;
}

/** What the store hook mirrors from a Subscription resource. */
export interface SubscriptionMirror {
  id: string;
  resourceType: string | null;
  criteria: string | null;
  status: string | null;
  endsAt: string | null;
}

interface Row {
  id: string;
  owner_key: string | null;
  owner: Actor | string | null;
  resource_type: string | null;
  criteria: string | null;
  status: string | null;
  deleted: boolean;
}

function toRow(row: Row): SubscriptionRow {
  return {
    id: row.id,
    ownerKey: row.owner_key,
    owner: jsonbValue(row.owner),
    resourceType: row.resource_type,
    criteria: row.criteria,
    status: row.status,
    deleted: row.deleted,
  };
}

// Evaluated and delivered: `error` keeps being tried (a success clears it); past `end`, it is off.
const LIVE = `status in ('active', 'error') and not deleted and (ends_at is null or ends_at > now())`;

/** Subscriptions' owners and matching state, and the outbox of writes to match (migration 006). */
export class SubscriptionRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async find(id: string): Promise<SubscriptionRow | undefined> {
    const [row] = await this.db.query<Row>('select * from subscription where id = $1', [id]);
    return row && toRow(row);
  }

  /** Records the owner of a new Subscription; an existing row (and owner) is kept. */
  async claim(id: string, ownerKey: string, owner: Actor): Promise<void> {
    await this.db.query(
      `insert into subscription (id, owner_key, owner) values ($1, $2, $3::jsonb) on conflict (id) do nothing`,
      [id, ownerKey, JSON.stringify(owner)],
    );
  }

  /** Keeps the matching columns in step with the stored resource (a row without owner is created if needed). */
  async mirror(subscriptions: readonly SubscriptionMirror[]): Promise<void> {
    if (!subscriptions.length) {
      return;
    }
    await this.db.query(
      `insert into subscription (id, resource_type, criteria, status, ends_at, deleted)
       select id, t, c, s, e, false from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         as m(id, t, c, s, e)
       on conflict (id) do update set resource_type = excluded.resource_type, criteria = excluded.criteria,
         status = excluded.status, ends_at = excluded.ends_at, deleted = false`,
      [
        subscriptions.map((s) => s.id),
        subscriptions.map((s) => s.resourceType),
        subscriptions.map((s) => s.criteria),
        subscriptions.map((s) => s.status),
        subscriptions.map((s) => s.endsAt),
      ],
    );
  }

  async markDeleted(ids: readonly string[]): Promise<void> {
    if (ids.length) {
      await this.db.query('update subscription set deleted = true where id = any($1::text[])', [ids]);
    }
  }

  /**
   * Adds to the outbox the writes of types some live Subscription watches, and of `alsoTypes` (those
   * domain-event reactions watch, src/events/). Queued (`Queryable.queue`): in a transaction it goes
   * out with the write's next statement.
   */
  async recordEvents(
    writes: readonly { resourceType: string; id: string; versionId: number; deleted: boolean }[],
    alsoTypes: readonly string[] = [],
  ): Promise<void> {
    await this.db.queue(
      `insert into subscription_event (resource_type, resource_id, version_id, deleted)
       select w.t, w.i, w.v, w.d from unnest($1::text[], $2::text[], $3::int[], $4::boolean[]) as w(t, i, v, d)
        where w.t = any($5::text[]) or w.t in (select resource_type from subscription where ${LIVE})`,
      [
        writes.map((w) => w.resourceType),
        writes.map((w) => w.id),
        writes.map((w) => w.versionId),
        writes.map((w) => w.deleted),
        alsoTypes,
      ],
      { genericPlan: true },
    );
  }

  /** The oldest outbox events no other transaction holds, locked until this one ends. */
  async claimEvents(limit: number): Promise<OutboxEvent[]> {
    const rows = await this.db.query<{
      seq: string;
      resource_type: string;
      resource_id: string;
      version_id: number;
      deleted: boolean;
    }>(
      `select seq::text as seq, resource_type, resource_id, version_id, deleted from subscription_event
        order by seq limit $1 for update skip locked`,
      [limit],
    );
    return rows.map((r) => ({
      seq: r.seq,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      versionId: Number(r.version_id),
      deleted: r.deleted,
    }));
  }

  async deleteEvents(seqs: readonly string[]): Promise<void> {
    await this.db.query('delete from subscription_event where seq = any($1::bigint[])', [seqs]);
  }

  /** Live, owned Subscriptions watching any of these types. */
  async live(resourceTypes: readonly string[]): Promise<SubscriptionRow[]> {
    const rows = await this.db.query<Row>(
      `select * from subscription where resource_type = any($1::text[]) and owner is not null and ${LIVE}
        order by id`,
      [resourceTypes],
    );
    return rows.map(toRow);
  }

  /** The next notification number of a Subscription. */
  async nextEventNumber(id: string): Promise<number> {
    const [row] = await this.db.query<{ n: string }>(
      'update subscription set events_since_start = events_since_start + 1 where id = $1 returning events_since_start as n',
      [id],
    );
    return Number(row?.n ?? 0);
  }
}
