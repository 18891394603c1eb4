import { describe, expect, it } from 'vitest';
import { valueAxis } from './chart-scale.ts';

describe('valueAxis', () => {
  it('puts ticks on round numbers (the readings that gave 74, 104, 134, 164 before)', () => {
    const axis = valueAxis([78, 186]);
    expect(axis.domain).toEqual([60, 200]);
    expect(axis.ticks.every((t) => t % 20 === 0)).toBe(true);
  });

  it('keeps a target line on the chart even when every reading is far from it', () => {
    const axis = valueAxis([72, 75, 80], [60]);
    expect(axis.domain[0]).toBeLessThanOrEqual(60);
    expect(axis.domain[1]).toBeGreaterThanOrEqual(80);
  });

  it('gives one reading room either side', () => {
    const axis = valueAxis([48]);
    expect(axis.domain[0]).toBeLessThan(48);
    expect(axis.domain[1]).toBeGreaterThan(48);
  });

  it('has a harmless axis with no readings', () => {
    expect(valueAxis([])).toEqual({ domain: [0, 1], ticks: [0, 1] });
  });
});
