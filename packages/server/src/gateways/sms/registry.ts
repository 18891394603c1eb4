import type { Queryable } from '../../db/database.ts';

/** A text a patient (or anyone) sent us, once stored; never an opt-out keyword. */
export interface InboundSms {
  /** Our id for the stored message. */
  id: string;
  /** E.164. */
  from: string;
  body: string;
  provider: string;
}

/**
 * What a module does with an inbound text. It runs in the transaction that stores the message, so
 * if it throws nothing is kept and the provider's callback fails and is retried: a reading is never
 * lost to a half-done handler. Keep it short (no network calls); hang slow work off a job.
 */
export type InboundSmsHandler = (message: InboundSms, context: { tx: Queryable }) => Promise<void>;

/** The modules that hear inbound texts, in the order they registered. */
export class InboundSmsRegistry {
  private readonly handlers: InboundSmsHandler[] = [];

  /** Adds a handler; returns a function that removes it (tests). */
  on(handler: InboundSmsHandler): () => void {
    this.handlers.push(handler);
    return () => {
      const index = this.handlers.indexOf(handler);
      if (index >= 0) {
        this.handlers.splice(index, 1);
      }
    };
  }

  async dispatch(message: InboundSms, tx: Queryable): Promise<void> {
    for (const handler of this.handlers) {
      await handler(message, { tx });
    }
  }
}
