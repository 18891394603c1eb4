import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { fail } from '../../fhir/outcome.ts';
import { validTwilioSignature } from './twilio-signature.ts';

/** Checks a provider callback before its body is read for anything; throws 401/403 when it is not the provider's. */
export type WebhookCheck = (request: FastifyRequest) => void;

function sameSecret(given: string, expected: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** GOV.UK Notify callbacks: `Authorization: Bearer <the callback token set in Notify>`. */
export function notifyBearerCheck(token: string | undefined): WebhookCheck {
  return function checkNotifyBearer(request) {
    if (token === undefined) {
      return fail('forbidden', 'GOV.UK Notify callbacks are not configured (CAREWEAVE_NOTIFY_CALLBACK_TOKEN)');
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      return fail('login', 'A bearer token is required');
    }
    if (!sameSecret(match[1]!, token)) {
      return fail('forbidden', 'The bearer token is not the one configured for GOV.UK Notify callbacks');
    }
  };
}

/**
 * Twilio webhooks: X-Twilio-Signature over the public URL Twilio called (`publicBase` + path and
 * query, since behind a proxy the request's own host is not what Twilio signed) and the form body.
 */
export function twilioSignatureCheck(authToken: string | undefined, publicBase: string): WebhookCheck {
  return function checkTwilioSignature(request) {
    if (authToken === undefined) {
      return fail('forbidden', 'Twilio webhooks are not configured (CAREWEAVE_TWILIO_AUTH_TOKEN)');
    }
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string') {
      return fail('login', 'X-Twilio-Signature is required');
    }
    const params = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    if (!validTwilioSignature(authToken, publicBase + request.url, params, signature)) {
      return fail('forbidden', 'X-Twilio-Signature does not match this request');
    }
  };
}
