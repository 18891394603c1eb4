import { checkPhone } from '../../lib/sms.ts';
import type { Channel, Preferences } from './api.ts';

/** The preferences page's fields as typed (times and contact details are text until checked). */
export interface PreferencesForm {
  kinds: Preferences['kinds'];
  quietOn: boolean;
  quietStart: string;
  quietEnd: string;
  digestTime: string;
  phone: string;
  email: string;
}

/** Problems by the id of the field they are about (the error summary links to it). */
export type FormErrors = Record<string, string>;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function toForm(preferences: Preferences): PreferencesForm {
  return {
    kinds: preferences.kinds.map((kind) => ({ ...kind, channels: withInbox(kind.channels) })),
    quietOn: preferences.quietHours !== null,
    quietStart: preferences.quietHours?.start ?? '',
    quietEnd: preferences.quietHours?.end ?? '',
    digestTime: preferences.digestTime,
    phone: preferences.phone ?? '',
    email: preferences.email ?? '',
  };
}

/** The inbox is always on: every notification is kept there, whatever else is chosen. */
function withInbox(channels: readonly Channel[]): Channel[] {
  return ['inbox', ...channels.filter((channel) => channel !== 'inbox')];
}

const uses = (form: PreferencesForm, channel: Channel): boolean =>
  form.kinds.some((kind) => kind.channels.includes(channel));

/** What is wrong with the form, in the NHS.UK error message style (say what to do). */
export function validate(form: PreferencesForm): FormErrors {
  const errors: FormErrors = {};
  if (form.quietOn) {
    checkTime(errors, 'quiet-start', form.quietStart, 'the start of quiet hours');
    checkTime(errors, 'quiet-end', form.quietEnd, 'the end of quiet hours');
    if (!errors['quiet-start'] && !errors['quiet-end'] && form.quietStart === form.quietEnd) {
      errors['quiet-end'] = 'The end of quiet hours must be different from the start';
    }
  }
  if (form.kinds.some((kind) => kind.delivery === 'digest')) {
    checkTime(errors, 'digest-time', form.digestTime, 'the time of the daily summary');
  }
  if (uses(form, 'sms')) {
    const phone = checkPhone(form.phone);
    if (!form.phone.trim()) {
      errors.phone = 'Enter a mobile phone number for text messages';
    } else if (!phone.valid) {
      errors.phone = phone.error;
    }
  }
  if (uses(form, 'email')) {
    if (!form.email.trim()) {
      errors.email = 'Enter an email address for emails';
    } else if (!EMAIL.test(form.email.trim())) {
      errors.email = 'Enter an email address in the correct format, like name@example.com';
    }
  }
  return errors;
}

function checkTime(errors: FormErrors, field: string, value: string, what: string): void {
  if (!value.trim()) {
    errors[field] = `Enter ${what}`;
  } else if (!TIME.test(value.trim())) {
    errors[field] = `Enter ${what} as a 24-hour time, like 21:00`;
  }
}

/** The form as the API takes it (`PUT /api/notifications/preferences`). */
export function toPreferences(form: PreferencesForm): Preferences {
  const phone = checkPhone(form.phone);
  const email = form.email.trim();
  return {
    kinds: form.kinds.map((kind) => ({ ...kind, channels: withInbox(kind.channels) })),
    quietHours: form.quietOn ? { start: form.quietStart.trim(), end: form.quietEnd.trim() } : null,
    digestTime: form.digestTime.trim(),
    // Sent as typed; the server normalises it to E.164 (or says why it cannot).
    ...(phone.valid ? { phone: phone.value } : {}),
    ...(email ? { email } : {}),
  };
}
