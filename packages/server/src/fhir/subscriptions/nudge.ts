import type { Database } from '../../db/database.ts';
import { SubscriptionRepository } from './repository.ts';

const FIRST_WAIT_MS = 5;
const LONGEST_WAIT_MS = 1000;
/**
 * Each check waits this much longer than the one before: gentler than doubling, so a commit that
 * takes a little longer (a busy machine) is seen within half as much again, not twice as much.
 */
const BACKOFF = 1.5;
/** A transaction open longer than this is left to the periodic sweep. */
const GIVE_UP_MS = 10 * 60_000;

/**
 * Wakes the dispatcher once a transaction that added outbox events has finished. The store hook
 * runs inside the transaction, when its events are not yet visible to anyone else, so this polls
 * `pg_xact_status` (cheap, and only while such a transaction is open) and drains as soon as it has
 * committed. One loop per instance: writes arriving meanwhile are handled by the same drain.
 */
export class Nudger {
  private readonly db: Database;
  private readonly drain: () => Promise<unknown>;
  private readonly onError: (error: unknown) => void;
  private readonly pending = new Map<string, number>();
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(db: Database, drain: () => Promise<unknown>, onError: (error: unknown) => void) {
    this.db = db;
    this.drain = drain;
    this.onError = onError;
  }

  start(): void {
    this.stopped = false;
  }

  /** Called from inside the writing transaction. */
  add(txid: string): void {
    if (this.stopped) {
      return; // the sweep will find the events
    }
    this.pending.set(txid, Date.now());
    this.running ??= this.loop()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    await this.running;
  }

  private async loop(): Promise<void> {
    let wait = FIRST_WAIT_MS;
    while (this.pending.size && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      const finished = await new SubscriptionRepository(this.db).finished([...this.pending.keys()]);
      for (const txid of finished) {
        this.pending.delete(txid);
      }
      for (const [txid, since] of this.pending) {
        if (Date.now() - since > GIVE_UP_MS) {
          this.pending.delete(txid);
        }
      }
      if (finished.length && !this.stopped) {
        await this.drain();
        wait = FIRST_WAIT_MS;
      } else {
        wait = Math.min(wait * BACKOFF, LONGEST_WAIT_MS);
      }
    }
  }
}
