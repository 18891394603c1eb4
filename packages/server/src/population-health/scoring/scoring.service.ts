/**
 * Scoring (docs/RISK-MODEL.md, "Scoring"): the whole population in chunks (the nightly job, with
 * progress), or one patient within seconds of a new admission, A&E attendance, diagnosis or red
 * telehealth alert (the module's reaction). A RiskAssessment is written when a score is new or has
 * changed enough to matter (its band, or its probability by half a percentage point), so the record
 * holds each patient's risk over time without a new version every night.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../../db/database.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { factsAt } from '../features/features.ts';
import type { PatientHistory } from '../history/history.ts';
import { HistoryRepository } from '../history/history.repository.ts';
import { score, type RiskBand, type RiskModel } from '../model/model.ts';
import { riskAssessmentOf } from './risk-assessment.ts';
import { ScoresRepository, type ScoreRow, type StoredScore } from './scores.repository.ts';

/** A probability change smaller than this (absolute) does not make a new RiskAssessment version. */
export const MATERIAL_CHANGE = 0.005;
const HISTORY_CHUNK = 500;
const SCORE_CHUNK = 2_000;
const WRITE_CHUNK = 500;

export interface ScoringSummary {
  patients: number;
  assessmentsWritten: number;
  bands: Record<RiskBand, number>;
  seconds: number;
}

export type OnProgress = (done: number, total: number) => void;

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

function needsAssessment(row: ScoreRow, stored: StoredScore | undefined): boolean {
  return (
    !stored?.risk_assessment_id ||
    stored.band !== row.band ||
    Math.abs(stored.probability - row.probability) >= MATERIAL_CHANGE
  );
}

export class ScoringService {
  private readonly db: Database;
  private readonly system: ResourceService;

  constructor(db: Database, system: ResourceService) {
    this.db = db;
    this.system = system;
  }

  /** Rebuilds the history cache from the record for every patient. */
  async refreshHistories(onProgress?: OnProgress): Promise<number> {
    const repository = new HistoryRepository(this.db);
    const total = await repository.countPatients();
    let after = '';
    let done = 0;
    for (;;) {
      const ids = await repository.patientIds(after, HISTORY_CHUNK);
      if (ids.length === 0) {
        break;
      }
      await repository.save(await repository.historiesFromRecord(ids));
      after = ids[ids.length - 1]!;
      done += ids.length;
      onProgress?.(done, total);
    }
    return done;
  }

  /**
   * Scores every stored history with `model` at `at`. With `writeAssessments` false only the score rows
   * are kept (a benchmark of the scoring itself; the RiskAssessments follow in the next run).
   */
  async scoreAll(
    model: RiskModel,
    options: { at?: Date; onProgress?: OnProgress; writeAssessments?: boolean } = {},
  ): Promise<ScoringSummary> {
    const started = Date.now();
    const at = options.at ?? new Date();
    const histories = new HistoryRepository(this.db);
    const scores = new ScoresRepository(this.db);
    const run = await scores.startRun(model.version);
    const total = await histories.countStored();
    const bands: Record<RiskBand, number> = { 'very-high': 0, high: 0, moderate: 0, low: 0 };
    let done = 0;
    let written = 0;
    // The next page is read while this one is scored and saved (two connections on PostgreSQL).
    let next = histories.stored('', SCORE_CHUNK);
    for (;;) {
      const page = await next;
      if (page.length === 0) {
        break;
      }
      next = histories.stored(page[page.length - 1]!.patientId, SCORE_CHUNK);
      const rows = page.filter((h) => !h.deceased).map((h) => scoreHistory(model, h, at));
      if (options.writeAssessments === false) {
        await scores.save(model.version, at, rows);
      } else {
        const stored = await scores.current(
          model.version,
          rows.map((r) => r.patientId),
        );
        await scores.save(model.version, at, rows);
        written += await this.writeAssessments(
          model,
          rows.filter((r) => needsAssessment(r, stored.get(r.patientId))),
          at,
        );
      }
      for (const row of rows) {
        bands[row.band]++;
      }
      done += page.length;
      options.onProgress?.(done, total);
    }
    await scores.snapshotMonth(model.version, at);
    await scores.finishRun(run, done, written, bands);
    return { patients: done, assessmentsWritten: written, bands, seconds: (Date.now() - started) / 1000 };
  }

  /** Rescores one patient from their current record (history refreshed first); true when they were scored. */
  async rescore(model: RiskModel, patientId: string, at = new Date()): Promise<ScoreRow | undefined> {
    const histories = new HistoryRepository(this.db);
    const [history] = await histories.historiesFromRecord([patientId]);
    if (!history) {
      return undefined;
    }
    await histories.save([history]);
    if (history.deceased) {
      return undefined;
    }
    const row = scoreHistory(model, history, at);
    const scores = new ScoresRepository(this.db);
    const stored = await scores.current(model.version, [patientId]);
    await scores.save(model.version, at, [row], { snapshot: true });
    if (needsAssessment(row, stored.get(patientId))) {
      await this.writeAssessments(model, [row], at);
    }
    return row;
  }

  private async writeAssessments(model: RiskModel, rows: readonly ScoreRow[], at: Date): Promise<number> {
    const scores = new ScoresRepository(this.db);
    for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
      const part = rows.slice(i, i + WRITE_CHUNK);
      const resources: Resource[] = part.map((row) => riskAssessmentOf(model, row, at));
      await this.system.transaction((tx) =>
        tx.writeMany(resources.map((resource) => ({ resource, method: 'update' }))),
      );
      await scores.setAssessments(
        model.version,
        resources.map((r, k) => ({ patientId: part[k]!.patientId, id: r.id! })),
      );
    }
    return rows.length;
  }
}
