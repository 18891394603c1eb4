import { describe, expect, it } from 'vitest';
import { cumulative, Rng } from './prng.ts';

describe('Rng', () => {
  it('is deterministic per (seed, stream) and differs between streams and seeds', () => {
    const a = new Rng(42, 7);
    const b = new Rng(42, 7);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    const seqB = Array.from({ length: 20 }, () => b.nextUint32());
    expect(seqA).toEqual(seqB);
    const c = new Rng(42, 8);
    const d = new Rng(43, 7);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(seqA);
    expect(Array.from({ length: 20 }, () => d.nextUint32())).not.toEqual(seqA);
  });

  it('accepts large, negative and fractional seeds', () => {
    expect(new Rng(2 ** 40 + 5).next()).not.toBe(new Rng(5).next());
    expect(new Rng(-1).next()).toBeGreaterThanOrEqual(0);
    expect(() => new Rng(Number.NaN)).toThrow(RangeError);
  });

  it('produces roughly uniform floats in [0,1) and sensible helper draws', () => {
    const r = new Rng(1);
    const bins = new Array<number>(10).fill(0);
    let sumNormal = 0;
    let sumPoisson = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) {
        throw new Error(`out of range: ${x}`);
      }
      bins[Math.floor(x * 10)]!++;
      sumNormal += r.normal(10, 2);
      sumPoisson += r.poisson(3);
    }
    for (const b of bins) {
      expect(Math.abs(b - n / 10)).toBeLessThan(n / 100);
    }
    expect(sumNormal / n).toBeCloseTo(10, 1);
    expect(sumPoisson / n).toBeCloseTo(3, 1);
    const cum = cumulative([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 10_000; i++) {
      counts[r.weighted(cum)]!++;
    }
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.5);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.5);
  });
});
