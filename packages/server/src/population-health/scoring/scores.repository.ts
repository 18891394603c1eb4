/** The score rows (population_risk_score), their monthly snapshots and scoring runs. */
import type { Queryable } from '../../db/database.ts';
import type { PatientFacts } from '../features/features.ts';
import type { Factor, RiskBand } from '../model/model.ts';

export interface ScoreRow {
  patientId: string;
  practiceId?: string;
  probability: number;
  band: RiskBand;
  facts: PatientFacts;
  factors: Factor[];
}

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
   * Upserts scores made at `at`, keeping the month's first score as its snapshot and setting each
   * row's previous-month probability from the snapshots (rising risk).
   */
  async save(version: string, at: Date, rows: readonly ScoreRow[]): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    const input = JSON.stringify(
      rows.map((r) => ({
        patient_id: r.patientId,
        practice_id: r.practiceId ?? null,
        probability: r.probability,
        band: r.band,
        age: r.facts.age,
        sex: r.facts.sex,
        imd_decile: r.facts.imdDecile ?? null,
        conditions: r.facts.conditions,
        ea: r.facts.emergencyAdmissions12m,
        ae: r.facts.aeAttendances12m,
        op: r.facts.outpatientAttendances12m,
        meds: r.facts.repeatMedicines,
        efi: r.facts.efi,
        frailty: r.facts.frailty,
        cost: r.facts.cost12m,
        factors: r.factors,
      })),
    );
    await this.db.query(
      `with input as (
         select * from jsonb_to_recordset($1::jsonb) as t(patient_id text, practice_id text, probability float8,
           band text, age int, sex text, imd_decile int, conditions text[], ea int, ae int, op int, meds int,
           efi float8, frailty text, cost int, factors jsonb)
       ), snapshot as (
         insert into population_risk_snapshot (model_version, month, patient_id, probability)
         select $2, date_trunc('month', $3::timestamptz)::date, patient_id, probability from input
         on conflict do nothing
       )
       insert into population_risk_score (patient_id, model_version, scored_at, probability, band, practice_id, age, sex,
         imd_decile, conditions, emergency_admissions_12m, ae_attendances_12m, outpatient_attendances_12m,
         repeat_medicines, efi, frailty, cost_12m, factors, previous_probability)
       select i.patient_id, $2, $3, i.probability, i.band, i.practice_id, i.age, i.sex, i.imd_decile, i.conditions,
              i.ea, i.ae, i.op, i.meds, i.efi, i.frailty, i.cost, i.factors, s.probability
         from input i
         left join population_risk_snapshot s on s.model_version = $2 and s.patient_id = i.patient_id
              and s.month = (date_trunc('month', $3::timestamptz) - interval '1 month')::date
       on conflict (patient_id, model_version) do update set
         scored_at = excluded.scored_at, probability = excluded.probability, band = excluded.band,
         practice_id = excluded.practice_id, age = excluded.age, sex = excluded.sex, imd_decile = excluded.imd_decile,
         conditions = excluded.conditions, emergency_admissions_12m = excluded.emergency_admissions_12m,
         ae_attendances_12m = excluded.ae_attendances_12m, outpatient_attendances_12m = excluded.outpatient_attendances_12m,
         repeat_medicines = excluded.repeat_medicines, efi = excluded.efi, frailty = excluded.frailty,
         cost_12m = excluded.cost_12m, factors = excluded.factors, previous_probability = excluded.previous_probability`,
      [input, version, at.toISOString()],
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
