/**
 * `--only risk` (issue 12): scoring the whole population with the published model on one database.
 *
 * The histories the model reads (population_history, what the nightly job's first step rebuilds from
 * the record) are generated in memory from the synthetic seed for `CAREWEAVE_BENCH_RISK_PATIENTS`
 * people (default 1,000,000) and stored, untimed; then `ScoringService.scoreAll` is timed: read every
 * history, compute the facts and the score with its reasons, and upsert the score rows with their
 * monthly snapshots — without writing RiskAssessments, which the next run writes at the record's
 * write rate (measured separately on the demo population, figure `risk-assessments`).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/database.ts';
import { encodeHistory } from '../population-health/history/codec.ts';
import { historyFromResources, type PatientHistory } from '../population-health/history/history.ts';
import { publishedModel } from '../population-health/model/registry.ts';
import { ScoringService } from '../population-health/scoring/scoring.service.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { migrateModules } from '../modules/migrations.ts';
import { populationHealthModule } from '../population-health/index.ts';
import { DEFAULT_NOW, patientGenerator } from '../seed/index.ts';
import type { BenchDatabaseKind } from './database.ts';
import type { Figure } from './report.ts';

const TARGET_SECONDS = 60;
const INSERT_CHUNK = 5_000;

export interface RiskBenchDeps {
  kind: BenchDatabaseKind;
  db: Database;
  system: ResourceService;
  resources: number;
  log: (message: string) => void;
}

async function storeHistories(db: Database, count: number, log: (m: string) => void): Promise<void> {
  await db.query('truncate population_history, population_risk_score, population_risk_snapshot');
  // Patient numbers from 2,000,000 up: none of the seeded record's ids, so nothing is overwritten.
  const generate = patientGenerator({ seed: 42, now: new Date(DEFAULT_NOW) });
  let batch: PatientHistory[] = [];
  const flush = async (): Promise<void> => {
    await db.query(
      `insert into population_history (patient_id, practice_id, history)
       select t.patient_id, t.practice_id, t.history from jsonb_to_recordset($1::jsonb) as t(patient_id text, practice_id text, history jsonb)`,
      [
        JSON.stringify(
          batch.map((h) => ({
            patient_id: `bench-${h.patientId}`,
            practice_id: h.practiceId ?? null,
            history: encodeHistory(h),
          })),
        ),
      ],
    );
    batch = [];
  };
  for (let n = 0; n < count; n++) {
    batch.push(historyFromResources(generate(2_000_000 + n) as unknown as Resource[]));
    if (batch.length === INSERT_CHUNK) {
      await flush();
      if ((n + 1) % 100_000 === 0) {
        log(`risk: ${n + 1} histories stored`);
      }
    }
  }
  if (batch.length) {
    await flush();
  }
  await db.query('analyze population_history');
}

export async function riskBenchmark(deps: RiskBenchDeps): Promise<Figure[]> {
  const { db, kind, log } = deps;
  await migrateModules(db, [populationHealthModule]);
  const count = Number(process.env['CAREWEAVE_BENCH_RISK_PATIENTS'] ?? 1_000_000);
  log(`risk: generating and storing ${count} histories (untimed)`);
  await storeHistories(db, count, log);
  const model = publishedModel('ea12-v1');
  const scoring = new ScoringService(db, deps.system);
  log('risk: scoring everyone');
  let lastLog = Date.now();
  const summary = await scoring.scoreAll(model, {
    writeAssessments: false,
    onProgress: (done, total) => {
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`risk: ${done}/${total} scored`);
      }
    },
  });
  log(`risk: ${summary.patients} scored in ${summary.seconds.toFixed(1)} s`);
  await db.query('truncate population_history, population_risk_score, population_risk_snapshot');
  return [
    {
      id: 'risk-score-population',
      benchmark: 'risk',
      database: kind,
      resources: deps.resources,
      method:
        `ScoringService.scoreAll over ${summary.patients.toLocaleString('en-GB')} stored histories (synthetic seed 42): ` +
        'read, facts, score with reasons, upsert score rows and monthly snapshots, 2,000 per statement; RiskAssessments not written',
      throughput: { value: Math.round(summary.patients / summary.seconds), unit: 'resources/s' },
      // (patients per second: one score row per patient)
      target: {
        text: `Score 1,000,000 patients ≤ ${TARGET_SECONDS} s`,
        met: summary.patients >= 1_000_000 ? summary.seconds <= TARGET_SECONDS : null,
      },
      details: { seconds: summary.seconds, patients: summary.patients, bands: summary.bands },
    },
  ];
}
