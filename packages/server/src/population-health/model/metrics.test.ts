import { describe, expect, it } from 'vitest';
import { aucWithCi, brierScore, calibrationByDecile, topFraction, type Scored } from './metrics.ts';

const s = (p: number, y: 0 | 1): Scored => ({ p, y });

describe('aucWithCi', () => {
  it('is 1 for perfect separation and 0.5 for a score that says nothing', () => {
    expect(aucWithCi([s(0.9, 1), s(0.8, 1), s(0.2, 0), s(0.1, 0)]).auc).toBe(1);
    expect(aucWithCi([s(0.5, 1), s(0.5, 0), s(0.5, 1), s(0.5, 0)]).auc).toBe(0.5);
  });

  it('counts ties as half, as the Mann–Whitney statistic does', () => {
    // Pairs (pos, neg): (0.8,0.3) win, (0.8,0.8) tie, (0.4,0.3) win, (0.4,0.8) loss: (2 + 0.5) / 4.
    expect(aucWithCi([s(0.8, 1), s(0.4, 1), s(0.3, 0), s(0.8, 0)]).auc).toBeCloseTo(0.625, 12);
  });

  it('gives DeLong’s standard error (checked by hand on a small example)', () => {
    // Positives 0.9, 0.6; negatives 0.7, 0.2. V10 = [1, 0.5], V01 = [0.5, 0]; AUC 0.75.
    // var(V10) = 0.125, var(V01) = 0.125; se = sqrt(0.125/2 + 0.125/2) = sqrt(0.125).
    const r = aucWithCi([s(0.9, 1), s(0.6, 1), s(0.7, 0), s(0.2, 0)]);
    expect(r.auc).toBeCloseTo(0.75, 12);
    expect(r.se).toBeCloseTo(Math.sqrt(0.125), 12);
    expect(r.lower).toBeLessThan(r.auc);
    expect(r.upper).toBe(1);
  });

  it('is undefined without both outcomes', () => {
    expect(Number.isNaN(aucWithCi([s(0.1, 0)]).auc)).toBe(true);
  });
});

describe('calibration, Brier and the top of the list', () => {
  const scores = Array.from({ length: 100 }, (_, i) => s(i / 100, i >= 90 ? 1 : 0));

  it('bins by decile of predicted risk', () => {
    const bins = calibrationByDecile(scores);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual(Array(10).fill(10));
    expect(bins[9]!.observedRate).toBe(1);
    expect(bins[0]!.observedRate).toBe(0);
    expect(bins[0]!.meanPredicted).toBeCloseTo(0.045, 12);
  });

  it('scores a perfect forecast 0 and a wrong one 1', () => {
    expect(brierScore([s(1, 1), s(0, 0)])).toBe(0);
    expect(brierScore([s(0, 1), s(1, 0)])).toBe(1);
  });

  it('reports PPV and sensitivity for the top fraction', () => {
    const top5 = topFraction(scores, 0.05);
    expect(top5).toMatchObject({ flagged: 5, truePositives: 5, ppv: 1, sensitivity: 0.5 });
    const top20 = topFraction(scores, 0.2);
    expect(top20).toMatchObject({ flagged: 20, truePositives: 10, ppv: 0.5, sensitivity: 1 });
  });
});
