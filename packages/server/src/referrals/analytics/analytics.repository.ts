/**
 * The analytics' SQL (docs/REFERRALS.md, "Analytics"): aggregates straight from the store's tables, in
 * one statement per question, so only counts reach the service and nothing is copied to keep in step.
 *
 * - Referrals: current `ServiceRequest`s of the module's categories (the channel is the category code),
 *   not drafts; the practice is the referrer tag, the patient's age band and sex come from the
 *   Patient's search rows (birthdate, gender), not its content.
 * - What happened: every stored version of the referral's `Task` (found by its `focus` search row),
 *   so a referral that was on the slot-issues list, missed an appointment or was rejected counts even
 *   after it moved on (a discharge overwrites the current status); the wait is from sending to the
 *   earliest Appointment `based-on` it that was not cancelled (search rows only).
 * - List sizes: registered Patients (`general-practitioner` an Organization, not deceased) by practice,
 *   age band and sex, from the search rows alone.
 */
import type { Queryable } from '../../db/database.ts';
import { SqlParams } from '../../fhir/search/sql-params.ts';
import { ADVICE_OUTCOME_SYSTEM, ADVICE_TASK } from '../advice/vocabulary.ts';
import {
  REFERRAL_REASON_SYSTEM,
  REFERRAL_STATUS_SYSTEM,
  REFERRAL_SYSTEM,
  REFERRAL_TASK,
  REFERRER_TAG_SYSTEM,
  SPECIALTY_SYSTEM,
} from '../lifecycle/vocabulary.ts';
import { CHANNELS } from './vocabulary.ts';

export interface AnalyticsQuery {
  /** First day of the first month, and of the month after the last (UTC). */
  from: string;
  to: string;
  specialty?: string;
}

/** Referrals counted by practice, month, specialty, channel, age band and sex. */
export interface ReferralCell {
  practice: string;
  month: string;
  specialty: string;
  channel: string;
  band: string;
  sex: string;
  referrals: number;
  withTask: number;
  rejected: number;
  returned: number;
  slotIssues: number;
  attended: number;
  dna: number;
}

export interface WaitCell {
  practice: string;
  waitDays: number;
  referrals: number;
}

export interface ReasonCell {
  practice: string;
  decision: 'rejected' | 'returned-with-advice';
  reason: string;
  referrals: number;
}

export interface PopulationCell {
  practice: string;
  band: string;
  sex: string;
  patients: number;
}

export interface AdviceCell {
  practice: string;
  month: string;
  requests: number;
  avoided: number;
}

/** Age bands for standardisation (SQL on the age in whole years). */
const BAND = (age: string): string =>
  `case when ${age} < 18 then '0-17' when ${age} < 45 then '18-44' when ${age} < 65 then '45-64'
        when ${age} < 75 then '65-74' else '75+' end`;
const SEX = (code: string): string => `case when ${code} in ('male', 'female') then ${code} else 'other' end`;
const CODE_IN = (json: string, system: string): string =>
  `(select x ->> 'code' from jsonb_array_elements(coalesce(${json}, '[]'::jsonb)) x where x ->> 'system' = ${system} limit 1)`;

/**
 * The referral facts: one row per referral in the period, with what happened to it. The CTEs are
 * `materialized`: the planner cannot estimate rows filtered on JSON, guesses one, and would otherwise
 * re-run the Task aggregate once per referral (40 s instead of 0.1 s on 700 referrals); and each JSON
 * content is parsed once (an inlined `content::jsonb` is parsed again for every expression using it).
 */
