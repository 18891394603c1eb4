/** CAREWEAVE_REFERRALS_* settings, validated at start-up (docs/REFERRALS.md). */
import { z } from 'zod';
import { REMINDER_DAYS } from './reminders/settings.ts';

export const REFERRALS_SETTINGS = z.object({
  /** How many services a shortlist offers the patient at most (e-RS offers up to five). */
  SHORTLIST_SIZE: z.coerce.number().int().min(1).max(10).default(5),
  /** Booking windows from the day a referral is sent (lifecycle, H-200): a two-week wait is 14 days. */
  TWO_WEEK_WAIT_DAYS: z.coerce.number().int().min(1).max(14).default(14),
  URGENT_DAYS: z.coerce.number().int().min(1).max(60).default(28),
  /** Routine: 126 days (18 weeks). */
  ROUTINE_DAYS: z.coerce.number().int().min(1).max(365).default(126),
  /** Advice and guidance: the agreed time for the provider's answer, in working days (H-230). */
  ADVICE_RESPONSE_WORKING_DAYS: z.coerce.number().int().min(1).max(10).default(2),
  /** Days before a referral appointment its SMS reminders go (`7,1`; `none`: no reminders; H-259). */
  REMINDER_DAYS,
});
export type ReferralsSettings = z.infer<typeof REFERRALS_SETTINGS>;
