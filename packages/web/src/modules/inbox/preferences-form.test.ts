import { describe, expect, it } from 'vitest';
import type { Preferences } from './api.ts';
import { toForm, toPreferences, validate, type PreferencesForm } from './preferences-form.ts';

const saved: Preferences = {
  kinds: [
    { kind: 'result', title: 'Test results', channels: ['inbox'], delivery: 'immediate' },
    { kind: 'task', title: 'Tasks', channels: ['inbox', 'email'], delivery: 'digest' },
  ],
  quietHours: { start: '21:00', end: '07:00' },
  digestTime: '08:00',
  email: 'gp@example.com',
};

const form = (changes: Partial<PreferencesForm> = {}): PreferencesForm => ({ ...toForm(saved), ...changes });

describe('notification preferences form', () => {
  it('round-trips what the API sent', () => {
    expect(toPreferences(form())).toEqual(saved);
    expect(validate(form())).toEqual({});
  });

  it('keeps the inbox on for every kind, whatever is sent', () => {
    const withoutInbox = { ...saved, kinds: [{ ...saved.kinds[0]!, channels: [] }] };
    expect(toPreferences(toForm(withoutInbox)).kinds[0]!.channels).toEqual(['inbox']);
  });

  it('saves no quiet hours when they are off', () => {
    expect(toPreferences(form({ quietOn: false })).quietHours).toBeNull();
  });

  it.each<[string, Partial<PreferencesForm>, Record<string, string>]>([
    [
      'empty quiet hours',
      { quietStart: '', quietEnd: '' },
      { 'quiet-start': 'Enter the start of quiet hours', 'quiet-end': 'Enter the end of quiet hours' },
    ],
    [
      'a 12-hour time',
      { quietStart: '9pm' },
      { 'quiet-start': 'Enter the start of quiet hours as a 24-hour time, like 21:00' },
    ],
    [
      'the same start and end',
      { quietStart: '07:00' },
      { 'quiet-end': 'The end of quiet hours must be different from the start' },
    ],
    ['no digest time for a digest', { digestTime: '' }, { 'digest-time': 'Enter the time of the daily summary' }],
    ['email chosen with no address', { email: ' ' }, { email: 'Enter an email address for emails' }],
    [
      'a malformed email address',
      { email: 'gp.example.com' },
      { email: 'Enter an email address in the correct format, like name@example.com' },
    ],
  ])('%s', (_name, changes, errors) => {
    expect(validate(form(changes))).toEqual(errors);
  });

  it('asks for a mobile number when text messages are chosen, and sends it for the server to normalise', () => {
    const kinds = form().kinds.map((kind) => ({ ...kind, channels: [...kind.channels, 'sms' as const] }));
    expect(validate(form({ kinds }))).toEqual({ phone: 'Enter a mobile phone number for text messages' });
    expect(validate(form({ kinds, phone: '07700 900123' }))).toEqual({});
    expect(toPreferences(form({ kinds, phone: '07700 900123' })).phone).toBe('07700 900123');
  });
});
