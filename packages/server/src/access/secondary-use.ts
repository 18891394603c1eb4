import type { RestrictionHint } from '../fhir/search/execute.ts';
import type { SqlParams } from '../fhir/search/sql-params.ts';
import type { Actor, SystemActor, SystemPurpose } from './actor.ts';

/**
 * Secondary use (docs/ACCESS.md, *Two kinds of opt-out*): a system client registered for `planning`
 * (commissioning analysis, service planning, pseudonymised extracts for them) or `research` uses
 * patient data for something other than the care of each patient, and so honours the National Data
 * Opt-out (data-opt-out.ts). Direct care (staff, patients, carers, direct-care clients) never does.
 */
export const SYSTEM_PURPOSES: readonly SystemPurpose[] = ['direct-care', 'planning', 'research'];

/** The purposes to which the National Data Opt-out applies. */
export const SECONDARY_PURPOSES: readonly SystemPurpose[] = ['planning', 'research'];

export type SecondaryUseActor = SystemActor & { purpose: 'planning' | 'research' };

/** Whether the actor is a system client acting for a secondary use (absent purpose: direct care). */
export function isSecondaryUse(actor: Actor): actor is SecondaryUseActor {
  return actor.kind === 'system' && actor.purpose !== undefined && SECONDARY_PURPOSES.includes(actor.purpose);
}

/** A registered purpose, or undefined for anything else (the caller refuses it, naming the choices). */
export function systemPurpose(value: unknown): SystemPurpose | undefined {
  return SYSTEM_PURPOSES.find((purpose) => purpose === value);
}

/**
 * The secondary-use restriction on a `resource` / `current_resource` row (`alias`, with
 * `patient_id`): directory data, or data of a patient with no National Data Opt-out in force now
 * (`access_data_opt_out`, kept by data-opt-out.ts). One index probe per patient row (`not exists`,
 * so its cost does not grow with the number of patients who opted out); with `hint.patient`
 * ($everything) the patient is known and the probe is the same for every row. Every row of an opted-out patient is hidden:
 * their Patient, their record, their Consents, so a read answers 404 exactly as for an absent id and
 * joins (`_include`, `_revinclude`, chains, `_has`) cannot reach them. Same shape as the restrictions
 * of policy.ts, so it can be returned by `restrictionFor` as it is.
 */
export function secondaryUseCondition(alias: string, _params: SqlParams, hint: RestrictionHint = {}): string {
  const patient = hint.patient ?? `${alias}.patient_id`;
  return `(${alias}.patient_id is null or not exists (select 1 from access_data_opt_out o
      where o.patient_id = ${patient} and (o.valid_from is null or o.valid_from <= now())
        and (o.valid_to is null or o.valid_to >= now())))`;
}
