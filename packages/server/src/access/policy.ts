import type { RestrictionHint, RowRestriction } from '../fhir/search/execute.ts';
import type { SqlParams } from '../fhir/search/sql-params.ts';
import { PUBLIC_DIRECTORY_CATEGORY } from './categories.ts';
import { withheldOnlineSql } from './online-view.ts';
import { ownedVisibleSql } from './owned.ts';
import { isSecondaryUse, secondaryUseCondition } from './secondary-use.ts';
import {
  OUTSIDE_NHS,
  EXPLICIT_PERMIT_CATEGORIES,
  roleCategoryLimit,
  staffNames,
  type Actor,
  type PatientActor,
  type RelatedPersonActor,
  type StaffActor,
} from './actor.ts';

/**
 * The decision of docs/ACCESS.md as one SQL condition on a `resource` / `current_resource` row
 * (columns patient_id, source_org, category, resource_type, id), evaluated with now().
 *
 * Staff (organisation O, practitioner Pr, user U, role R):
 *   1. `patient_id is null` and no category or `public-directory` (directory data), or owned data
 *      (a cohort, a worklist, a draft: category `cohort` or `owned`) whose owners or sharees
 *      (`access_owned`, owned.ts) name Pr, O, or a CareTeam they are a current member of;
 *   1a. a role rule (ROLE_CATEGORY_LIMITS: clerical sees demographics and appointments) limits C,
 *      whatever follows;
 *   3. `patient_id in (U's unexpired break_glass patients)`: uncorrelated, hashed once per query;
 *   4. `exists (access_relationship of the patient for O or Pr, valid now)` — declared ones
 *      included: an index probe per row, once per query for a known patient; and then
 *   2. `source_org = O` (need to know: an organisation's own record needs a relationship too), or
 *   4a. one of the patient's Consents, for NHS staff, or
 *   6. `(source_org, category) in (access_grant rows for O, role R, dated today)`: hashed once, and
 *   7. one probe of the patient's consent rules: no matching deny covers C, and a C needing an
 *      explicit permit (sexual health) has a matching permit (a rule matches with no actors, naming
 *      O, O's staff in role R, Pr, or a CareTeam whose current participants include O/Pr);
 *      outside the NHS (5) none of 4a, 6, 7 applies;
 *   3b. a permit of the patient naming O, O|R or Pr covers C and no matching deny does (tested last:
 *      a probe of the patient's rules, only for patients with such a permit).
 * Patient P: the public directory (never other directory data, a cohort or owned data), or
 * `patient_id = P` and not withheld from online view. Related person RP of P: the public directory, RP
 * itself, or P's data not withheld from online view with a permit naming RP covering C and no deny
 * naming RP covering it.
 *
 * Directory data is decided by the first column test. A system actor for direct care gets undefined:
 * integrations see everything (their scopes limit types); one for a secondary use (planning,
 * research) sees no row of a patient with a National Data Opt-out (secondary-use.ts).
 */
export function restrictionFor(actor: Actor, options: PolicyOptions = {}): RowRestriction | undefined {
  const rules = options.distributed ? coveredByRules : consentRulesOf;
  switch (actor.kind) {
    case 'staff':
      return (alias, params, hint) => staffCondition(actor, alias, params, hint ?? {}, rules);
    case 'patient':
      return (alias, params) => patientCondition(actor, alias, params);
    case 'related-person':
      return (alias, params) => relatedPersonCondition(actor, alias, params, rules);
    case 'system':
      // Secondary use (planning, research) honours the National Data Opt-out; direct care never does.
      return isSecondaryUse(actor) ? (alias, params, hint) => secondaryUseCondition(alias, params, hint) : undefined;
  }
}

/**
 * SQL: what a patient or their proxy reads of the rows about no patient: the public directory (its
 * own label, set per version: a Slot is public while it is free), and Subscriptions, whose owner
 * rule (fhir/subscriptions/access.ts) decides. Never other directory data, a cohort or owned data.
 */
const PUBLIC_DIRECTORY = (r: string): string =>
  `(${r}.patient_id is null and (${r}.category = '${PUBLIC_DIRECTORY_CATEGORY}'
    or (${r}.category is null and ${r}.resource_type = 'Subscription')))`;

const NOW_VALID = (a: string): string =>
  `(${a}.valid_from is null or ${a}.valid_from <= now()) and (${a}.valid_to is null or ${a}.valid_to >= now())`;

/** "Today" for agreements' inclusive date ranges is the UTC date. */
export const TODAY_SQL = `(now() at time zone 'UTC')::date`;

/** SQL: (O or Pr) has a legitimate relationship with the patient `patientExpr` now. */
export function relationshipExists(patientExpr: string, org: string, practitioner: string): string {
  return `exists (select 1 from access_relationship ar where ar.patient_id = ${patientExpr}
      and (ar.organization_id = ${org} or ar.practitioner_id = ${practitioner}) and ${NOW_VALID('ar')})`;
}

