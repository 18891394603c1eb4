import type { SqlParam } from '../db/database.ts';
import { badRequest } from '../fhir/outcome.ts';

/** Which audit rows: all of them when empty. */
export interface AuditFilter {
  /** Rows about this patient (id). */
  patient?: string;
  /**
   * Rows by this agent: `Practitioner/…`, `PractitionerRole/…`, `Organization/…`, `Patient/…`,
   * `RelatedPerson/…`, or a bare user id or client id.
   */
  agent?: string;
  /** recorded at or after (inclusive, ISO instant). */
  from?: string;
  /** recorded before (exclusive, ISO instant). */
  to?: string;
  /** seq below this (paging newest first). */
  before?: number;
  /** seq above this (paging oldest first). */
  after?: number;
  /** Only what a reviewer checks first: emergency (break-glass) access, or refused requests. */
  concern?: 'break-glass' | 'refused';
}

const ACTOR_KEYS: Record<string, string> = {
  Practitioner: 'practitioner',
  PractitionerRole: 'practitionerRole',
  Organization: 'organization',
  RelatedPerson: 'relatedPerson',
};

/** The actor documents (audit.ts describeActor) any of which the agent filter matches by containment. */
export function agentPatterns(agent: string): Record<string, string>[] {
  const [type, id] = agent.split('/');
  if (id !== undefined && type && ACTOR_KEYS[type]) {
    return [{ [ACTOR_KEYS[type]]: agent }];
  }
  if (id !== undefined && type === 'Patient') {
    // A related person's row names the patient they act for too: only the patient's own.
    return [{ kind: 'patient', patient: agent }];
  }
  return [{ userId: agent }, { clientId: agent }];
}

/** SQL condition on `audit_log a` for the filter, with its parameters ($1…). */
export function auditWhere(filter: AuditFilter): { sql: string; params: SqlParam[] } {
  const params: SqlParam[] = [];
  const add = (value: SqlParam): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = ['true'];
  if (filter.patient !== undefined) {
    conditions.push(`a.patient_ids @> array[${add(filter.patient)}::text]`);
  }
  if (filter.agent !== undefined) {
    // One containment test per pattern, ORed, so that the GIN index on `actor` (migration 008) can
    // serve each; `@> any(array)` cannot use it.
    const tests = agentPatterns(filter.agent).map((p) => `a.actor @> ${add(JSON.stringify(p))}::jsonb`);
    conditions.push(`(${tests.join(' or ')})`);
  }
  if (filter.from !== undefined) {
    conditions.push(`a.recorded_at >= ${add(filter.from)}::timestamptz`);
  }
  if (filter.to !== undefined) {
    conditions.push(`a.recorded_at < ${add(filter.to)}::timestamptz`);
  }
  if (filter.concern === 'break-glass') {
    conditions.push(`a.break_glass_reason is not null`);
  } else if (filter.concern === 'refused') {
    conditions.push(`a.decision like 'deny%'`);
  }
  if (filter.before !== undefined) {
    conditions.push(`a.seq < ${add(filter.before)}::bigint`);
  }
  if (filter.after !== undefined) {
    conditions.push(`a.seq > ${add(filter.after)}::bigint`);
  }
  return { sql: conditions.join(' and '), params };
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The instants [low, high) a FHIR date value (year, month, day or dateTime; UTC if no zone) covers. */
export function dateRange(value: string): [Date, Date] {
  const m = DATE.exec(value);
  if (!m) {
    return badRequest(`'${value}' is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)`, ['date']);
  }
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  if (hour !== undefined) {
    const low = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}${fraction ?? ''}${zone ?? 'Z'}`);
    const step = second === undefined ? 60_000 : fraction === undefined ? 1000 : 1;
    return checked(value, low, new Date(low.getTime() + step));
  }
  const y = Number(year);
  if (month === undefined) {
    return checked(value, new Date(Date.UTC(y, 0, 1)), new Date(Date.UTC(y + 1, 0, 1)));
  }
  const mo = Number(month) - 1;
  if (day === undefined) {
    return checked(value, new Date(Date.UTC(y, mo, 1)), new Date(Date.UTC(y, mo + 1, 1)));
  }
  const d = Number(day);
  return checked(value, new Date(Date.UTC(y, mo, d)), new Date(Date.UTC(y, mo, d + 1)));
}

function checked(value: string, low: Date, high: Date): [Date, Date] {
  if (Number.isNaN(low.getTime()) || Number.isNaN(high.getTime())) {
    return badRequest(`'${value}' is not a valid date`, ['date']);
  }
  return [low, high];
}

/**
 * `date` search values (ge, gt, le, lt, eq or none; several are ANDed) as the filter's from / to.
 */
export function dateBounds(values: readonly string[]): Pick<AuditFilter, 'from' | 'to'> {
  let from: Date | undefined;
  let to: Date | undefined;
  const later = (a: Date | undefined, b: Date): Date => (a && a > b ? a : b);
  const earlier = (a: Date | undefined, b: Date): Date => (a && a < b ? a : b);
  for (const raw of values) {
    const prefix = /^(ge|gt|le|lt|eq)/.exec(raw)?.[1] ?? 'eq';
    const [low, high] = dateRange(raw.replace(/^(ge|gt|le|lt|eq)/, ''));
    if (prefix === 'ge' || prefix === 'eq') {
      from = later(from, low);
    }
    if (prefix === 'gt') {
      from = later(from, high);
    }
    if (prefix === 'le' || prefix === 'eq') {
      to = earlier(to, high);
    }
    if (prefix === 'lt') {
      to = earlier(to, low);
    }
  }
  return { ...(from ? { from: from.toISOString() } : {}), ...(to ? { to: to.toISOString() } : {}) };
}
