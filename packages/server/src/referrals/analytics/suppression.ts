/**
 * Small-number suppression for the commissioner's views (NHS England's disclosure control
 * convention, as the population-health lists use): a count from 1 to 4 is shown as "<5", and so is any
 * rate or ratio computed from it, which with its denominator would give the count back (H-245).
 */

/** Counts from 1 to 4 are not shown. */
const SMALL_NUMBER = 5;

export type Shown = number | '<5';

export const isSmall = (count: number): boolean => count > 0 && count < SMALL_NUMBER;

export function suppressed(count: number): Shown {
  return isSmall(count) ? '<5' : count;
}

/**
 * One measure across the practices, when the area's total is shown beside them: suppressing a single
 * practice's count would be undone by subtracting the others from the total, so when exactly one is
 * suppressed the next smallest non-zero count is suppressed too (complementary suppression, H-245).
 * Returns which positions to hide.
 */
export function hiddenPositions(counts: readonly number[]): Set<number> {
  const hidden = new Set(counts.flatMap((c, i) => (isSmall(c) ? [i] : [])));
  if (hidden.size === 1) {
    const next = counts
      .map((c, i) => ({ c, i }))
      .filter(({ c, i }) => c > 0 && !hidden.has(i))
      .sort((a, b) => a.c - b.c)[0];
    if (next) {
      hidden.add(next.i);
    }
  }
  return hidden;
}
