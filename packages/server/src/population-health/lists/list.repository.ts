/**
 * The ranked list in SQL: score rows joined to the RiskAssessment each records, so the access policy's
 * own condition on that row (the caller's restriction) decides which patients a member of staff sees —
 * exactly those whose RiskAssessment they could read — and counts, filters and pages see only those.
 * The pseudonymised view reads rows of practices that share with the commissioner for commissioning,
 * minus patients with a National Data Opt-out.
 */
import type { RowRestriction } from '../../fhir/search/execute.ts';
import { SqlParams } from '../../fhir/search/sql-params.ts';
import type { Queryable } from '../../db/database.ts';
import { secondaryUseCondition } from '../../access/secondary-use.ts';
import { RISING_BY, type ListFilters } from './filters.ts';

export interface ListRow {
  patient_id: string;
  practice_id: string | null;
  probability: number;
  previous_probability: number | null;
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
  scored_at: Date | string;
  risk_assessment_id: string;
  /** Pseudonymised view only: people in the row's practice, age band and sex among those listed. */
  group_size?: number;
}

export interface ListPage {
  rows: ListRow[];
  total: number;
  bands: Record<string, number>;
}

function filterSql(filters: ListFilters, params: SqlParams, s: string, previous: string): string[] {
  const where: string[] = [];
  if (filters.practice) {
    where.push(`${s}.practice_id = ${params.add(filters.practice)}`);
  }
  if (filters.band) {
    where.push(`${s}.band = ${params.add(filters.band)}`);
  }
  if (filters.condition) {
    where.push(`${params.add(filters.condition)} = any(${s}.conditions)`);
  }
  if (filters.minAge !== undefined) {
    where.push(`${s}.age >= ${params.add(filters.minAge)}`);
  }
  if (filters.maxAge !== undefined) {
    where.push(`${s}.age <= ${params.add(filters.maxAge)}`);
  }
  if (filters.frailty) {
    where.push(`${s}.frailty = ${params.add(filters.frailty)}`);
  }
  if (filters.rising) {
    where.push(`${previous} is not null and ${s}.probability - ${previous} >= ${params.add(RISING_BY)}`);
  }
  return where;
}

/** Last month's first score of the row's patient (rising risk). */
const LAST_MONTH = (
  s: string,
): string => `left join population_risk_snapshot ps on ps.model_version = ${s}.model_version
  and ps.patient_id = ${s}.patient_id and ps.month = (date_trunc('month', now()) - interval '1 month')::date`;

const columns = (
  previous: string,
): string => `s.patient_id, s.practice_id, s.probability, ${previous} as previous_probability, s.band, s.age, s.sex, s.imd_decile,
  s.conditions, s.emergency_admissions_12m, s.ae_attendances_12m, s.outpatient_attendances_12m, s.repeat_medicines,
  s.efi, s.frailty, s.cost_12m, s.factors, s.scored_at, s.risk_assessment_id`;

export class ListRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  private async page(
    params: SqlParams,
    from: string,
    where: string[],
    filters: ListFilters,
    extra = '',
    previous = 'ps.probability',
  ): Promise<ListPage> {
    const whereSql = where.join(' and ');
    const limit = params.add(filters.pageSize);
    const offset = params.add((filters.page - 1) * filters.pageSize);
    const rows = await this.db.query<ListRow>(
      `select * from (select ${columns(previous)}${extra} from ${from} where ${whereSql}) s
        order by s.probability desc, s.patient_id collate "C" limit ${limit} offset ${offset}`,
      params.values as never,
      { reusePlan: false },
    );
    const counts = await this.db.query<{ band: string; n: string }>(
      `select s.band, count(*) as n from ${from} where ${whereSql} group by s.band`,
      params.values.slice(0, params.values.length - 2) as never,
      { reusePlan: false },
    );
    const bands: Record<string, number> = { 'very-high': 0, high: 0, moderate: 0, low: 0 };
    for (const c of counts) {
      bands[c.band] = Number(c.n);
    }
    return { rows, total: Object.values(bands).reduce((a, b) => a + b, 0), bands };
  }

  /** The caller's identifiable list: rows whose RiskAssessment `restrict` lets them see. */
  async identifiable(version: string, restrict: RowRestriction | undefined, filters: ListFilters): Promise<ListPage> {
    const params = new SqlParams();
    const from = `population_risk_score s join resource r on r.resource_type = 'RiskAssessment'
      and r.id = s.risk_assessment_id and not r.deleted ${LAST_MONTH('s')}`;
    const where = [`s.model_version = ${params.add(version)}`, ...filterSql(filters, params, 's', 'ps.probability')];
    if (restrict) {
      where.push(restrict('r', params));
    }
    return this.page(params, from, where, filters);
  }

  /**
   * The pseudonymised rows for a commissioner: practices in `practices` only, no patient with a
   * National Data Opt-out, each row with the size of its (practice, 5-year age band, sex) group.
   */
  async pseudonymised(version: string, practices: readonly string[], filters: ListFilters): Promise<ListPage> {
    const params = new SqlParams();
    const versionParam = params.add(version);
    const practiceParam = params.add(practices);
    // The filters apply first, then each row's group size is counted among the rows that matched, so
    // a filter cannot make a small group look large (H-147).
    const inner = filterSql(filters, params, 'x', 'ps.probability');
    const from = `(select x.*, ps.probability as previous_probability,
          count(*) over (partition by x.practice_id, least(x.age / 5, 18), x.sex) as group_size
        from population_risk_score x ${LAST_MONTH('x')}
        where x.model_version = ${versionParam} and x.practice_id = any(${practiceParam}::text[])
          and ${secondaryUseCondition('x', params)}${inner.length ? ` and ${inner.join(' and ')}` : ''}) s`;
    return this.page(params, from, ['true'], filters, ', s.group_size', 's.previous_probability');
  }

  /**
   * Practices that share with organisation `recipient` for commissioning: a signed, current, not
   * withdrawn agreement naming the purpose, the practice as a provider and `recipient` as a recipient,
   * covering the category of RiskAssessments (`other`).
   */
  async practicesSharingForCommissioning(recipient: string, roleCode: string): Promise<string[]> {
    const rows = await this.db.query<{ organization_id: string }>(
      `select distinct pp.organization_id from sharing_agreement a
         join sharing_agreement_party pp on pp.agreement_id = a.id and pp.role in ('provider', 'both')
         join sharing_agreement_party rp on rp.agreement_id = a.id and rp.role in ('recipient', 'both')
        where rp.organization_id = $1 and pp.organization_id <> $1 and a.withdrawn_at is null
          and 'commissioning' = any(a.purposes) and 'other' = any(a.categories)
          and (cardinality(a.recipient_roles) = 0 or $2 = any(a.recipient_roles))
          and a.valid_from <= (now() at time zone 'UTC')::date
          and (a.valid_to is null or a.valid_to >= (now() at time zone 'UTC')::date)
          and not exists (select 1 from sharing_agreement_party s where s.agreement_id = a.id and s.signed_at is null)`,
      [recipient, roleCode],
    );
    return rows.map((r) => r.organization_id);
  }
}
