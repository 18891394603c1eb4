import type { ModuleMigration } from '../modules/contract.ts';

/**
 * The module's operational state. Clinical data (readings, messages, alerts) are FHIR resources in
 * the record; these rows say who is enrolled, what was last asked and when the next prompt is due,
 * labelled with the patient they are about (`patient_id`), as the record's rows are.
 */
export const TELEHEALTH_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'enrolments',
    sql: `
create table telehealth_enrolment (
  care_plan_id text primary key,
  patient_id text not null,
  protocol_id text not null,
  protocol_version integer not null,
  phone text,
  status text not null check (status in ('active', 'paused', 'stopped', 'refused')),
  problems jsonb not null default '[]',
  thresholds jsonb not null default '{}',
  started_at timestamptz not null,
  ends_at timestamptz,
  next_prompt_at timestamptz,
  -- The prompt last sent and not yet answered: { "promptId", "roundAt", "sentAt", "reminded", "roundScores" }.
  awaiting jsonb,
  misses integer not null default 0,
  updated_at timestamptz not null default now()
);
create index telehealth_enrolment_due_idx on telehealth_enrolment (next_prompt_at) where status = 'active';
create index telehealth_enrolment_phone_idx on telehealth_enrolment (phone) where status in ('active', 'paused');
create index telehealth_enrolment_patient_idx on telehealth_enrolment (patient_id);
`,
  },
  {
    version: 2,
    name: 'reminders',
    sql: `
-- When to remind the patient of the prompt they have not answered (protocol.missed.remindAfterMinutes).
alter table telehealth_enrolment add column remind_at timestamptz;
create index telehealth_enrolment_remind_idx on telehealth_enrolment (remind_at)
  where status = 'active' and remind_at is not null;
`,
  },
  {
    version: 3,
    name: 'sender organisation',
    sql: `
-- The practice that texts the patient (their GP practice): its staff see the texts and their failures.
alter table telehealth_enrolment add column sender_organization_id text;
`,
  },
];
