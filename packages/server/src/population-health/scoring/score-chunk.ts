/**
 * Scoring one chunk of stored histories, as a run does it on its worker threads (or on the calling
 * thread): decode, facts, score with reasons, and the score rows as the column arrays the upsert takes.
 * Pure: the same stored rows, model and date give the same chunk on any thread.
 */
import { jsonbValue } from '../../db/jsonb.ts';
import { decodeHistory, type StoredHistory, type StoredHistoryRow } from '../history/codec.ts';
import type { RiskBand, RiskModel } from '../model/model.ts';
import { scoreColumns } from './score-columns.ts';
import { scoreHistory, type ScoreRow } from './score-history.ts';

export interface ScoredChunk {
  /** The score rows as array literals, in the order `ScoresRepository.saveColumns` takes them. */
  columns: string[];
  /** Patients scored (the living). */
  scored: number;
  bands: Record<RiskBand, number>;
  /** The score rows themselves, when asked for (a run that writes RiskAssessments needs them). */
  rows?: ScoreRow[];
}

export function scoreChunk(
  model: RiskModel,
  at: Date,
  stored: readonly StoredHistoryRow[],
  options: { keepRows?: boolean } = {},
): ScoredChunk {
  const bands: Record<RiskBand, number> = { 'very-high': 0, high: 0, moderate: 0, low: 0 };
  const rows: ScoreRow[] = [];
  for (const r of stored) {
    const history = decodeHistory(r.patient_id, r.practice_id, jsonbValue<StoredHistory>(r.history));
    if (!history.deceased) {
      const row = scoreHistory(model, history, at);
      bands[row.band]++;
      rows.push(row);
    }
  }
  return {
    columns: scoreColumns(rows),
    scored: rows.length,
    bands,
    ...(options.keepRows ? { rows } : {}),
  };
}
