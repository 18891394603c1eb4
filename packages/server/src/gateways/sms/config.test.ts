import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../config/config.ts';

const API_KEY = `careweave-${'0'.repeat(8)}-1111-2222-3333-${'4'.repeat(12)}-${'5'.repeat(8)}-6666-7777-8888-${'9'.repeat(12)}`;
const TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';

describe('SMS configuration', () => {
  test('loopback by default, with no callbacks open', () => {
    expect(loadConfig({}).sms).toEqual({ gateway: 'loopback', retryLimit: 5, retryDelaySeconds: 30 });
  });

  test('GOV.UK Notify with its key and template', () => {
    const sms = loadConfig({
      CAREWEAVE_SMS_GATEWAY: 'notify',
      CAREWEAVE_NOTIFY_API_KEY: API_KEY,
      CAREWEAVE_NOTIFY_SMS_TEMPLATE_ID: TEMPLATE,
      CAREWEAVE_NOTIFY_CALLBACK_TOKEN: 'a-long-enough-token',
    }).sms;
    expect(sms).toMatchObject({
      gateway: 'notify',
      notify: { apiKey: API_KEY, templateId: TEMPLATE },
      notifyCallbackToken: 'a-long-enough-token',
    });
  });

  test.each([
    [{ CAREWEAVE_SMS_GATEWAY: 'notify' }, /CAREWEAVE_SMS_GATEWAY=notify needs CAREWEAVE_NOTIFY_API_KEY/],
    [{ CAREWEAVE_SMS_GATEWAY: 'notify', CAREWEAVE_NOTIFY_API_KEY: API_KEY }, /NOTIFY_SMS_TEMPLATE_ID/],
    [{ CAREWEAVE_SMS_GATEWAY: 'carrier-pigeon' }, /CAREWEAVE_SMS_GATEWAY/],
    [{ CAREWEAVE_NOTIFY_API_KEY: 'short' }, /CAREWEAVE_NOTIFY_API_KEY: a GOV.UK Notify API key/],
    [{ CAREWEAVE_NOTIFY_SMS_TEMPLATE_ID: 'template-1' }, /CAREWEAVE_NOTIFY_SMS_TEMPLATE_ID/],
    [{ CAREWEAVE_TWILIO_AUTH_TOKEN: 'short' }, /CAREWEAVE_TWILIO_AUTH_TOKEN: must be at least 16/],
    [{ CAREWEAVE_NOTIFY_CALLBACK_TOKEN: 'short' }, /CAREWEAVE_NOTIFY_CALLBACK_TOKEN: must be at least 16/],
  ])('%j fails at start-up', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
