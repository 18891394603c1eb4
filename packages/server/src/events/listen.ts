import pg from 'pg';
import type { Database, Queryable } from '../db/database.ts';

/** Stops listening. */
export type Unlisten = () => Promise<void>;

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 30_000;

/**
 * Tells every instance on the database, once `tx` commits (nothing if it rolls back). PostgreSQL
 * folds identical notifications of one transaction into one, so calling it per batch is cheap.
 */
export async function notifyOnCommit(tx: Queryable, channel: string): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [channel, '']);
}

/**
 * Calls `onNotify` whenever any instance on the database notifies `channel`, and once after every
 * (re)connection, since notifications sent while the listener was away are lost. On PostgreSQL it
 * holds one connection of its own beside the pool (a pooled one would be handed back and lose its
 * LISTEN), and reconnects with backoff when that connection drops; on PGlite, one process owns the
 * database and `listen` hears every commit of it.
 */
export async function listen(
  db: Database,
  channel: string,
  onNotify: () => void,
  onError: (error: unknown) => void,
): Promise<Unlisten> {
  const native = db.native;
  if (native.kind === 'pglite') {
    return native.pglite.listen(channel, () => onNotify());
  }
  return new PostgresListener(native.pool.options, channel, onNotify, onError).start();
}

class PostgresListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private timer: NodeJS.Timeout | undefined;
  private readonly config: pg.ClientConfig;
  private readonly channel: string;
  private readonly onNotify: () => void;
  private readonly onError: (error: unknown) => void;

  constructor(config: pg.ClientConfig, channel: string, onNotify: () => void, onError: (error: unknown) => void) {
    this.config = config;
    this.channel = channel;
    this.onNotify = onNotify;
    this.onError = onError;
  }

  async start(): Promise<Unlisten> {
    await this.connect();
    return () => this.stop();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.config, keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === this.channel) {
        this.onNotify();
      }
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(this.channel)}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.stopped || this.client !== client) {
      return;
    }
    this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (error) {
      this.onError(error);
    }
    this.reconnectLater();
  }

  private reconnectLater(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.connect()
        .then(() => this.onNotify()) // catch up on what was sent while away
        .catch((error: unknown) => {
          this.onError(error);
          this.retryMs = Math.min(this.retryMs * 2, LONGEST_RETRY_MS);
          this.reconnectLater();
        });
    }, this.retryMs);
    this.timer.unref();
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
