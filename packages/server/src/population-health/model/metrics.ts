/**
 * How well risk scores discriminate and calibrate (docs/RISK-MODEL.md, "Validation"): the area under the
 * ROC curve with DeLong's confidence interval, calibration by decile of predicted risk, the Brier score,
 * and positive predictive value and sensitivity when the top fraction of the population is flagged.
 */
export interface Scored {
  p: number;
  y: 0 | 1;
}

/** Mid-ranks (1-based) of values, ties sharing the average rank. */
function midRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) {
      j++;
    }
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      ranks[order[k]![1]] = rank;
    }
    i = j + 1;
  }
  return ranks;
}

export interface AucResult {
  auc: number;
  lower: number;
  upper: number;
  se: number;
}

const Z95 = 1.959964;

/**
 * AUC (the Mann–Whitney statistic) with a 95% confidence interval from DeLong's variance (DeLong et al.
 * 1988, in the fast form of Sun and Xu 2014: structural components from mid-ranks).
 */
export function aucWithCi(scores: readonly Scored[]): AucResult {
  const positives = scores.filter((s) => s.y === 1).map((s) => s.p);
  const negatives = scores.filter((s) => s.y === 0).map((s) => s.p);
  const m = positives.length;
  const n = negatives.length;
  if (m === 0 || n === 0) {
    return { auc: Number.NaN, lower: Number.NaN, upper: Number.NaN, se: Number.NaN };
  }
  const all = midRanks([...positives, ...negatives]);
  const ofPositives = midRanks(positives);
  const ofNegatives = midRanks(negatives);
  const v10 = positives.map((_, i) => (all[i]! - ofPositives[i]!) / n);
  const v01 = negatives.map((_, j) => 1 - (all[m + j]! - ofNegatives[j]!) / m);
  const auc = v10.reduce((a, b) => a + b, 0) / m;
  const variance = (values: number[], mean: number): number =>
    values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  const se = Math.sqrt(variance(v10, auc) / m + variance(v01, auc) / n);
  return { auc, lower: Math.max(0, auc - Z95 * se), upper: Math.min(1, auc + Z95 * se), se };
}

export interface CalibrationBin {
  decile: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Deciles of predicted risk (1 = lowest), each with its mean prediction and observed rate. */
export function calibrationByDecile(scores: readonly Scored[]): CalibrationBin[] {
  const sorted = [...scores].sort((a, b) => a.p - b.p);
  const bins: CalibrationBin[] = [];
  for (let d = 0; d < 10; d++) {
    const part = sorted.slice(Math.floor((d * sorted.length) / 10), Math.floor(((d + 1) * sorted.length) / 10));
    const count = part.length;
    bins.push({
      decile: d + 1,
      count,
      meanPredicted: count ? part.reduce((a, s) => a + s.p, 0) / count : Number.NaN,
      observedRate: count ? part.reduce((a, s) => a + s.y, 0) / count : Number.NaN,
    });
  }
  return bins;
}

export function brierScore(scores: readonly Scored[]): number {
  return scores.reduce((a, s) => a + (s.p - s.y) ** 2, 0) / Math.max(1, scores.length);
}

export interface TopFractionResult {
  fraction: number;
  flagged: number;
  truePositives: number;
  ppv: number;
  sensitivity: number;
}

/** Flag the highest-risk `fraction` of people (at least one): what share were admitted, and what share of the admitted were flagged. */
export function topFraction(scores: readonly Scored[], fraction: number): TopFractionResult {
  const sorted = [...scores].sort((a, b) => b.p - a.p);
  const flagged = Math.max(1, Math.round(sorted.length * fraction));
  const truePositives = sorted.slice(0, flagged).reduce((a, s) => a + s.y, 0);
  const positives = sorted.reduce((a, s) => a + s.y, 0);
  return {
    fraction,
    flagged,
    truePositives,
    ppv: truePositives / flagged,
    sensitivity: positives ? truePositives / positives : Number.NaN,
  };
}