function referralFacts(params: SqlParams, query: AnalyticsQuery): string {
  const category = params.add(REFERRAL_SYSTEM);
  const channels = params.add(CHANNELS);
  const tag = params.add(REFERRER_TAG_SYSTEM);
  const specialty = params.add(SPECIALTY_SYSTEM);
  const statusSystem = params.add(REFERRAL_STATUS_SYSTEM);
  const reasonSystem = params.add(REFERRAL_REASON_SYSTEM);
  const from = params.add(query.from);
  const to = params.add(query.to);
  const onlySpecialty = query.specialty ? `and s.specialty = ${params.add(query.specialty)}` : '';
  return `
  sr as materialized (
    select r.id, r.content::jsonb as c from current_resource r
     where r.resource_type = 'ServiceRequest' and not r.deleted
       and r.id in (select id from search_token where resource_type = 'ServiceRequest' and param = 'category'
                     and system = ${category} and code = any(${channels}::text[]))
  ),
  s as (
    select sr.id,
      ${CODE_IN(`sr.c -> 'meta' -> 'tag'`, tag)} as practice,
      (sr.c ->> 'authoredOn')::timestamptz as authored,
      coalesce(${CODE_IN(`sr.c -> 'code' -> 'coding'`, specialty)}, 'other') as specialty,
      (select x ->> 'code' from jsonb_array_elements(sr.c -> 'category') cat, jsonb_array_elements(cat -> 'coding') x
        where x ->> 'system' = ${category} and x ->> 'code' = any(${channels}::text[]) limit 1) as channel,
      split_part(sr.c -> 'subject' ->> 'reference', '/', 2) as patient_id
    from sr where sr.c ->> 'status' not in ('draft', 'entered-in-error') and sr.c ->> 'authoredOn' is not null
  ),
  referral as materialized (
    select s.*, ${BAND(`extract(year from age(s.authored::date, b.low::date))`)} as band,
           ${SEX('g.code')} as sex
      from s
      left join search_date b on b.resource_type = 'Patient' and b.id = s.patient_id and b.param = 'birthdate'
      left join search_token g on g.resource_type = 'Patient' and g.id = s.patient_id and g.param = 'gender'
     where s.practice is not null and s.authored >= ${from}::timestamptz and s.authored < ${to}::timestamptz
       ${onlySpecialty}
  ),
  facts as materialized (
    select referral.*, task.tasks > 0 as has_task, coalesce(task.rejected, false) as rejected,
           coalesce(task.returned, false) as returned, coalesce(task.slot_issue, false) as slot_issue,
           coalesce(task.attended, false) as attended, coalesce(task.dna, false) as dna, task.reason,
           floor(extract(epoch from fa.start - referral.authored) / 86400)::int as wait_days
      from referral
      -- Per referral, by index: its Task's versions (focus), and its Appointments (based-on). Laterals,
      -- not joins of CTEs, whose row counts the planner cannot estimate from JSON.
      cross join lateral (
        select count(distinct f.id) as tasks,
               bool_or(x.status = 'rejected') as rejected, bool_or(x.status = 'returned-with-advice') as returned,
               bool_or(x.status = 'slot-issue') as slot_issue, bool_or(x.status = 'attended') as attended,
               bool_or(x.status = 'did-not-attend') as dna,
               max(x.reason) filter (where x.status in ('rejected', 'returned-with-advice')) as reason
          from search_reference f
          join search_token k on k.resource_type = 'Task' and k.id = f.id and k.param = 'code'
                             and k.system = ${category} and k.code = ${params.add(REFERRAL_TASK)}
          join resource t on t.resource_type = 'Task' and t.id = f.id and not t.deleted
          join resource_version v on v.resource_type = 'Task' and v.id = f.id and v.content is not null
          cross join lateral (select v.content::jsonb as c) j
          cross join lateral (select ${CODE_IN(`j.c -> 'businessStatus' -> 'coding'`, statusSystem)} as status,
                                     ${CODE_IN(`j.c -> 'statusReason' -> 'coding'`, reasonSystem)} as reason) x
         where f.resource_type = 'Task' and f.param = 'focus' and f.target_type = 'ServiceRequest'
           and f.target_id = referral.id
      ) task
      cross join lateral (
        select min(d.low) as start
          from search_reference b
          join resource a on a.resource_type = 'Appointment' and a.id = b.id and not a.deleted
          join search_date d on d.resource_type = 'Appointment' and d.id = b.id and d.param = 'date'
         where b.resource_type = 'Appointment' and b.param = 'based-on' and b.target_type = 'ServiceRequest'
           and b.target_id = referral.id
           and not exists (select 1 from search_token st where st.resource_type = 'Appointment' and st.id = b.id
                              and st.param = 'status' and st.code in ('cancelled', 'entered-in-error'))
      ) fa
  )`;
}

