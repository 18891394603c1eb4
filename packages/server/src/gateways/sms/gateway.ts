import { randomUUID } from 'node:crypto';

/** What a provider answered for a message it took. */
export interface SentSms {
  /** The provider's id for the message (delivery receipts name it). */
  providerId: string;
}

/**
 * One way out for text messages. `send` resolves when the provider has taken the message; it
 * throws PermanentSmsError when trying again cannot help (the provider refused the request), and
 * any other error for a failure worth retrying (network, 5xx, rate limit).
 */
export interface SmsGateway {
  readonly name: string;
  /** `reference`: our id for the message, which the provider echoes in its receipts. */
  send(to: string, body: string, reference: string): Promise<SentSms>;
}

/** A failure that retrying will not fix; its message is shown to the sender. */
export class PermanentSmsError extends Error {}

/**
 * Sends nothing: the message stays in `sms_message` for the demo's phone simulator and for tests
 * to read, and patients' replies come in through POST /api/sms/loopback/inbound.
 */
export class LoopbackGateway implements SmsGateway {
  readonly name = 'loopback';

  send(): Promise<SentSms> {
    return Promise.resolve({ providerId: `loopback-${randomUUID()}` });
  }
}
