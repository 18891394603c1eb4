import type { ModuleMigration } from '../modules/contract.ts';

/**
 * The hub's operational state only (care data are FHIR resources): which overdue care-plan tasks
 * have been escalated, so each is escalated once (H-171), labelled with the patient it is about.
 */
export const COORDINATION_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'escalations',
    sql: `
create table coordination_escalation (
  task_id text primary key,
  patient_id text not null,
  due date not null,
  recipients jsonb not null default '[]',
  escalated_at timestamptz not null default now()
);
create index coordination_escalation_patient_idx on coordination_escalation (patient_id);
`,
  },
];