/**
 * SQL: (O or Pr) has a legitimate relationship with each row's patient now, for a query over many
 * patients: the patients they have a relationship with are found once per query (a hashed sub-plan
 * on the organisation and practitioner indexes) rather than probed row by row.
 */
function relationshipPatients(patientExpr: string, org: string, practitioner: string): string {
  return `${patientExpr} in (select ar.patient_id from access_relationship ar
      where (ar.organization_id = ${org} or ar.practitioner_id = ${practitioner}) and ${NOW_VALID('ar')})`;
}

/** SQL: an unexpired break-glass session of this user for the patient `patientExpr`. */
export function breakGlassFor(patientExpr: string, user: string): string {
  return `${patientExpr} in (select bg.patient_id from break_glass bg
      where bg.user_id = ${user} and bg.started_at <= now() and bg.expires_at > now())`;
}

/** SQL: rule `cr` (of the row's patient) matches the staff actor: no actors, names O or Pr, or a CareTeam they are in. */
function ruleMatchesStaff(cr: string, names: string, org: string, practitioner: string): string {
  return `(cardinality(${cr}.actors) = 0 or ${cr}.actors && ${names}
      or exists (select 1 from access_relationship ct where ct.kind = 'care-team' and ct.patient_id = ${cr}.patient_id
        and (ct.organization_id = ${org} or ct.practitioner_id = ${practitioner}) and ${NOW_VALID('ct')}
        and 'CareTeam/' || ct.care_team_id = any(${cr}.actors)))`;
}

/**
 * SQL: active rules of the patient `patient` in force now, covering the row's category, for which
 * `match` holds.
 */
function rulesWhere(row: string, match: (cr: string) => string, patient = `${row}.patient_id`): string {
  return `cr.patient_id = ${patient} and cr.active and ${NOW_VALID('cr')}
      and (cardinality(cr.categories) = 0 or ${row}.category = any(cr.categories)) and ${match('cr')}`;
}

export interface PolicyOptions {
  /**
   * The store is sharded by patient on Citus (src/db/distributed.ts), which cannot run a subquery
   * nested in one correlated with the row: the patient's consent rules are then asked as
   * uncorrelated sets instead (`coveredByRules`). The same decisions, checked by the access suites.
   */
  distributed?: boolean;
}

/**
 * How a restriction asks the patient's consent rules (rule 7, 3b and a related person's permits),
 * each answering for the row `row` of the patient `patient`: whether an active rule in force with
 * that effect covers the row's category and matches (`match`) the caller.
 */
interface ConsentRules {
  covered(row: string, patient: string, effect: 'deny' | 'permit', match: (cr: string) => string): string;
  /** Rule 7: no matching deny, and a category needing the patient's permit has one. */
  shared(row: string, patient: string, match: (cr: string) => string, notSensitive: string): string;
  /** Rule 3b: no matching deny, and a matching permit names the caller (`named`). */
  namedPermit(row: string, patient: string, match: (cr: string) => string, named: (cr: string) => string): string;
}

/** One probe of the row's patient's rules per row (a correlated subquery: an index probe each). */
const consentRulesOf: ConsentRules = {
  covered: (row, patient, effect, match) =>
    `exists (select 1 from access_consent_rule cr where cr.effect = '${effect}' and ${rulesWhere(row, match, patient)})`,
  shared: (row, patient, match, notSensitive) =>
    `coalesce((select not bool_or(cr.effect = 'deny') and (${notSensitive} or bool_or(cr.effect = 'permit'))
        from access_consent_rule cr where ${rulesWhere(row, match, patient)}), ${notSensitive})`,
  namedPermit: (row, patient, match, named) =>
    `coalesce((select not bool_or(cr.effect = 'deny') and bool_or(cr.effect = 'permit' and ${named('cr')})
        from access_consent_rule cr where ${rulesWhere(row, match, patient)}), false)`,
};

/**
 * The same questions as uncorrelated sets (each found once per query): the patients with a rule
 * covering every category, and the (patient, category) pairs of the rules naming categories.
 */
const coveredByRules: ConsentRules = {
  covered: (row, patient, effect, match) => {
    const active = `cr.effect = '${effect}' and cr.active and ${NOW_VALID('cr')} and ${match('cr')}`;
    // `patient is not null` first: a row of no patient is covered by no rule (false, never null, so
    // a caller negating this cannot be surprised).
    return `(${patient} is not null and (
      ${patient} in (select cr.patient_id from access_consent_rule cr where cardinality(cr.categories) = 0 and ${active})
      or (${row}.category is not null and (${patient}, ${row}.category) in (
        select cr.patient_id, c.category from access_consent_rule cr cross join unnest(cr.categories) as c(category)
         where ${active}))))`;
  },
  shared: (row, patient, match, notSensitive) =>
    `(not ${coveredByRules.covered(row, patient, 'deny', match)}
      and (${notSensitive} or ${coveredByRules.covered(row, patient, 'permit', match)}))`,
  namedPermit: (row, patient, match, named) =>
    `(not ${coveredByRules.covered(row, patient, 'deny', match)}
      and ${coveredByRules.covered(row, patient, 'permit', (cr) => `${match(cr)} and ${named(cr)}`)})`,
};

