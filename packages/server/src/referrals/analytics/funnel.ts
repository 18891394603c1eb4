/**
 * Funnel plot control limits (docs/REFERRALS.md, "Analytics"; Spiegelhalter, "Funnel plots for
 * comparing institutional performance", Stat Med 2005;24:1185–1202). A practice is compared with the
 * area's value θ; the limits are where a practice of that size would fall by chance alone, so a small
 * practice's wide swings are not read as an outlier (H-240).
 *
 * - A proportion (electronic share, rejection, did-not-attend): X ~ Binomial(n, θ).
 * - A standardised ratio O/E (referral rate, indirectly standardised): O ~ Poisson(E); the area's ratio is 1.
 *
 * Limits come from the exact discrete quantile, interpolated so they are smooth in n (Spiegelhalter's
 * appendix A.1.1): r_p is the smallest r with F(r) ≥ p, α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)), and the
 * limit on the count is r_p − α; divided by n (or E) for the plotted value.
 *
 * A practice is flagged by the exact tail probability of its own count, not by comparing it with the
 * interpolated limits: at the edges of a small denominator the interpolated limit sits just inside
 * the possible range (3 of 3 referrals electronic is "above" 99.9%), which would flag every small
 * practice at 100% as an outlier (H-240). High: P(X ≥ x) < p; low: P(X ≤ x) < p.
 */

/** Two-sided limits: 95% (p 0.025 / 0.975, "alert") and 99.8% (p 0.001 / 0.999, "alarm"). */
export const LIMITS = { alert: 0.025, alarm: 0.001 } as const;

export type FunnelFlag = 'high-alarm' | 'high-alert' | 'within' | 'low-alert' | 'low-alarm';

export interface Limits {
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): ~15 significant digits, enough for log-probabilities. */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) {
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) {
    sum += c[i]! / (z + i);
  }
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(X = k) for each k in 0..max, of a discrete distribution given by its log-pmf. */
function cumulative(logPmf: (k: number) => number, max: number): number[] {
  const cdf: number[] = [];
  let total = 0;
  for (let k = 0; k <= max; k++) {
    total += Math.exp(logPmf(k));
    cdf.push(Math.min(1, total));
  }
  return cdf;
}

/** The interpolated p-quantile of a count whose CDF is `cdf` (indexed 0..max). */
function interpolatedQuantile(cdf: readonly number[], p: number): number {
  let r = cdf.findIndex((f) => f >= p);
  if (r < 0) {
    r = cdf.length - 1;
  }
  const at = cdf[r]!;
  const below = r > 0 ? cdf[r - 1]! : 0;
  const alpha = at > below ? (at - p) / (at - below) : 0;
  return Math.max(0, r - alpha);
}

function binomialCdf(n: number, theta: number): number[] {
  if (theta <= 0) {
    return Array.from({ length: n + 1 }, () => 1);
  }
  if (theta >= 1) {
    return Array.from({ length: n + 1 }, (_, k) => (k === n ? 1 : 0));
  }
  const lnN = logGamma(n + 1);
  return cumulative(
    (k) => lnN - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(theta) + (n - k) * Math.log(1 - theta),
    n,
  );
}

function poissonCdf(mean: number): number[] {
  if (mean <= 0) {
    return [1];
  }
  // Far enough into the tail that F reaches 0.999 with room to spare.
  const max = Math.ceil(mean + 10 * Math.sqrt(mean) + 10);
  return cumulative((k) => k * Math.log(mean) - mean - logGamma(k + 1), max);
}

const fromCdf = (cdf: readonly number[], scale: number): Limits => ({
  lower95: interpolatedQuantile(cdf, LIMITS.alert) / scale,
  upper95: interpolatedQuantile(cdf, 1 - LIMITS.alert) / scale,
  lower998: interpolatedQuantile(cdf, LIMITS.alarm) / scale,
  upper998: interpolatedQuantile(cdf, 1 - LIMITS.alarm) / scale,
});

/** Limits for a proportion out of `n` when the area's proportion is `theta`. */
export function proportionLimits(n: number, theta: number): Limits | undefined {
  return n > 0 ? fromCdf(binomialCdf(n, theta), n) : undefined;
}

/** Limits for a standardised ratio O/E with `expected` E (the area's ratio is 1). */
export function ratioLimits(expected: number): Limits | undefined {
  return expected > 0 ? fromCdf(poissonCdf(expected), expected) : undefined;
}

/** Where a count sits by its exact tails: beyond 99.8% is an alarm, beyond 95% an alert. */
function flagByTails(cdf: readonly number[], count: number): FunnelFlag {
  const atOrBelow = count < cdf.length ? cdf[count]! : 1;
  const atOrAbove = count <= 0 ? 1 : 1 - (count - 1 < cdf.length ? cdf[count - 1]! : 1);
  if (atOrAbove < LIMITS.alarm) {
    return 'high-alarm';
  }
  if (atOrBelow < LIMITS.alarm) {
    return 'low-alarm';
  }
  if (atOrAbove < LIMITS.alert) {
    return 'high-alert';
  }
  return atOrBelow < LIMITS.alert ? 'low-alert' : 'within';
}

/** A proportion `count` of `n` against the area's `theta`. */
export function proportionFlag(count: number, n: number, theta: number): FunnelFlag {
  return n > 0 ? flagByTails(binomialCdf(n, theta), count) : 'within';
}

/** `observed` referrals against `expected` (Poisson). */
export function ratioFlag(observed: number, expected: number): FunnelFlag {
  if (expected <= 0) {
    return 'within';
  }
  const cdf = poissonCdf(expected);
  // Extend the CDF to the observed count when it lies far in the tail (it is then 1 to double precision).
  return flagByTails(cdf, observed);
}

/** The funnel's outline for a chart: limits at `points` sizes between the smallest and largest practice. */
export function funnelCurve(
  kind: 'proportion' | 'ratio',
  theta: number,
  from: number,
  to: number,
  points = 24,
): ({ size: number } & Limits)[] {
  const low = Math.max(1, Math.floor(from * 0.8));
  const high = Math.max(low + 1, Math.ceil(to * 1.1));
  const sizes = [
    ...new Set(Array.from({ length: points }, (_, i) => Math.round(low * (high / low) ** (i / (points - 1))))),
  ];
  return sizes.flatMap((size) => {
    const limits = kind === 'proportion' ? proportionLimits(size, theta) : ratioLimits(size);
    return limits ? [{ size, ...limits }] : [];
  });
}
