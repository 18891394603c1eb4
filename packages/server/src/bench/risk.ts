/**
 * `--only risk` (issue 12): scoring the whole population with the published model on one database.
 *
 * The histories the model reads (population_history, what the nightly job's first step rebuilds from
 * the record) are generated in memory from the synthetic seed for `CAREWEAVE_BENCH_RISK_PATIENTS`
 * people (default 1,000,000) and stored, untimed; then `ScoringService.scoreAll` is timed: read every
 * history, compute the facts and the score with its reasons (on worker threads), and upsert the score
 * rows with their monthly snapshots — without writing RiskAssessments, which the next run writes at the record's
 * write rate (measured separately on the demo population, figure `risk-assessments`).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/database.ts';
import { encodeHistory } from '../population-health/history/codec.ts';
import { historyFromResources, type PatientHistory } from '../population-health/history/history.ts';
import { publishedModel } from '../population-health/model/registry.ts';
import { ScoringService, type ScoringSummary } from '../population-health/scoring/scoring.service.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { migrateModules } from '../modules/migrations.ts';
import { populationHealthModule } from '../population-health/index.ts';
import { DEFAULT_NOW, patientGenerator } from '../seed/index.ts';
import { cpuMsPerOperation, cpuSince, cpuSnapshot, type CpuUse } from './cpu.ts';
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
  // CPU of this process (all its threads) and of PostgreSQL's work for this database while it scores.
  const [database] = kind === 'postgres' ? await db.query<{ name: string }>('select current_database() as name') : [];
  const timedRun = async (what: string): Promise<{ summary: ScoringSummary; cpu: CpuUse }> => {
    log(`risk: ${what}`);
    let lastLog = Date.now();
    const snapshot = cpuSnapshot([], database?.name);
    const summary = await scoring.scoreAll(model, {
      writeAssessments: false,
      onProgress: (done, total) => {
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(`risk: ${done}/${total} scored`);
        }
      },
    });
    const cpu = cpuSince(snapshot);
    log(
      `risk: ${summary.patients} scored in ${summary.seconds.toFixed(1)} s (CPU % of a core: Node ${cpu.benchProcess}, ` +
        `PostgreSQL ${cpu.postgres ?? '-'}, other ${cpu.other ?? '-'}; load average ${cpu.loadAverage1m})`,
    );
    return { summary, cpu };
  };
  // The first run: every score row new, and the month's snapshots taken.
  const first = await timedRun('scoring everyone (empty score table)');
  // The nightly run after it: every row updated, the month's snapshots already taken.
  const again = await timedRun('scoring everyone again (every score row updated)');
  await db.query('truncate population_history, population_risk_score, population_risk_snapshot');
  const figure = (id: string, { summary, cpu }: { summary: ScoringSummary; cpu: CpuUse }, what: string): Figure => ({
    id,
    benchmark: 'risk',
    database: kind,
    resources: deps.resources,
    method:
      `ScoringService.scoreAll over ${summary.patients.toLocaleString('en-GB')} stored histories (synthetic seed 42), ${what}: ` +
      'read, facts, score with reasons on worker threads, upsert score rows, 2,000 per statement; ' +
      'RiskAssessments not written; CPU ms/op: Node (all threads) + PostgreSQL per patient',
    throughput: { value: Math.round(summary.patients / summary.seconds), unit: 'resources/s' },
    // (patients per second: one score row per patient)
    target: {
      text: `Score 1,000,000 patients ≤ ${TARGET_SECONDS} s`,
      met: summary.patients >= 1_000_000 ? summary.seconds <= TARGET_SECONDS : null,
    },
    cpu,
    cpuMsPerOperation: cpuMsPerOperation(cpu, summary.patients, true),
    details: { seconds: summary.seconds, patients: summary.patients, bands: summary.bands },
  });
  return [
    figure('risk-score-population', first, 'first run (new score rows and monthly snapshots)'),
    figure('risk-rescore-population', again, 'second run (every score row updated)'),
  ];
}
