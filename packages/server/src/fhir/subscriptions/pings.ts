import type { Database, Queryable } from '../../db/database.ts';

/** The NOTIFY channel every instance listens on for websocket pings (src/events/listen.ts). */
export const PING_CHANNEL = 'careweave_subscription_ping';

/** How long a ping is looked for by the instances: far longer than any commit takes to be seen. */
export const PING_WINDOW_SECONDS = 60;
/** Pings older than this are swept (each instance has long since read them). */
const KEEP_MINUTES = 10;

export interface Ping {
  seq: string;
  subscriptionId: string;
}

/**
 * The websocket channel's pings across instances (migration 017): one row per notification, made
 * visible to every instance by a NOTIFY sent when it commits, heard through the same listener the
 * domain events use to wake every instance's runner (src/events/listen.ts, passed in by the app).
 */
export class PingRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Records a ping for the Subscription; every instance is told once it commits. */
  async send(subscriptionId: string): Promise<void> {
    await this.db.transaction(async (tx: Queryable) => {
      await tx.query('insert into subscription_ping (subscription_id) values ($1)', [subscriptionId]);
      await tx.query(`delete from subscription_ping where sent_at < now() - interval '${KEEP_MINUTES} minutes'`);
      // Delivered by PostgreSQL only if and when this transaction commits.
      await tx.query('select pg_notify($1, $2)', [PING_CHANNEL, '']);
    });
  }

  /**
   * The recent pings of these Subscriptions. A window rather than "after the last seq seen": a
   * transaction can commit its lower seq after a higher one is already visible, and would be missed.
   */
  async recent(subscriptionIds: readonly string[]): Promise<Ping[]> {
    if (!subscriptionIds.length) {
      return [];
    }
    const rows = await this.db.query<{ seq: string; subscription_id: string }>(
      `select seq::text as seq, subscription_id from subscription_ping
        where subscription_id = any($1::text[]) and sent_at > now() - interval '${PING_WINDOW_SECONDS} seconds'
        order by seq`,
      [subscriptionIds],
    );
    return rows.map((row) => ({ seq: row.seq, subscriptionId: row.subscription_id }));
  }
}
