/** The risk list's filters, parsed from a query string (every field optional; bad values are named). */
import { z } from 'zod';
import { LONG_TERM_CONDITIONS } from '../vocabulary.ts';

const CONDITIONS = LONG_TERM_CONDITIONS.map((c) => c.key) as [string, ...string[]];

export const listFilters = z
  .object({
    practice: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,64}$/, 'an organisation id')
      .optional(),
    band: z.enum(['very-high', 'high', 'moderate', 'low']).optional(),
    condition: z.enum(CONDITIONS).optional(),
    minAge: z.coerce.number().int().min(0).max(130).optional(),
    maxAge: z.coerce.number().int().min(0).max(130).optional(),
    frailty: z.enum(['fit', 'mild', 'moderate', 'severe']).optional(),
    rising: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
    version: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/)
      .optional(),
  })
  .strict()
  .refine((f) => f.minAge === undefined || f.maxAge === undefined || f.minAge <= f.maxAge, {
    message: 'minAge must not be above maxAge',
    path: ['minAge'],
  });

export type ListFilters = z.output<typeof listFilters>;

/**
 * Rising risk: the probability went up by at least this much (absolute) since the first score of the
 * previous month (H-146).
 */
export const RISING_BY = 0.02;
