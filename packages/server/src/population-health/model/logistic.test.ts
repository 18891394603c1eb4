import { describe, expect, it } from 'vitest';
import { contributions, fitLogistic, predict, sigmoid, solveSpd } from './logistic.ts';

/** A deterministic PRNG (mulberry32) so the data is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('solveSpd', () => {
  it('solves a symmetric positive definite system', () => {
    const x = solveSpd(
      [
        [4, 1],
        [1, 3],
      ],
      [1, 2],
    );
    expect(x[0]).toBeCloseTo(1 / 11, 10);
    expect(x[1]).toBeCloseTo(7 / 11, 10);
  });
  it('refuses a matrix that is not positive definite', () => {
    expect(() =>
      solveSpd(
        [
          [0, 0],
          [0, 1],
        ],
        [1, 1],
      ),
    ).toThrow(/positive definite/);
  });
});

describe('fitLogistic', () => {
  it('recovers the coefficients that generated the data', () => {
    const random = rng(7);
    const rows: number[][] = [];
    const y: (0 | 1)[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x1 = random() * 4 - 2;
      const x2 = random() < 0.3 ? 1 : 0;
      rows.push([x1, x2]);
      y.push(random() < sigmoid(-1 + 0.8 * x1 + 1.2 * x2) ? 1 : 0);
    }
    const fit = fitLogistic(rows, y, { lambda: 0.01 });
    expect(fit.converged).toBe(true);
    // Back on the original scale: b / sd.
    expect(fit.coefficients[0]! / fit.sds[0]!).toBeCloseTo(0.8, 1);
    expect(fit.coefficients[1]! / fit.sds[1]!).toBeCloseTo(1.2, 1);
    expect(predict(fit, [0, 0])).toBeCloseTo(sigmoid(-1), 1);
  });

  it('shrinks coefficients as the penalty grows, never the intercept', () => {
    const rows = [[0], [1], [2], [3], [0], [1], [2], [3]];
    const y: (0 | 1)[] = [0, 0, 1, 1, 0, 1, 0, 1];
    const loose = fitLogistic(rows, y, { lambda: 0.001 });
    const tight = fitLogistic(rows, y, { lambda: 100 });
    expect(Math.abs(tight.coefficients[0]!)).toBeLessThan(Math.abs(loose.coefficients[0]!));
    expect(sigmoid(tight.intercept)).toBeCloseTo(0.5, 1);
  });

  it('leaves a feature nobody has at zero', () => {
    const fit = fitLogistic(
      [
        [1, 0],
        [2, 0],
        [3, 0],
        [4, 0],
      ],
      [0, 1, 0, 1],
      { lambda: 1 },
    );
    expect(fit.coefficients[1]).toBe(0);
  });

  it('explains a prediction as contributions that add up to its log-odds', () => {
    const fit = { intercept: -2, coefficients: [0.5, -0.25], means: [1, 2], sds: [2, 4] };
    const row = [3, 10];
    const parts = contributions(fit, row);
    const logOdds = fit.intercept + parts.reduce((a, b) => a + b, 0);
    expect(predict(fit, row)).toBeCloseTo(sigmoid(logOdds), 12);
    expect(parts[0]).toBeCloseTo(0.5, 12);
  });
});
