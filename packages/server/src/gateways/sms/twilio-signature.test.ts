import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { SHARED_DATA } from '../../testing/shared-data.ts';
import { twilioSignature, validTwilioSignature } from './twilio-signature.ts';

interface Vector {
  authToken: string;
  url: string;
  params: Record<string, string>;
}

// ../shared/data/sms: Twilio's documented example and a constructed inbound SMS (docs/SMS.md).
const example = JSON.parse(
  readFileSync(path.join(SHARED_DATA, 'sms/twilio-inbound-sms.example.json'), 'utf8'),
) as Vector & { 'X-Twilio-Signature': string; docs_vector: Vector & { signature: string } };

describe('Twilio request signature', () => {
  test("Twilio's documented example vector", () => {
    const v = example.docs_vector;
    expect(twilioSignature(v.authToken, v.url, Object.entries(v.params))).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
    expect(validTwilioSignature(v.authToken, v.url, Object.entries(v.params), v.signature)).toBe(true);
  });

  test('the sample inbound SMS', () => {
    const params = Object.entries(example.params);
    expect(validTwilioSignature(example.authToken, example.url, params, example['X-Twilio-Signature'])).toBe(true);
  });

  test.each([
    ['another token', { token: 'wrong' }],
    ['another URL', { url: 'https://mycompany.com/myapp.php?foo=1&bar=3' }],
    ['a changed parameter', { digits: '9999' }],
    ['no signature', { signature: '' }],
    ['a truncated signature', { signature: 'GvWf1cFY' }],
  ])('refuses %s', (_name, change: { token?: string; url?: string; digits?: string; signature?: string }) => {
    const v = example.docs_vector;
    const params = Object.entries({ ...v.params, ...(change.digits ? { Digits: change.digits } : {}) });
    expect(
      validTwilioSignature(change.token ?? v.authToken, change.url ?? v.url, params, change.signature ?? v.signature),
    ).toBe(false);
  });
});
