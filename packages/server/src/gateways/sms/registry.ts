import type { Queryable } from '../../db/database.ts';

/** A text a patient (or anyone) sent us, once stored; never an opt-out keyword. */
export interface InboundSms {
  /** Our id for the stored message. */
  id: string;
  /** E.164. */
  from: string;
  body: string;
  provider: string;
  /**
   * The last text we sent to this number that was not refused (any module's), if any: a reply
   * usually answers it, so a module can tell a reply to its own message from one to another's.
   */
  inReplyTo?: { id: string; reference: string | null; senderOrganizationId: string | null; at: string };
}

/**
 * What a module does with an inbound text. It runs in the transaction that stores the message, so
 * if it throws nothing is kept and the provider's callback fails and is retried: a reading is never
 * lost to a half-done handler. Keep it short (no network calls); hang slow work off a job.
 */
export type InboundSmsHandler = (message: InboundSms, context: { tx: Queryable }) => Promise<void | 'handled'>;

/**
 * Offered a text that is a reply word which is also an opt-out keyword (`CANCEL`, keywords.ts) before
 * it is taken as an opt-out: true when the module asked a question that word answers (a reminder's
 * "reply CANCEL") and acted on it. A claimer that finds no such question must answer false, so the
 * word opts the number out as before.
 */
export type ReplyWordClaimer = (message: InboundSms, context: { tx: Queryable }) => Promise<boolean>;

/** A number texted STOP (`optedOut: true`) or START (`false`): modules that text it stop or resume. */
export interface OptChange {
  phone: string;
  optedOut: boolean;
}

export type OptChangeListener = (change: OptChange, context: { tx: Queryable }) => Promise<void>;

/** The modules that hear inbound texts, in the order they registered. */
export class InboundSmsRegistry {
  private readonly handlers: InboundSmsHandler[] = [];
  private readonly claimers: ReplyWordClaimer[] = [];
  private readonly optListeners: OptChangeListener[] = [];

  /** Adds a listener told of every STOP and START, in the transaction that records it. */
  onOptChange(listener: OptChangeListener): void {
    this.optListeners.push(listener);
  }

  async optChanged(change: OptChange, tx: Queryable): Promise<void> {
    for (const listener of this.optListeners) {
      await listener(change, { tx });
    }
  }

  /** Adds a claimer of reply words (see ReplyWordClaimer). */
  onReplyWord(claimer: ReplyWordClaimer): void {
    this.claimers.push(claimer);
  }

  /** True when a module claimed the reply word (the first that does; the rest are not asked). */
  async claimReplyWord(message: InboundSms, tx: Queryable): Promise<boolean> {
    for (const claimer of this.claimers) {
      if (await claimer(message, { tx })) {
        return true;
      }
    }
    return false;
  }

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

  /**
   * Hands the text to each handler in order, until one answers 'handled' (it was that module's);
   * false when none did.
   */
  async dispatch(message: InboundSms, tx: Queryable): Promise<boolean> {
    for (const handler of this.handlers) {
      if ((await handler(message, { tx })) === 'handled') {
        return true;
      }
    }
    return false;
  }
}