function staffCondition(
  actor: StaffActor,
  r: string,
  params: SqlParams,
  hint: RestrictionHint,
  rules: ConsentRules,
): string {
  // The rows' patient: a known one (one lookup of their relationships and rules per query), or each
  // row's own.
  const patient = hint.patient ?? `${r}.patient_id`;
  const org = `${params.add(actor.organizationId)}::text`;
  const practitioner = `${params.add(actor.practitionerId)}::text`;
  const user = `${params.add(actor.userId)}::text`;
  const names = `${params.add(staffNames(actor))}::text[]`;
  const matches = (cr: string): string => ruleMatchesStaff(cr, names, org, practitioner);
  // Rule 3b: the patient's own permit naming O (or O's staff in role R) or Pr covers C, and no
  // matching deny withholds it. The patients with any permit naming them are found once per query (a
  // hashed sub-plan), so the probe runs only for their rows, not for every row of every patient.
  const namedPermit = `(${patient} in (select np.patient_id from access_consent_rule np
          where np.effect = 'permit' and np.active and np.actors && ${names})
      and ${rules.namedPermit(r, patient, matches, (cr) => `${cr}.actors && ${names}`)})`;
  let shared: string;
  if (OUTSIDE_NHS.includes(actor.organizationType)) {
    // Rule 5: outside the NHS nothing but their own record and a permit naming them (3b) opens a category.
    shared = 'false';
  } else {
    const role = `${params.add(actor.roleCode)}::text`;
    const explicit = `${params.add(EXPLICIT_PERMIT_CATEGORIES)}::text[]`;
    // Rule 6: an agreement grants (S -> O, C, R, direct-care): access_grant holds the signed,
    // unwithdrawn direct-care agreements; their dates are checked here.
    const grants = `(${r}.source_org, ${r}.category) in (
        select g.provider_org, g.category from access_grant g
         where g.recipient_org = ${org} and (cardinality(g.recipient_roles) = 0 or ${role} = any(g.recipient_roles))
           and g.valid_from <= ${TODAY_SQL} and (g.valid_to is null or g.valid_to >= ${TODAY_SQL}))`;
    // Rule 7 in one probe of the patient's rules: no matching deny covers C, and a C that needs
    // the patient's explicit permit (sexual health) has one. A patient without rules: shared unless
    // C needs an explicit permit.
    const notSensitive = `${r}.category <> all(${explicit})`;
    shared = `${grants} and ${rules.shared(r, patient, matches, notSensitive)}`;
    // Rule 4a: a patient's Consents (their own, with no source organisation) are seen by NHS staff
    // with a relationship, who act on them and may record the patient's instructions.
    shared = `${r}.resource_type = 'Consent' or (${shared})`;
  }
  // Rule 1a: a documented role rule limits the categories a role ever sees (clerical: demographics
  // and appointments), whatever the reason to see.
  const limit = roleCategoryLimit(actor.roleCode);
  const roleLimited = limit ? `${r}.category = any(${params.add(limit)}::text[]) and ` : '';
  // One known patient: one index probe. Every row's own patient: the set of related patients, once.
  const related = hint.patient
    ? relationshipExists(patient, org, practitioner)
    : relationshipPatients(patient, org, practitioner);
  // Rule 4 before rule 2: need-to-know holds inside an organisation too; its own record is seen by
  // its staff only with a legitimate relationship (or a declared one, or break-glass).
  // Rule 1: directory data, public or not; owned data (a cohort, a worklist) only for its owners and
  // whom they shared it with.
  const directory = `(${r}.category is null or ${r}.category = '${PUBLIC_DIRECTORY_CATEGORY}')`;
  return `((${r}.patient_id is null and (${directory} or ${ownedVisibleSql(r, params, actor)}))
    or (${roleLimited}(${breakGlassFor(patient, user)}
      or (${related} and (${r}.source_org = ${org} or ${shared}))
      or ${namedPermit})))`;
}

function patientCondition(actor: PatientActor, r: string, params: SqlParams): string {
  return `(${PUBLIC_DIRECTORY(r)}
    or (${r}.patient_id = ${params.add(actor.patientId)}::text and not ${withheldOnlineSql(r)}))`;
}

function relatedPersonCondition(actor: RelatedPersonActor, r: string, params: SqlParams, rules: ConsentRules): string {
  const self = `${params.add(actor.relatedPersonId)}::text`;
  const name = `${params.add(`RelatedPerson/${actor.relatedPersonId}`)}::text`;
  const named = (cr: string): string => `${name} = any(${cr}.actors)`;
  return `(${PUBLIC_DIRECTORY(r)}
    or (${r}.resource_type = 'RelatedPerson' and ${r}.id = ${self})
    or (${r}.patient_id = ${params.add(actor.patientId)}::text and not ${withheldOnlineSql(r)}
        and ${rules.covered(r, `${r}.patient_id`, 'permit', named)} and not ${rules.covered(r, `${r}.patient_id`, 'deny', named)}))`;
}
