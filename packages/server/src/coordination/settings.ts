/** CAREWEAVE_COORDINATION_* settings, validated at start-up (docs/COORDINATION.md). */
import { z } from 'zod';

export const COORDINATION_SETTINGS = z.object({
  /** The community organisation whose single point of access (SPA) receives and triages referrals. */
  SPA_ORGANIZATION: z
    .string()
    .regex(/^[A-Za-z0-9\-.]{1,64}$/)
    .default('org-8wl01'),
  /** Days from acceptance to the first review of a case (H-176). */
  REVIEW_DAYS: z.coerce.number().int().min(1).max(365).default(28),
});
export type CoordinationSettings = z.infer<typeof COORDINATION_SETTINGS>;
