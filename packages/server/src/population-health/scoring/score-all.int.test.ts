/**
 * A whole scoring run on PGlite and PostgreSQL stores exactly the scores the model gives each history
 * (on worker threads or not), takes the month's snapshot of every score once, and keeps what a value
 * with quotes, backslashes or commas says through the column arrays.
 */
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateModules } from '../../modules/migrations.ts';
import { DEFAULT_NOW, patientGenerator } from '../../seed/index.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/database.ts';
import { HistoryRepository } from '../history/history.repository.ts';
import { historyFromResources, type PatientHistory } from '../history/history.ts';
import { publishedModel } from '../model/registry.ts';
import { populationHealthModule } from '../index.ts';
import { scoreHistory } from './score-history.ts';
import { ScoringService } from './scoring.service.ts';

const model = publishedModel('ea12-v1');
const AT = new Date('2026-11-01T09:00:00Z');
const generate = patientGenerator({ seed: 42, now: new Date(DEFAULT_NOW) });
const histories: PatientHistory[] = Array.from({ length: 1_200 }, (_, n) =>
  historyFromResources(generate(2_000_000 + n) as unknown as Resource[]),
);
// Awkward values for the array literals, and someone who has died (not scored).
histories[0] = { ...histories[0]!, patientId: 'odd "quoted" \\ id, {1}', practiceId: 'org "x", \\y' };
histories[1] = { ...histories[1]!, deceased: true };

let t: TestDatabase;
let scoring: ScoringService;
beforeAll(async () => {
  t = await createTestDatabase();
  await migrateModules(t.db, [populationHealthModule]);
  await new HistoryRepository(t.db).save(histories);
  scoring = new ScoringService(t.db, undefined as never);
}, 120_000);
afterAll(async () => t?.dispose());

interface StoredRow {
  patient_id: string;
  practice_id: string | null;
  probability: number;
  band: string;
  age: number;
  sex: string;
  imd_decile: number | null;
  conditions: string[];
  emergency_admissions_12m: number;
  ae_attendances_12m: number;
  outpatient_attendances_12m: number;
  repeat_medicines: number;
  efi: number;
  frailty: string;
  cost_12m: number;
  factors: unknown;
}

async function storedScores(): Promise<Map<string, StoredRow>> {
  const rows = await t.db.query<StoredRow>(
    `select patient_id, practice_id, probability, band, age, sex, imd_decile, conditions, emergency_admissions_12m,
            ae_attendances_12m, outpatient_attendances_12m, repeat_medicines, efi, frailty, cost_12m, factors
       from population_risk_score where model_version = $1`,
    [model.version],
  );
  return new Map(rows.map((r) => [r.patient_id, r]));
}

function expectStoredAsScored(stored: Map<string, StoredRow>, at: Date): void {
  const living = histories.filter((h) => !h.deceased);
  expect(stored.size).toBe(living.length);
  for (const h of living) {
    const row = scoreHistory(model, h, at);
    const got = stored.get(h.patientId);
    expect(got, h.patientId).toBeDefined();
    expect({
      ...got!,
      conditions: [...got!.conditions].filter(Boolean),
      factors: typeof got!.factors === 'string' ? JSON.parse(got!.factors) : got!.factors,
    }).toEqual({
      patient_id: row.patientId,
      practice_id: row.practiceId ?? null,
      probability: row.probability,
      band: row.band,
      age: row.facts.age,
      sex: row.facts.sex,
      imd_decile: row.facts.imdDecile ?? null,
      conditions: row.facts.conditions,
      emergency_admissions_12m: row.facts.emergencyAdmissions12m,
      ae_attendances_12m: row.facts.aeAttendances12m,
      outpatient_attendances_12m: row.facts.outpatientAttendances12m,
      repeat_medicines: row.facts.repeatMedicines,
      efi: row.facts.efi,
      frailty: row.facts.frailty,
      cost_12m: row.facts.cost12m,
      factors: JSON.parse(JSON.stringify(row.factors)),
    });
  }
}

describe('scoreAll', () => {
  it('stores exactly the score of every living patient, and the month’s snapshot of every score', async () => {
    // A score row left from before (a patient whose history has gone) is in the month's snapshot too.
    await t.db.query(
      `insert into population_risk_score (patient_id, model_version, scored_at, probability, band, age, sex, conditions,
         emergency_admissions_12m, ae_attendances_12m, outpatient_attendances_12m, repeat_medicines, efi, frailty,
         cost_12m, factors)
       values ('left-over', $1, '2026-10-01', 0.25, 'high', 80, 'female', '{}', 0, 0, 0, 0, 0, 'fit', 0, '[]')`,
      [model.version],
    );
    const summary = await scoring.scoreAll(model, { at: AT, writeAssessments: false, threads: 2 });
    expect(summary.patients).toBe(histories.length);
    const stored = await storedScores();
    stored.delete('left-over');
    expectStoredAsScored(stored, AT);
    const bands = { 'very-high': 0, high: 0, moderate: 0, low: 0 };
    for (const row of stored.values()) {
      bands[row.band as keyof typeof bands]++;
    }
    expect(summary.bands).toEqual(bands);

    const snapshot = await t.db.query<{ patient_id: string; probability: number; month: unknown }>(
      `select patient_id, probability, month::text as month from population_risk_snapshot`,
    );
    expect(snapshot.length).toBe(stored.size + 1);
    expect(new Set(snapshot.map((s) => s.month))).toEqual(new Set(['2026-11-01']));
    const byPatient = new Map(snapshot.map((s) => [s.patient_id, s.probability]));
    expect(byPatient.get('left-over')).toBe(0.25);
    for (const [id, row] of stored) {
      expect(byPatient.get(id)).toBe(row.probability);
    }
  });

  it('rescoring in the same month, on the calling thread, updates every score but not the snapshot', async () => {
    const later = new Date('2026-11-20T09:00:00Z');
    const before = await t.db.query<{ n: string; sum: number }>(
      `select count(*) as n, sum(probability) as sum from population_risk_snapshot`,
    );
    await scoring.scoreAll(model, { at: later, writeAssessments: false, threads: 0 });
    const stored = await storedScores();
    stored.delete('left-over');
    expectStoredAsScored(stored, later);
    const after = await t.db.query<{ n: string; sum: number }>(
      `select count(*) as n, sum(probability) as sum from population_risk_snapshot`,
    );
    expect(after).toEqual(before);
  });
});
