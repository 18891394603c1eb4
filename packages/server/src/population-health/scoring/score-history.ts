/** One patient's score row from their history (the model's facts, score and reasons at a date). */
import { factsAt, type PatientFacts } from '../features/features.ts';
import type { PatientHistory } from '../history/history.ts';
import { score, type Factor, type RiskBand, type RiskModel } from '../model/model.ts';

export interface ScoreRow {
  patientId: string;
  practiceId?: string;
  probability: number;
  band: RiskBand;
  facts: PatientFacts;
  factors: Factor[];
}

let lastDay: { at: number; end: Date } | undefined;
function endOfDay(at: Date): Date {
  if (lastDay?.at !== at.getTime()) {
    lastDay = { at: at.getTime(), end: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1)) };
  }
  return lastDay.end;
}

/**
 * Scores as of the end of `at`'s day: today's admission has happened and counts (features count
 * contacts strictly before their index date, which validation needs).
 */
export function scoreHistory(model: RiskModel, history: PatientHistory, at: Date): ScoreRow {
  const facts = factsAt(history, endOfDay(at));
  const result = score(model, facts);
  return {
    patientId: history.patientId,
    ...(history.practiceId ? { practiceId: history.practiceId } : {}),
    probability: result.probability,
    band: result.band,
    facts,
    factors: result.factors,
  };
}
