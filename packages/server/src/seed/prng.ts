/**
 * Small, fast, seedable PRNG (sfc32, "Small Fast Counter" by Chris Doty-Humphrey,
 * as used in PractRand), seeded through splitmix32. Never use Math.random in the
 * seed module: every random draw must come from an Rng so output is reproducible.
 *
 * Each patient gets its own independent stream (seed, patientIndex), so patient N
 * is identical whatever the population size, and patients could be generated in
 * parallel or out of order.
 */

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Normalise any finite number (including > 2^32, negative or fractional) to two uint32 words. */
function seedWords(seed: number): [number, number] {
  if (!Number.isFinite(seed)) {
    throw new RangeError(`seed must be a finite number, got ${seed}`);
  }
  const whole = Math.trunc(seed);
  const lo = whole >>> 0;
  const hi = Math.floor(whole / 4294967296) >>> 0;
  return [lo, hi];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed   the user's seed
   * @param stream an independent stream number (e.g. patient index); 0 for global streams
   */
  constructor(seed: number, stream = 0) {
    const [lo, hi] = seedWords(seed);
    const [slo, shi] = seedWords(stream);
    let h = splitmix32(lo ^ 0x2545f491);
    h = splitmix32(h ^ hi);
    h = splitmix32(h ^ slo);
    h = splitmix32(h ^ shi ^ 0x68e31da4);
    this.a = h;
    this.b = splitmix32(h ^ 0x1b873593);
    this.c = splitmix32(this.b ^ 0xcc9e2d51);
    this.d = 1;
    for (let i = 0; i < 12; i++) {
      this.nextUint32();
    }
  }

  /** Uniform uint32. */
  nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const cr = (c << 21) | (c >>> 11);
    this.c = (cr + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard-normal draw scaled to (mean, sd) by Box–Muller (one value per call). */
  normal(mean: number, sd: number): number {
    let u = this.next();
    if (u < 1e-12) {
      u = 1e-12;
    }
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Poisson draw (Knuth); fine for the small means used here (< ~30). */
  poisson(lambda: number): number {
    if (lambda <= 0) {
      return 0;
    }
    if (lambda > 30) {
      // Normal approximation for large means (not expected in practice).
      return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    }
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Index drawn from a cumulative-weight table (last element = total weight). */
  weighted(cumulative: readonly number[]): number {
    const total = cumulative[cumulative.length - 1] as number;
    const x = this.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < (cumulative[mid] as number)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}

/** Cumulative-sum table for Rng.weighted. */
export function cumulative(weights: readonly number[]): number[] {
  const out: number[] = new Array<number>(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] as number;
    out[i] = sum;
  }
  return out;
}