export class AnalyticsRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /**
   * Referral counts (one grouping), the distribution of waits by practice, and decisions by reason:
   * three grouping sets of one pass over the facts.
   */
  async referrals(query: AnalyticsQuery): Promise<{ cells: ReferralCell[]; waits: WaitCell[]; reasons: ReasonCell[] }> {
    const params = new SqlParams();
    const facts = referralFacts(params, query);
    const rows = await this.db.query<Record<string, string | number | null>>(
      `with ${facts}
      select grouping(date_trunc('month', authored)) as no_month, grouping(wait_days) as no_wait, practice,
             to_char(date_trunc('month', authored), 'YYYY-MM') as month, specialty, channel, band, sex, wait_days,
             case when rejected then 'rejected' when returned then 'returned-with-advice' end as decision, reason,
             count(*) as referrals, count(*) filter (where has_task) as with_task,
             count(*) filter (where rejected) as rejected, count(*) filter (where returned) as returned,
             count(*) filter (where slot_issue) as slot_issues, count(*) filter (where attended) as attended,
             count(*) filter (where dna) as dna
        from facts
       group by grouping sets (
         (practice, date_trunc('month', authored), specialty, channel, band, sex),
         (practice, wait_days),
         (practice, rejected, returned, reason))`,
      params.values as never,
      { reusePlan: false },
    );
    const cells: ReferralCell[] = [];
    const waits: WaitCell[] = [];
    const reasons: ReasonCell[] = [];
    for (const row of rows) {
      const n = (key: string): number => Number(row[key] ?? 0);
      const practice = String(row.practice);
      if (Number(row.no_month) === 0) {
        cells.push({
          practice,
          month: String(row.month),
          specialty: String(row.specialty),
          channel: String(row.channel),
          band: String(row.band),
          sex: String(row.sex),
          referrals: n('referrals'),
          withTask: n('with_task'),
          rejected: n('rejected'),
          returned: n('returned'),
          slotIssues: n('slot_issues'),
          attended: n('attended'),
          dna: n('dna'),
        });
      } else if (Number(row.no_wait) === 0) {
        if (row.wait_days !== null) {
          waits.push({ practice, waitDays: n('wait_days'), referrals: n('referrals') });
        }
      } else if (row.decision) {
        reasons.push({
          practice,
          decision: row.decision as ReasonCell['decision'],
          reason: String(row.reason ?? 'not-recorded'),
          referrals: n('referrals'),
        });
      }
    }
    return { cells, waits, reasons };
  }

  /** Registered patients (list sizes) by practice, age band and sex, today. */
  async population(): Promise<PopulationCell[]> {
    const rows = await this.db.query<{ practice: string; band: string; sex: string; patients: string }>(
      `select gp.practice, ${BAND(`extract(year from age(current_date, b.low::date))`)} as band,
              ${SEX('g.code')} as sex, count(*) as patients
         from resource r
         join lateral (select min(target_id) as practice from search_reference
                        where resource_type = 'Patient' and id = r.id and param = 'general-practitioner'
                          and target_type = 'Organization') gp on gp.practice is not null
         left join search_date b on b.resource_type = 'Patient' and b.id = r.id and b.param = 'birthdate'
         left join search_token g on g.resource_type = 'Patient' and g.id = r.id and g.param = 'gender'
        where r.resource_type = 'Patient' and not r.deleted
          and not exists (select 1 from search_token d where d.resource_type = 'Patient' and d.id = r.id
                             and d.param = 'deceased' and d.code = 'true')
        group by 1, 2, 3`,
      [],
      { reusePlan: false },
    );
    return rows.map((r) => ({ practice: r.practice, band: r.band, sex: r.sex, patients: Number(r.patients) }));
  }

  /** Advice-and-guidance requests (Tasks `advice-request`) by practice and month, and how many avoided a referral. */
  async advice(query: AnalyticsQuery): Promise<AdviceCell[]> {
    const params = new SqlParams();
    const system = params.add(REFERRAL_SYSTEM);
    const rows = await this.db.query<{ practice: string; month: string; requests: string; avoided: string }>(
      `with a as (
         select r.content::jsonb as c from current_resource r
          where r.resource_type = 'Task' and not r.deleted
            and r.id in (select id from search_token where resource_type = 'Task' and param = 'code'
                          and system = ${system} and code = ${params.add(ADVICE_TASK)})
       ), f as (
         select ${CODE_IN(`c -> 'meta' -> 'tag'`, params.add(REFERRER_TAG_SYSTEM))} as practice,
                (c ->> 'authoredOn')::timestamptz as authored,
                exists (select 1 from jsonb_array_elements(coalesce(c -> 'output', '[]'::jsonb)) o,
                               jsonb_array_elements(coalesce(o -> 'valueCodeableConcept' -> 'coding', '[]'::jsonb)) x
                         where x ->> 'system' = ${params.add(ADVICE_OUTCOME_SYSTEM)} and x ->> 'code' = 'referral-avoided') as avoided
           from a where c ->> 'authoredOn' is not null
       )
       select practice, to_char(date_trunc('month', authored), 'YYYY-MM') as month, count(*) as requests,
              count(*) filter (where avoided) as avoided
         from f where practice is not null and authored >= ${params.add(query.from)}::timestamptz
          and authored < ${params.add(query.to)}::timestamptz
        group by 1, 2`,
      params.values as never,
      { reusePlan: false },
    );
    return rows.map((r) => ({
      practice: r.practice,
      month: r.month,
      requests: Number(r.requests),
      avoided: Number(r.avoided),
    }));
  }

  /** Names of organisations by id (directory data). */
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    if (!ids.length) {
      return new Map();
    }
    const rows = await this.db.query<{ id: string; name: string | null }>(
      `select id, content::jsonb ->> 'name' as name from current_resource
        where resource_type = 'Organization' and id = any($1::text[]) and not deleted`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.name ?? r.id]));
  }
}

