import { scaleLinear } from 'd3-scale';

/**
 * A value axis a person can read: a domain and ticks on round numbers (1, 2 or 5 × 10ⁿ), covering the
 * readings and any target lines drawn on the chart, so a target is never off the chart. d3-scale's
 * `nice()` does the rounding (recharts, given an explicit domain, divides it evenly instead, which
 * gave axes like 74, 104, 134, 164).
 */
export function valueAxis(values: readonly number[], alsoShow: readonly number[] = [], tickCount = 5) {
  const all = [...values, ...alsoShow].filter(Number.isFinite);
  if (!all.length) {
    return { domain: [0, 1] as [number, number], ticks: [0, 1] };
  }
  let min = Math.min(...all);
  let max = Math.max(...all);
  if (min === max) {
    // One reading, or all alike: a little room either side.
    const room = Math.max(1, Math.abs(min) * 0.1);
    min -= room;
    max += room;
  }
  const scale = scaleLinear().domain([min, max]).nice(tickCount);
  const [from, to] = scale.domain() as [number, number];
  return { domain: [from, to] as [number, number], ticks: scale.ticks(tickCount) };
}
