/** Fits a model for publication: every eligible person, at the index date a year before the record ends. */
import { eligibleAt, factsAt, featureVector } from '../features/features.ts';
import type { PatientHistory } from '../history/history.ts';
import { fitLogistic } from '../model/logistic.ts';
import { modelFromFit, type RiskModel } from '../model/model.ts';

const DAY = 86_400_000;

export interface FitModelOptions {
  dataEnd: Date;
  version: string;
  title: string;
  population: string;
  lambda?: number;
}

export function fitModel(histories: readonly PatientHistory[], options: FitModelOptions): RiskModel {
  const index = new Date(options.dataEnd.getTime() - 365 * DAY);
  const indexDay = index.toISOString().slice(0, 10);
  const endDay = options.dataEnd.toISOString().slice(0, 10);
  const rows: number[][] = [];
  const y: (0 | 1)[] = [];
  for (const history of histories) {
    if (!eligibleAt(history, index)) {
      continue;
    }
    rows.push(featureVector(factsAt(history, index)));
    y.push(
      history.events.some((e) => e.kind === 'emergency-admission' && e.date >= indexDay && e.date < endDay) ? 1 : 0,
    );
  }
  const fit = fitLogistic(rows, y, { lambda: options.lambda ?? 1 });
  if (!fit.converged) {
    throw new Error(`the fit did not converge in ${fit.iterations} iterations`);
  }
  return modelFromFit(
    fit,
    {
      version: options.version,
      title: options.title,
      fittedOn: {
        population: options.population,
        indexDate: indexDay,
        patients: y.length,
        admitted: y.reduce<number>((a, b) => a + b, 0),
        fittedAt: new Date().toISOString(),
      },
    },
    rows,
  );
}