/** A registered patient for the demo history: id, practice, age today and sex (search rows only). */
export interface RegisteredPatient {
  id: string;
  practice: string;
  age: number;
  sex: string;
}

/** Registered, living patients with their practice, age and sex, in id order (the demo history draws from them). */
export async function registeredPatients(db: Queryable): Promise<RegisteredPatient[]> {
  const rows = await db.query<{ id: string; practice: string; age: number | null; sex: string }>(
    `select r.id, gp.practice, extract(year from age(current_date, b.low::date))::int as age, ${SEX('g.code')} as sex
       from resource r
       join lateral (select min(target_id) as practice from search_reference
                      where resource_type = 'Patient' and id = r.id and param = 'general-practitioner'
                        and target_type = 'Organization') gp on gp.practice is not null
       left join search_date b on b.resource_type = 'Patient' and b.id = r.id and b.param = 'birthdate'
       left join search_token g on g.resource_type = 'Patient' and g.id = r.id and g.param = 'gender'
      where r.resource_type = 'Patient' and not r.deleted
        and not exists (select 1 from search_token d where d.resource_type = 'Patient' and d.id = r.id
                           and d.param = 'deceased' and d.code = 'true')
      order by r.id collate "C"`,
    [],
    { reusePlan: false },
  );
  return rows.map((r) => ({ id: r.id, practice: r.practice, age: Number(r.age ?? 40), sex: r.sex }));
}
