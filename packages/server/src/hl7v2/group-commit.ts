/**
 * Group commit for intake: messages arriving at the same time on different connections are applied
 * one after another in one transaction, and all are acknowledged once it commits. A transaction per
 * message paid its begin, commit and WAL flush for every message; under load most of a message's
 * cost was that and its round trips, not its work.
 *
 * Messages are put in lanes by a key (the patient): a lane runs one batch at a time and takes its
 * messages in the order they arrived, so two messages about the same patient are applied in arrival
 * order even when they came on different connections. Lanes run in parallel (the record's own locks
 * serialise what they share). A batch that fails as a whole (a deadlock with another server, a
 * dropped connection) is not partly committed: its messages are then tried again one transaction
 * each, so one message that cannot be stored never costs the others their ACK.
 */

export interface GroupCommitOptions<T, R> {
  /** Applies the items, in order, in one transaction; returns one result per item once committed. */
  apply: (items: readonly T[]) => Promise<R[]>;
  /** Lanes run in parallel (default 2). */
  lanes?: number;
  /** Items per transaction at most (default 16). */
  maxBatch?: number;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

interface Lane<T, R> {
  queue: Waiting<T, R>[];
  running: boolean;
}

/**
 * @example
 * const commits = new GroupCommit({ apply: (messages) => db.transaction((tx) => applyAll(tx, messages)) });
 * const ack = await commits.submit(patientKey, message); // settles after the commit
 */
export class GroupCommit<T, R> {
  private readonly lanes: Lane<T, R>[];
  private readonly maxBatch: number;
  private readonly apply: (items: readonly T[]) => Promise<R[]>;

  constructor(options: GroupCommitOptions<T, R>) {
    this.apply = options.apply;
    this.maxBatch = Math.max(1, options.maxBatch ?? 16);
    this.lanes = Array.from({ length: Math.max(1, options.lanes ?? 2) }, () => ({ queue: [], running: false }));
  }

  /** Resolves with the item's result once its transaction has committed. */
  submit(key: string, item: T): Promise<R> {
    const lane = this.lanes[laneOf(key, this.lanes.length)]!;
    return new Promise<R>((resolve, reject) => {
      lane.queue.push({ item, resolve, reject });
      if (!lane.running) {
        lane.running = true;
        void this.drain(lane);
      }
    });
  }

  /** Runs the lane's batches until its queue is empty; what arrives meanwhile joins the next batch. */
  private async drain(lane: Lane<T, R>): Promise<void> {
    try {
      while (lane.queue.length) {
        await this.run(lane.queue.splice(0, this.maxBatch));
      }
    } finally {
      lane.running = false;
    }
  }

  private async run(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.apply(batch.map((w) => w.item));
      batch.forEach((waiting, i) => waiting.resolve(results[i]!));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    // Nothing of the batch was committed: each message on its own, so only a bad one fails.
    for (const waiting of batch) {
      try {
        const [result] = await this.apply([waiting.item]);
        waiting.resolve(result!);
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}

/** A stable lane for a key (FNV-1a), so one patient's messages always share a lane. */
function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}
