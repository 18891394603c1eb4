/**
 * Words for the phone simulator (pages/clinician/PhoneSimulator.tsx): checking a typed number
 * before the server normalises it, showing E.164 numbers the UK way, and describing messages.
 */

/** A text message as GET /api/sms/messages returns it (packages/server/src/gateways/sms). */
export interface SmsMessage {
  id: string;
  direction: 'in' | 'out';
  phone: string;
  body: string;
  provider: string;
  status: 'queued' | 'sent' | 'delivered' | 'failed' | 'received';
  error: string | null;
  reference: string | null;
  createdAt: string;
}

/** What the server did with a simulated reply (POST /api/sms/loopback/inbound). */
export type InboundOutcome = 'duplicate' | 'opted-out' | 'opted-in' | 'received';

/**
 * A first check of a typed phone number: present, and digits with the usual separators. Whether
 * it is a real number is the server's to say (it normalises it to E.164 or answers 400).
 */
export function checkPhone(text: string): { valid: true; value: string } | { valid: false; error: string } {
  const value = text.trim();
  if (!value) {
    return { valid: false, error: 'Enter a mobile phone number' };
  }
  const digits = value.replace(/\D/g, '');
  if (!/^\+?[\d\s().-]+$/.test(value) || digits.length < 10 || digits.length > 15) {
    return { valid: false, error: 'Enter a mobile phone number, like 07700 900123 or +44 7700 900123' };
  }
  return { valid: true, value };
}

/** `+447700900123` as `07700 900123`; other countries' numbers as they are. */
export function formatPhone(e164: string): string {
  const uk = /^\+44(\d{4})(\d{6})$/.exec(e164);
  return uk ? `0${uk[1]} ${uk[2]}` : e164;
}

/** Who sent a message, from the phone's point of view. */
export function describeDirection(direction: SmsMessage['direction']): string {
  return direction === 'in' ? 'Sent from this phone' : 'Sent by CareWeave';
}

/** What became of a message, in plain words. */
export function describeStatus(message: Pick<SmsMessage, 'status' | 'error'>): string {
  switch (message.status) {
    case 'queued':
      return message.error ? `Waiting to try again (${message.error})` : 'Waiting to send';
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'failed':
      return message.error === 'opted out'
        ? 'Not sent: this number replied STOP'
        : `Not sent: ${message.error ?? 'failed'}`;
    case 'received':
      return 'Received by CareWeave';
  }
}

/** The confirmation after a simulated reply. */
export function describeOutcome(outcome: InboundOutcome): string {
  switch (outcome) {
    case 'opted-out':
      return 'CareWeave will not text this number until it sends START.';
    case 'opted-in':
      return 'CareWeave can text this number again.';
    case 'duplicate':
      return 'This reply had already been received: nothing new was stored.';
    case 'received':
      return 'CareWeave received the reply.';
  }
}
