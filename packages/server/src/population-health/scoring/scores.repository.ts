/** The score rows (population_risk_score), their monthly snapshots and scoring runs. */
import type { Queryable } from '../../db/database.ts';
import type { RiskBand } from '../model/model.ts';
import { scoreColumns } from './score-columns.ts';
import type { ScoreRow } from './score-history.ts';

export type { ScoreRow } from './score-history.ts';

export interface StoredScore {
  patient_id: string;
  probability: number;
  band: RiskBand;
  risk_assessment_id: string | null;
}

export class ScoresRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async current(version: string, patientIds: readonly string[]): Promise<Map<string, StoredScore>> {
    const rows = await this.db.query<StoredScore>(
      `select patient_id, probability, band, risk_assessment_id from population_risk_score
        where model_version = $1 and patient_id = any($2::text[])`,
      [version, patientIds],
    );
    return new Map(rows.map((r) => [r.patient_id, r]));
  }

  /**
   * Upserts scores made at `at` (one statement: a column array per field, unnested), and with
   * `snapshot` records each as the month's snapshot unless the month already has one for that patient
   * (in the same statement). A whole run takes the month's snapshots chunk by chunk this way while the
   * month has none yet (`monthTaken`), then `snapshotMonth` for whoever it did not score.
   */
  async save(
    version: string,
    at: Date,
    rows: readonly ScoreRow[],
    options: { snapshot?: boolean } = {},
  ): Promise<void> {
    if (rows.length > 0) {
      await this.saveColumns(version, at, scoreColumns(rows), options);
    }
  }

  /** `save` of rows already laid out as column arrays (`scoreColumns`, on a scoring thread). */
  async saveColumns(
    version: string,
    at: Date,
    columns: readonly string[],
    options: { snapshot?: boolean } = {},
  ): Promise<void> {
    const upsert = `insert into population_risk_score (patient_id, model_version, scored_at, probability, band, practice_id,
         age, sex, imd_decile, conditions, emergency_admissions_12m, ae_attendances_12m, outpatient_attendances_12m,
         repeat_medicines, efi, frailty, cost_12m, factors)
       select t.patient_id, $1, $2, t.probability, t.band, t.practice_id, t.age, t.sex, t.imd_decile,
              string_to_array(t.conditions, ','), t.ea, t.ae, t.op, t.meds, t.efi, t.frailty, t.cost, t.factors::json
         from unnest($3::text[], $4::text[], $5::float8[], $6::text[], $7::int[], $8::text[], $9::int[], $10::text[],
                     $11::int[], $12::int[], $13::int[], $14::int[], $15::float8[], $16::text[], $17::int[], $18::text[])
           as t(patient_id, practice_id, probability, band, age, sex, imd_decile, conditions, ea, ae, op, meds, efi,
                frailty, cost, factors)
       on conflict (patient_id, model_version) do update set
         scored_at = excluded.scored_at, probability = excluded.probability, band = excluded.band,
         practice_id = excluded.practice_id, age = excluded.age, sex = excluded.sex, imd_decile = excluded.imd_decile,
         conditions = excluded.conditions, emergency_admissions_12m = excluded.emergency_admissions_12m,
         ae_attendances_12m = excluded.ae_attendances_12m, outpatient_attendances_12m = excluded.outpatient_attendances_12m,
         repeat_medicines = excluded.repeat_medicines, efi = excluded.efi, frailty = excluded.frailty,
         cost_12m = excluded.cost_12m, factors = excluded.factors`;
    await this.db.query(
      options.snapshot
        ? `with saved as (${upsert} returning patient_id, probability)
           insert into population_risk_snapshot (model_version, month, patient_id, probability)
           select $1, date_trunc('month', $2::timestamptz)::date, patient_id, probability from saved
           on conflict do nothing`
        : upsert,
      [version, at.toISOString(), ...columns],
    );
  }

  /** Whether a whole run has taken the snapshot of `at`'s month. */
  async monthTaken(version: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `select 1 from population_risk_run_month where model_version = $1 and month = date_trunc('month', $2::timestamptz)::date`,
      [version, at.toISOString()],
    );
    return rows.length > 0;
  }

  /**
   * The month's snapshot of every score, taken once a month by the first whole run in it (later runs
   * find it taken and skip it). That run has already taken the snapshots of the scores it made at
   * `scoredAt` with each chunk (`save`), so only the others are read here (patients it did not score).
   */
  async snapshotMonth(version: string, at: Date, scoredAt?: Date): Promise<void> {
    await this.db.query(
      `insert into population_risk_snapshot (model_version, month, patient_id, probability)
       select $1, date_trunc('month', $2::timestamptz)::date, s.patient_id, s.probability
         from population_risk_score s
        where s.model_version = $1 and ($3::timestamptz is null or s.scored_at <> $3::timestamptz)
          and not exists (select 1 from population_risk_run_month m where m.model_version = $1
                            and m.month = date_trunc('month', $2::timestamptz)::date)
       on conflict do nothing`,
      [version, at.toISOString(), scoredAt?.toISOString() ?? null],
    );
    await this.db.query(
      `insert into population_risk_run_month (model_version, month) values ($1, date_trunc('month', $2::timestamptz)::date)
       on conflict do nothing`,
      [version, at.toISOString()],
    );
  }

  async setAssessments(version: string, ids: readonly { patientId: string; id: string }[]): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    await this.db.query(
      `update population_risk_score s set risk_assessment_id = t.id
         from jsonb_to_recordset($2::jsonb) as t(patient_id text, id text)
        where s.model_version = $1 and s.patient_id = t.patient_id`,
      [version, JSON.stringify(ids.map((i) => ({ patient_id: i.patientId, id: i.id })))],
    );
  }

  async startRun(version: string): Promise<number> {
    const [row] = await this.db.query<{ id: string }>(
      'insert into population_scoring_run (model_version) values ($1) returning id',
      [version],
    );
    return Number(row!.id);
  }

  async finishRun(id: number, patients: number, written: number, bands: Record<string, number>): Promise<void> {
    await this.db.query(
      `update population_scoring_run set finished_at = now(), patients = $2, assessments_written = $3, bands = $4::jsonb
        where id = $1`,
      [id, patients, written, JSON.stringify(bands)],
    );
  }

  async lastRun(version: string): Promise<{ finished_at: Date | null; patients: number } | undefined> {
    const [row] = await this.db.query<{ finished_at: Date | null; patients: number }>(
      `select finished_at, patients from population_scoring_run where model_version = $1 and finished_at is not null
        order by id desc limit 1`,
      [version],
    );
    return row;
  }
}
