/**
 * Wakes the dispatcher once a transaction that may have added outbox events has committed (the store
 * hook asks its transaction to call `committed` then: `Queryable.afterCommit`). One drain runs at a
 * time per instance; commits arriving meanwhile ask for one more, so a burst of writes costs a few
 * drains, not one each. What a crashed instance left is found by the periodic sweep.
 */
export class Nudger {
  private readonly drain: () => Promise<unknown>;
  private readonly onError: (error: unknown) => void;
  private wanted = false;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(drain: () => Promise<unknown>, onError: (error: unknown) => void) {
    this.drain = drain;
    this.onError = onError;
  }

  start(): void {
    this.stopped = false;
  }

  /** Called once a writing transaction has committed. */
  committed(): void {
    if (this.stopped) {
      return; // the sweep will find the events
    }
    this.wanted = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
      // A commit between the loop's last check and here is not left waiting for the sweep.
      if (this.wanted) {
        this.committed();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wanted = false;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (this.wanted && !this.stopped) {
      this.wanted = false;
      try {
        await this.drain();
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
