/**
 * `CAREWEAVE_REFERRALS_REMINDER_DAYS`: how many days before a referral appointment its SMS reminders
 * go, as a list (`7,1`, the default: a week before and the day before), or `none` for no reminders.
 * Each a whole number of days from 1 to 28, at most three, no repeats — a bad value stops the server
 * at start-up with the variable's name.
 */
import { z } from 'zod';

export const REMINDER_DAYS = z
  .string()
  .default('7,1')
  .transform((text, ctx): number[] => {
    const trimmed = text.trim().toLowerCase();
    if (trimmed === 'none' || trimmed === '') {
      return [];
    }
    const parts = trimmed.split(',').map((p) => p.trim());
    const days = parts.map(Number);
    if (parts.some((p, i) => !/^\d+$/.test(p) || days[i]! < 1 || days[i]! > 28)) {
      ctx.addIssue({ code: 'custom', message: 'Reminder days are whole numbers from 1 to 28, e.g. 7,1 (or none)' });
      return z.NEVER;
    }
    if (new Set(days).size !== days.length || days.length > 3) {
      ctx.addIssue({ code: 'custom', message: 'At most three reminder days, each once, e.g. 7,1' });
      return z.NEVER;
    }
    // Largest first: the week-before reminder is planned before the day-before one.
    return [...days].sort((a, b) => b - a);
  });
