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
import { HistoryRepository } from '../history/history.repository.ts';
import type { RiskBand, RiskModel } from '../model/model.ts';
import { riskAssessmentOf } from './risk-assessment.ts';
import type { ScoredChunk } from './score-chunk.ts';
import { scoreHistory } from './score-history.ts';
import { defaultScoringThreads, scorePool } from './score-pool.ts';
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

/**
 * The promise itself, marked as handled: it is awaited later (after other awaits), and a rejection
 * meanwhile must not count as unhandled and end the process; the await still throws it.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
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
   *
   * A pipeline with a few chunks in hand (memory stays bounded): the next page is read while chunks
   * are scored on `threads` worker threads (default: the cores on PostgreSQL, none on PGlite) and
   * earlier ones are saved, each on its own connection, so PostgreSQL's work and Node's overlap.
   */
  async scoreAll(
    model: RiskModel,
    options: { at?: Date; onProgress?: OnProgress; writeAssessments?: boolean; threads?: number } = {},
  ): Promise<ScoringSummary> {
    const started = Date.now();
    const at = options.at ?? new Date();
    const histories = new HistoryRepository(this.db);
    const scores = new ScoresRepository(this.db);
    const run = await scores.startRun(model.version);
    const total = await histories.countStored();
    const bands: Record<RiskBand, number> = { 'very-high': 0, high: 0, moderate: 0, low: 0 };
    const assessments = options.writeAssessments !== false;
    const threads = options.threads ?? (this.db.kind === 'postgres' ? defaultScoringThreads() : 0);
    // The first whole run of a month takes the month's snapshots as it saves each chunk.
    const snapshot = !(await scores.monthTaken(model.version, at));
    let done = 0;
    let written = 0;
    const persist = async (chunk: ScoredChunk): Promise<void> => {
      const rows = chunk.rows ?? [];
      const stored = assessments
        ? await scores.current(
            model.version,
            rows.map((r) => r.patientId),
          )
        : undefined;
      if (chunk.scored > 0) {
        await scores.saveColumns(model.version, at, chunk.columns, { snapshot });
      }
      if (stored) {
        written += await this.writeAssessments(
          model,
          rows.filter((r) => needsAssessment(r, stored.get(r.patientId))),
          at,
        );
      }
      for (const band of Object.keys(bands) as RiskBand[]) {
        bands[band] += chunk.bands[band];
      }
    };
    const pool = scorePool(model, at, { threads, keepRows: assessments });
    const inFlight: Promise<void>[] = [];
    try {
      let next = handled(histories.storedRows('', SCORE_CHUNK));
      for (;;) {
        const page = await next;
        if (page.length === 0) {
          break;
        }
        next = handled(histories.storedRows(page[page.length - 1]!.patient_id, SCORE_CHUNK));
        inFlight.push(
          handled(
            pool
              .score(page)
              .then(persist)
              .then(() => {
                done += page.length;
                options.onProgress?.(done, total);
              }),
          ),
        );
        if (inFlight.length > Math.max(1, threads)) {
          await inFlight.shift();
        }
      }
      await Promise.all(inFlight);
    } finally {
      await Promise.allSettled(inFlight);
      await pool.close();
    }
    await scores.snapshotMonth(model.version, at, at);
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
