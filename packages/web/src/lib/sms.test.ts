import { describe, expect, it } from 'vitest';
import { checkPhone, describeOutcome, describeStatus, formatPhone } from './sms.ts';

describe('checkPhone', () => {
  it.each([
    ['07700 900123', true],
    [' +44 7700 900123 ', true],
    ['(07700) 900-123', true],
    ['', false],
    ['   ', false],
    ['0770090', false],
    ['07700 9001ab', false],
    ['+44 7700 900123 456 789', false],
  ])('%j valid: %s', (text, valid) => {
    expect(checkPhone(text).valid).toBe(valid);
  });

  it('names the problem', () => {
    expect(checkPhone('')).toEqual({ valid: false, error: 'Enter a mobile phone number' });
    expect(checkPhone('abc')).toMatchObject({ valid: false, error: expect.stringContaining('like 07700 900123') });
    expect(checkPhone(' 07700 900123 ')).toEqual({ valid: true, value: '07700 900123' });
  });
});

describe('formatPhone', () => {
  it.each([
    ['+447700900123', '07700 900123'],
    ['+33612345678', '+33612345678'],
    ['+4420794600', '+4420794600'],
  ])('%s as %s', (e164, shown) => {
    expect(formatPhone(e164)).toBe(shown);
  });
});

describe('describeStatus', () => {
  it.each([
    [{ status: 'queued', error: null }, 'Waiting to send'],
    [{ status: 'queued', error: 'timeout' }, 'Waiting to try again (timeout)'],
    [{ status: 'sent', error: null }, 'Sent'],
    [{ status: 'delivered', error: null }, 'Delivered'],
    [{ status: 'failed', error: 'opted out' }, 'Not sent: this number replied STOP'],
    [{ status: 'failed', error: 'number not in use' }, 'Not sent: number not in use'],
    [{ status: 'received', error: null }, 'Received by CareWeave'],
  ] as const)('%j', (message, text) => {
    expect(describeStatus(message)).toBe(text);
  });
});

describe('describeOutcome', () => {
  it('says STOP and START are honoured', () => {
    expect(describeOutcome('opted-out')).toContain('until it sends START');
    expect(describeOutcome('opted-in')).toContain('can text this number again');
  });
});
