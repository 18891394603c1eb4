/**
 * A versioned risk model: the fitted coefficients, the standardisation, and the band cut-offs, kept
 * side by side with every other version (docs/RISK-MODEL.md, "Versions"). A version never changes
 * once published: a refit is a new version, and scores name the version that made them (H-141).
 */
import { FEATURES, FEATURE_NAMES, featureVector, type PatientFacts } from '../features/features.ts';
import { contributions, predict, type FittedLogistic } from './logistic.ts';

export type RiskBand = 'very-high' | 'high' | 'moderate' | 'low';

export const BAND_WORDS: Readonly<Record<RiskBand, string>> = {
  'very-high': 'Very high',
  high: 'High',
  moderate: 'Moderate',
  low: 'Low',
};

export interface RiskModel {
  version: string;
  title: string;
  /** What the model was fitted on (population, index date, counts), for the record. */
  fittedOn: { population: string; indexDate: string; patients: number; admitted: number; fittedAt: string };
  features: string[];
  intercept: number;
  coefficients: number[];
  means: number[];
  sds: number[];
  lambda: number;
  /**
   * Probability cut-offs of the bands, fixed with the version (the fitting population's 99.5th, 95th and
   * 80th centiles): a patient's band moves only when their own risk does, not when others' do.
   */
  cutoffs: { veryHigh: number; high: number; moderate: number };
}

export interface Factor {
  feature: string;
  words: string;
  /** Contribution to the log-odds relative to the average person in the fitting population. */
  logOdds: number;
}

export interface Score {
  probability: number;
  band: RiskBand;
  /** What raised the risk most, largest first (at most five, each adding to the log-odds). */
  factors: Factor[];
}

/** Centile cut-offs of probabilities (sorted ascending). */
export function cutoffsFrom(probabilities: readonly number[]): RiskModel['cutoffs'] {
  const sorted = [...probabilities].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 1;
  return { veryHigh: at(0.995), high: at(0.95), moderate: at(0.8) };
}

export function bandOf(model: Pick<RiskModel, 'cutoffs'>, probability: number): RiskBand {
  if (probability >= model.cutoffs.veryHigh) {
    return 'very-high';
  }
  if (probability >= model.cutoffs.high) {
    return 'high';
  }
  if (probability >= model.cutoffs.moderate) {
    return 'moderate';
  }
  return 'low';
}

/** A model from a fit (cut-offs from the fitting population's own predictions). */
export function modelFromFit(
  fit: FittedLogistic,
  identity: Pick<RiskModel, 'version' | 'title' | 'fittedOn'>,
  fittedRows: readonly number[][],
): RiskModel {
  const base = { ...identity, features: [...FEATURE_NAMES], ...fit };
  const probabilities = fittedRows.map((row) => predict(base, row));
  return {
    ...identity,
    features: [...FEATURE_NAMES],
    intercept: fit.intercept,
    coefficients: fit.coefficients,
    means: fit.means,
    sds: fit.sds,
    lambda: fit.lambda,
    cutoffs: cutoffsFrom(probabilities),
  };
}

const MAX_FACTORS = 5;
/** The age terms' positions; the first one's words ("Age 85") name their sum. */
const AGE_TERMS = ['age-per-decade', 'infant', 'over-65-per-decade'].map((name) => FEATURE_NAMES.indexOf(name));
/** Contributions smaller than this (in log-odds) are not worth naming. */
const MIN_FACTOR = 0.05;

/** Models whose features have been checked against FEATURES (a run scores a million people with one). */
const CHECKED = new WeakSet<RiskModel>();

/** Scores a patient's facts: probability, band and the factors that drove it, in plain words. */
export function score(model: RiskModel, facts: PatientFacts): Score {
  if (!CHECKED.has(model)) {
    if (model.features.join() !== FEATURE_NAMES.join()) {
      throw new Error(`model ${model.version} was fitted on other features`);
    }
    CHECKED.add(model);
  }
  const row = featureVector(facts);
  const probability = predict(model, row);
  // Age enters as three terms (per decade, under 5, over 65): one factor, "Age 85", sums them.
  const parts = contributions(model, row);
  let age = 0;
  for (const j of AGE_TERMS) {
    age += parts[j]!;
    parts[j] = 0;
  }
  parts[AGE_TERMS[0]!] = age;
  // Words only for the few factors named (a scoring run explains a million people).
  const factors = parts
    .map((logOdds, j) => ({ j, logOdds }))
    .filter((f) => f.logOdds >= MIN_FACTOR)
    .sort((a, b) => b.logOdds - a.logOdds)
    .slice(0, MAX_FACTORS)
    .map(({ j, logOdds }) => ({ feature: FEATURES[j]!.name, words: FEATURES[j]!.words(facts), logOdds }));
  return { probability, band: bandOf(model, probability), factors };
}
