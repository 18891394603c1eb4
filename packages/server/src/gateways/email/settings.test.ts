import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/config.ts';
import { loadModuleSettings } from '../../modules/settings.ts';
import { emailModule } from './index.ts';
import { emailTarget, type EmailSettings } from './settings.ts';

describe('e-mail settings', () => {
  it('refuses bad settings at start-up, naming each variable', () => {
    const load = () =>
      loadModuleSettings([emailModule], {
        CAREWEAVE_EMAIL_SMTP_URL: 'http://relay.example.org',
        CAREWEAVE_EMAIL_FROM: 'CareWeave',
        CAREWEAVE_EMAIL_RETRY_LIMIT: 'many',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/CAREWEAVE_EMAIL_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(load).toThrow(/CAREWEAVE_EMAIL_FROM: must be an e-mail address/);
    expect(load).toThrow(/CAREWEAVE_EMAIL_RETRY_LIMIT/);
  });

  it.each([
    ['smtps://user:secret@smtp.example.nhs.uk:465', 'CareWeave <no-reply@example.nhs.uk>'],
    ['smtp://relay.internal:25', 'no-reply@example.nhs.uk'],
  ])('takes %s from %s', (url, from) => {
    const settings = loadModuleSettings([emailModule], { CAREWEAVE_EMAIL_SMTP_URL: url, CAREWEAVE_EMAIL_FROM: from });
    expect(settings.get('email')).toMatchObject({ SMTP_URL: url, FROM: from, RETRY_LIMIT: 5 });
  });

  it('uses the catcher without a relay, except in production, where it refuses to start', () => {
    const settings = loadModuleSettings([emailModule], {}).get('email') as EmailSettings;
    expect(emailTarget(settings, false)).toEqual({ kind: 'catcher', port: 0 });
    expect(() => emailTarget(settings, true)).toThrow(
      /CAREWEAVE_EMAIL_SMTP_URL: required when CAREWEAVE_PRODUCTION=true/,
    );
    const relay = { ...settings, SMTP_URL: 'smtps://smtp.example.nhs.uk' };
    expect(emailTarget(relay, true)).toEqual({ kind: 'smtp', url: 'smtps://smtp.example.nhs.uk' });
  });
});
