import type { ModuleMigration } from '../modules/contract.ts';

/**
 * Population health's operational state (docs/RISK-MODEL.md, "Where things are kept"). Scores are
 * FHIR RiskAssessments in the record; these rows are what ranks and filters them fast, each labelled
 * with the patient it is about, and a list shows a row only when the caller may see its RiskAssessment.
 * `population_history` is a cache of what the model reads from each record, rebuilt from the record
 * by the scoring job and never shown to anyone.
 */
export const POPULATION_HEALTH_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'risk scores',
    sql: `
create table population_history (
  patient_id text primary key,
  practice_id text,
  -- json, not jsonb: stored and read back as text, never queried inside (a run reads a million).
  history json not null,
  updated_at timestamptz not null default now()
);

create table population_risk_score (
  patient_id text not null,
  model_version text not null,
  scored_at timestamptz not null,
  probability double precision not null,
  band text not null check (band in ('very-high', 'high', 'moderate', 'low')),
  practice_id text,
  age integer not null,
  sex text not null,
  imd_decile integer,
  conditions text[] not null default '{}',
  emergency_admissions_12m integer not null,
  ae_attendances_12m integer not null,
  outpatient_attendances_12m integer not null,
  repeat_medicines integer not null,
  efi double precision not null,
  frailty text not null,
  cost_12m integer not null,
  factors json not null,
  -- The RiskAssessment that records this score; null until it is written.
  risk_assessment_id text,
  primary key (patient_id, model_version)
);
create index population_risk_rank_idx on population_risk_score (model_version, probability desc);
create index population_risk_practice_idx on population_risk_score (model_version, practice_id, probability desc);

-- The first score of each calendar month, for "rising risk since last month" (lists join last month's).
create table population_risk_snapshot (
  model_version text not null,
  month date not null,
  patient_id text not null,
  probability double precision not null,
  primary key (model_version, month, patient_id)
);

-- The months whose snapshot a whole run has taken.
create table population_risk_run_month (
  model_version text not null,
  month date not null,
  primary key (model_version, month)
);

create table population_scoring_run (
  id bigserial primary key,
  model_version text not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  patients integer not null default 0,
  assessments_written integer not null default 0,
  bands jsonb
);
`,
  },
  {
    version: 2,
    name: 'room on each page for the nightly update',
    // Every score row is rewritten each night, mostly with the same probability and practice. With
    // room on the page the new version is a HOT update (no new entries in the three indexes), which
    // took PostgreSQL's work of a 1,000,000-patient rerun from about 39 to 13 CPU-seconds
    // (docs/PERFORMANCE.md). Pages written before this fill as rows are next updated.
    sql: `alter table population_risk_score set (fillfactor = 50);`,
  },
];
