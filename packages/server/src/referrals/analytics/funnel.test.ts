import { describe, expect, it, test } from 'vitest';
import { logGamma, proportionFlag, proportionLimits, ratioFlag, ratioLimits } from './funnel.ts';
import { expectedReferrals } from './measures.ts';
import { hiddenPositions, suppressed } from './suppression.ts';
import { monthsBetween } from './analytics.service.ts';
import { parseFilters } from './routes.ts';

describe('funnel limits', () => {
  it('lnΓ matches factorials', () => {
    expect(logGamma(11)).toBeCloseTo(Math.log(3_628_800), 9);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 9);
  });

  it('a proportion of 100 around 50%: close to the normal approximation 0.5 ± 1.96 × 0.05 and ± 3.09 × 0.05', () => {
    const limits = proportionLimits(100, 0.5)!;
    expect(limits.lower95).toBeCloseTo(0.402, 1);
    expect(limits.upper95).toBeCloseTo(0.598, 1);
    expect(limits.lower998).toBeCloseTo(0.345, 1);
    expect(limits.upper998).toBeCloseTo(0.655, 1);
  });

  it('a ratio with 100 expected: about 0.81–1.20 (95%) and 0.71–1.32 (99.8%)', () => {
    const limits = ratioLimits(100)!;
    expect(limits.lower95).toBeCloseTo(0.81, 1);
    expect(limits.upper95).toBeCloseTo(1.2, 1);
    expect(limits.lower998).toBeCloseTo(0.71, 1);
    expect(limits.upper998).toBeCloseTo(1.32, 1);
  });

  it('narrows as the practice grows', () => {
    const small = proportionLimits(20, 0.8)!;
    const large = proportionLimits(2000, 0.8)!;
    expect(small.upper95 - small.lower95).toBeGreaterThan(large.upper95 - large.lower95);
  });

  test.each([
    ['3 of 3 electronic, area 90%: not an outlier (small numbers, H-240)', proportionFlag(3, 3, 0.9), 'within'],
    ['95 of 100, area 80%', proportionFlag(95, 100, 0.8), 'high-alarm'],
    ['50 of 100, area 80%', proportionFlag(50, 100, 0.8), 'low-alarm'],
    ['89 of 100, area 80% (P(X ≥ 89) ≈ 0.01)', proportionFlag(89, 100, 0.8), 'high-alert'],
    ['88 of 100, area 80% (P ≈ 0.03: chance)', proportionFlag(88, 100, 0.8), 'within'],
    ['80 of 100, area 80%', proportionFlag(80, 100, 0.8), 'within'],
    ['180 observed, 100 expected', ratioFlag(180, 100), 'high-alarm'],
    ['none observed, 1 expected', ratioFlag(0, 1), 'within'],
    ['8 observed, 2 expected (P(O ≥ 8) ≈ 0.0011)', ratioFlag(8, 2), 'high-alert'],
    ['9 observed, 2 expected', ratioFlag(9, 2), 'high-alarm'],
    ['60 observed, 100 expected', ratioFlag(60, 100), 'low-alarm'],
    ['nothing expected', ratioFlag(3, 0), 'within'],
  ])('%s', (_name, flag, expected) => {
    expect(flag).toBe(expected);
  });
});

describe('indirect standardisation', () => {
  it("applies the area's age/sex rates to each practice's list", () => {
    const cell = (practice: string, band: string, referrals: number) => ({
      practice,
      month: '2026-01',
      specialty: 'msk',
      channel: 'electronic-referral',
      band,
      sex: 'female',
      referrals,
      withTask: referrals,
      rejected: 0,
      returned: 0,
      slotIssues: 0,
      attended: 0,
      dna: 0,
    });
    // The area: 10% of the young and 50% of the old referred. A: young list; B: old list.
    const expected = expectedReferrals(
      [cell('a', '18-44', 10), cell('b', '75+', 50)],
      [
        { practice: 'a', band: '18-44', sex: 'female', patients: 100 },
        { practice: 'b', band: '75+', sex: 'female', patients: 100 },
      ],
    );
    expect(expected.get('a')).toBeCloseTo(10);
    expect(expected.get('b')).toBeCloseTo(50);
  });
});

describe('small-number suppression', () => {
  test.each([
    [0, 0],
    [1, '<5'],
    [4, '<5'],
    [5, 5],
  ])('%s → %s', (count, shown) => {
    expect(suppressed(count)).toBe(shown);
  });

  it('hides a second count when only one is small, so the total cannot give it back (H-245)', () => {
    expect([...hiddenPositions([20, 3, 9, 40])].sort()).toEqual([1, 2]);
    expect([...hiddenPositions([20, 3, 2, 40])].sort()).toEqual([1, 2]);
    expect([...hiddenPositions([20, 0, 9])]).toEqual([]);
  });
});

describe('filters', () => {
  const now = new Date('2026-12-07T10:00:00Z');
  it('default to the last 12 months', () => {
    expect(parseFilters({}, now)).toEqual({ from: '2026-01', to: '2026-12' });
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  test.each([
    [{ from: '2026-13' }],
    [{ from: '2026-05', to: '2026-01' }],
    [{ from: '2020-01', to: '2026-01' }],
    [{ nhs: '1' }],
  ])('refuse %j', (query) => {
    expect(() => parseFilters(query, now)).toThrow();
  });
});
