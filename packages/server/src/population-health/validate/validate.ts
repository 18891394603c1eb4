/**
 * Fits the model on one period and tests it on a later one, on people it was not fitted on
 * (docs/RISK-MODEL.md, "Validation"). The record holds two years of contacts before `dataEnd`:
 *
 * - split-sample: fitted at index date `dataEnd − 1 year` on two thirds of the people (a stable hash of
 *   the patient id), outcome an emergency admission in the following year; tested on the other third.
 * - temporal: fitted at `dataEnd − 18 months` (the six months of contacts before it, counted at a
 *   year's rate; outcome in the following year), then tested at `dataEnd − 1 year` on the held-out
 *   third with a full year's lookback: a later period and other people.
 */
import { eligibleAt, factsAt, featureVector } from '../features/features.ts';
import type { PatientHistory } from '../history/history.ts';
import { fitLogistic, predict } from '../model/logistic.ts';
import { aucWithCi, brierScore, calibrationByDecile, topFraction, type Scored } from '../model/metrics.ts';
import { modelFromFit, type RiskModel } from '../model/model.ts';

const DAY = 86_400_000;

export interface Evaluation {
  patients: number;
  admitted: number;
  auc: ReturnType<typeof aucWithCi>;
  brier: number;
  calibration: ReturnType<typeof calibrationByDecile>;
  top: ReturnType<typeof topFraction>[];
}

export interface ValidationReport {
  dataEnd: string;
  population: string;
  patients: number;
  splitSample: {
    indexDate: string;
    trained: { patients: number; admitted: number };
    test: Evaluation;
    model: RiskModel;
  };
  temporal: {
    trainIndexDate: string;
    testIndexDate: string;
    trained: { patients: number; admitted: number };
    test: Evaluation;
  };
  /** The published model (if given) on the same held-out people and period. */
  published?: { version: string; test: Evaluation };
}

/** A stable two-thirds / one-third split by patient id (FNV-1a), the same on every run. */
export function isHeldOut(patientId: string): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < patientId.length; i++) {
    hash ^= patientId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 3 === 0;
}

function admittedBetween(history: PatientHistory, from: Date, to: Date): 0 | 1 {
  const a = from.toISOString().slice(0, 10);
  const b = to.toISOString().slice(0, 10);
  return history.events.some((e) => e.kind === 'emergency-admission' && e.date >= a && e.date < b) ? 1 : 0;
}

interface Dataset {
  rows: number[][];
  y: (0 | 1)[];
}

function dataset(histories: readonly PatientHistory[], at: Date, lookbackDays: number): Dataset {
  const outcomeEnd = new Date(at.getTime() + 365 * DAY);
  const rows: number[][] = [];
  const y: (0 | 1)[] = [];
  for (const history of histories) {
    if (eligibleAt(history, at)) {
      rows.push(featureVector(factsAt(history, at, lookbackDays), lookbackDays));
      y.push(admittedBetween(history, at, outcomeEnd));
    }
  }
  return { rows, y };
}

export const TOP_FRACTIONS = [0.005, 0.01, 0.05] as const;

export function evaluate(scores: readonly Scored[]): Evaluation {
  return {
    patients: scores.length,
    admitted: scores.reduce((a, s) => a + s.y, 0),
    auc: aucWithCi(scores),
    brier: brierScore(scores),
    calibration: calibrationByDecile(scores),
    top: TOP_FRACTIONS.map((f) => topFraction(scores, f)),
  };
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

export interface ValidateOptions {
  dataEnd: Date;
  population: string;
  version?: string;
  lambda?: number;
  published?: RiskModel;
}

export function validate(histories: readonly PatientHistory[], options: ValidateOptions): ValidationReport {
  const { dataEnd } = options;
  const train = histories.filter((h) => !isHeldOut(h.patientId));
  const test = histories.filter((h) => isHeldOut(h.patientId));
  const index = new Date(dataEnd.getTime() - 365 * DAY);
  const fitting = dataset(train, index, 365);
  if (sum(fitting.y) < 5) {
    throw new Error(`too few emergency admissions to fit a model (${sum(fitting.y)} among ${fitting.y.length} people)`);
  }
  const fit = fitLogistic(fitting.rows, fitting.y, { lambda: options.lambda ?? 1 });
  const model = modelFromFit(
    fit,
    {
      version: options.version ?? 'validation',
      title: 'Emergency admission in the next 12 months (split-sample fit)',
      fittedOn: {
        population: options.population,
        indexDate: index.toISOString().slice(0, 10),
        patients: fitting.y.length,
        admitted: sum(fitting.y),
        fittedAt: new Date().toISOString(),
      },
    },
    fitting.rows,
  );
  const testing = dataset(test, index, 365);
  const scoresOf = (m: Parameters<typeof predict>[0]): Scored[] =>
    testing.rows.map((row, i) => ({ p: predict(m, row), y: testing.y[i]! }));

  const earlyIndex = new Date(dataEnd.getTime() - 548 * DAY);
  const earlyLookback = Math.max(30, Math.round((earlyIndex.getTime() - (dataEnd.getTime() - 730 * DAY)) / DAY));
  const early = dataset(train, earlyIndex, earlyLookback);
  const earlyFit = fitLogistic(early.rows, early.y, { lambda: options.lambda ?? 1 });

  return {
    dataEnd: dataEnd.toISOString().slice(0, 10),
    population: options.population,
    patients: histories.length,
    splitSample: {
      indexDate: index.toISOString().slice(0, 10),
      trained: { patients: fitting.y.length, admitted: sum(fitting.y) },
      test: evaluate(scoresOf(fit)),
      model,
    },
    temporal: {
      trainIndexDate: earlyIndex.toISOString().slice(0, 10),
      testIndexDate: index.toISOString().slice(0, 10),
      trained: { patients: early.y.length, admitted: sum(early.y) },
      test: evaluate(scoresOf(earlyFit)),
    },
    ...(options.published
      ? { published: { version: options.published.version, test: evaluate(scoresOf(options.published)) } }
      : {}),
  };
}
