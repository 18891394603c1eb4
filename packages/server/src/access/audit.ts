import { createHash } from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { isConnectionLost, isOverloaded } from '../db/errors.ts';
import { jsonbValue } from '../db/jsonb.ts';
import type { AccessEvent } from '../fhir/store/hooks.ts';
import type { Actor } from './actor.ts';
import { auditWhere, type AuditFilter } from './audit-query.ts';
import { verifyAuditChains, type VerifyResult } from './audit-verify.ts';
import { isSecondaryUse } from './secondary-use.ts';

export interface AuditEntry {
  seq: number;
  recordedAt: string;
  actor: Record<string, unknown>;
  patientIds: string[];
  resourceRefs: string[];
  interaction: string;
  purpose: string | null;
  decision: string;
  breakGlassReason: string | null;
  query: string | null;
  prevHash: string;
  hash: string;
  /** The hash chain the row is on (migration 005). */
  chain: number;
  /** Heads of the other chains (chain → [seq, hash]) when this row is a checkpoint. */
  checkpoint: Record<string, [number, string]> | null;
  /** The exact text the hash covers (only when asked for: exports). */
  canonical?: string;
}

export type { VerifyResult } from './audit-verify.ts';

/**
 * SQL: the patients a resource row concerns, for the audit trail: its patient, or every member of a
 * cohort (no one's record, but seeing it tells who is on it, so each member's log shows it).
 */
const PATIENTS_OF = (r: string): string =>
  `unnest(case when ${r}.category = 'cohort' then ${r}.compartments else array[${r}.patient_id] end)`;
const HAS_PATIENTS = (r: string): string => `(${r}.patient_id is not null or ${r}.category = 'cohort')`;

/** Who, for the audit row: user, practitioner, role, organisation (staff), or the patient/carer/client. */
export function describeActor(actor: Actor): Record<string, unknown> {
  switch (actor.kind) {
    case 'staff':
      return {
        kind: 'staff',
        userId: actor.userId,
        practitioner: `Practitioner/${actor.practitionerId}`,
        organization: `Organization/${actor.organizationId}`,
        organizationType: actor.organizationType,
        role: actor.roleCode,
        ...(actor.practitionerRoleId ? { practitionerRole: `PractitionerRole/${actor.practitionerRoleId}` } : {}),
      };
    case 'patient':
      return { kind: 'patient', userId: actor.userId, patient: `Patient/${actor.patientId}` };
    case 'related-person':
      return {
        kind: 'related-person',
        userId: actor.userId,
        relatedPerson: `RelatedPerson/${actor.relatedPersonId}`,
        patient: `Patient/${actor.patientId}`,
      };
    case 'system':
      return { kind: 'system', clientId: actor.clientId };
  }
}

interface BufferedRow {
  actor: Record<string, unknown>;
  patients: string[];
  refs: string[];
  interaction: string;
  purpose: string;
  query: string | null;
  user: string | null;
}

const READS: readonly AccessEvent['interaction'][] = ['read', 'vread', 'search', 'history', 'everything'];

/** A read waiting for its group commit. */
interface GroupWaiter {
  row: BufferedRow;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group statements in flight at once per process. One: while it commits the next group fills, and
 * measured reads by id ran faster with one than with two or three (bigger groups, less work for
 * PostgreSQL per row; docs/PERFORMANCE.md).
 */
const MAX_GROUP_WRITERS = 1;
const MAX_GROUP_ROWS = 1000;
/** A group's size in (approximate) bytes of JSON, so that no group statement grows without bound. */
const MAX_GROUP_BYTES = 1 << 20;

/**
 * The longest query kept whole in an audit row. A POST `_search` can carry megabytes of
 * parameters; the row keeps the first 8 KiB, the full length and a SHA-256 of the whole, which is
 * evidence enough and keeps every row (and every group of them) small.
 */
export const MAX_AUDITED_QUERY = 8 * 1024;

export function auditedQuery(query: string | undefined): string | null {
  if (query === undefined) {
    return null;
  }
  if (query.length <= MAX_AUDITED_QUERY) {
    return query;
  }
  const digest = createHash('sha256').update(query).digest('hex');
  return `${query.slice(0, MAX_AUDITED_QUERY)}… [${query.length} characters, sha256 ${digest}]`;
}

function approximateBytes(row: BufferedRow): number {
  const text = (values: readonly string[]): number => values.reduce((sum, v) => sum + v.length + 3, 0);
  return 256 + (row.query?.length ?? 0) + text(row.refs) + text(row.patients);
}

export function purposeOf(actor: Actor): string {
  switch (actor.kind) {
    case 'staff':
      return 'direct-care';
    case 'patient':
      return 'patient-access';
    case 'related-person':
      return 'carer-access';
    case 'system':
      // A secondary-use client's accesses carry its purpose (docs/ACCESS.md, *Two kinds of opt-out*).
      return isSecondaryUse(actor) ? actor.purpose : 'integration';
  }
}

interface Row {
  seq: number | string;
  recorded_at: Date | string;
  actor: Record<string, unknown> | string;
  patient_ids: string[];
  resource_refs: string[];
  interaction: string;
  purpose: string | null;
  decision: string;
  break_glass_reason: string | null;
  query: string | null;
  prev_hash: string;
  hash: string;
  chain: number | string;
  checkpoint: Record<string, [number | string, string]> | string | null;
  canonical?: string;
}

function toEntry(row: Row): AuditEntry {
  const checkpoint = row.checkpoint === null ? null : jsonbValue(row.checkpoint);
  return {
    seq: Number(row.seq),
    recordedAt: new Date(row.recorded_at).toISOString(),
    actor: jsonbValue(row.actor),
    patientIds: row.patient_ids,
    resourceRefs: row.resource_refs,
    interaction: row.interaction,
    purpose: row.purpose,
    decision: row.decision,
    breakGlassReason: row.break_glass_reason,
    query: row.query,
    prevHash: row.prev_hash,
    hash: row.hash,
    chain: Number(row.chain),
    checkpoint:
      checkpoint &&
      Object.fromEntries(Object.entries(checkpoint).map(([chain, [seq, hash]]) => [chain, [Number(seq), hash]])),
    ...(row.canonical === undefined ? {} : { canonical: row.canonical }),
  };
}

/**
 * The audit trail (table `audit_log`): rows are numbered, timestamped and hash-chained by the
 * database trigger, so this class only ever inserts and reads.
 */
export class AuditLog {
  private readonly db: Queryable;
  private readonly bufferMs: number;
  private pending: BufferedRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Reads waiting for the next group commit, and how many group statements are in flight. */
  private group: GroupWaiter[] = [];
  private groupWriters = 0;

  /**
   * By default a read's row is **group-committed**: it joins the rows of the reads that arrived
   * while the previous statement was being written, one multi-row insert commits them all (with
   * full durability), and each read is answered only after its row has committed. At low load a
   * group is one row and nothing waits; under load one commit and one chain lock serve dozens of
   * reads. An unaudited read is never answered, and a crash loses no row of an answered read.
   *
   * `bufferReadsMs` > 0 instead queues reads' rows and writes them at most that many milliseconds
   * later (or at 500 rows), off the request's path: faster still, but a process that dies loses
   * what is queued (call `flush()` before exiting), so it is for deployments that accept that.
   */
  constructor(db: Queryable, options: { bufferReadsMs?: number } = {}) {
    this.db = db;
    this.bufferMs = options.bufferReadsMs ?? 0;
  }

  /**
   * One row for one request. The patients are those given plus those the referenced resources are
   * labelled with (read from `resource`), in the same statement; nothing is written when no patient
   * data was touched. A staff actor's unexpired break-glass session for one of the patients is
   * recorded as the decision `permit-break-glass` with its reason.
   */
  async record(actor: Actor, event: AccessEvent, tx: Queryable = this.db): Promise<void> {
    if (!event.resources.length && !event.patients.length && event.query === undefined) {
      return;
    }
    // Refusals are rare and are evidence: written at once on their own. Writes are audited inside
    // their own transaction and share its fate.
    if (tx === this.db && READS.includes(event.interaction) && event.decision !== 'deny') {
      const row = {
        actor: describeActor(actor),
        patients: event.patients,
        refs: event.resources,
        interaction: event.interaction,
        purpose: purposeOf(actor),
        query: auditedQuery(event.query),
        user: actor.kind === 'staff' ? actor.userId : null,
      };
      if (this.bufferMs > 0) {
        this.enqueue(row);
        return;
      }
      return this.groupCommit(row);
    }
    await this.insertOne(actor, event, tx);
  }

  /** Resolves once the row has committed with the others of its group. */
  private groupCommit(row: BufferedRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.group.push({ row, resolve, reject });
      this.startGroups();
    });
  }

  /**
   * Starts a group statement unless MAX_GROUP_WRITERS are in flight. The first read on an idle
   * server is written alone and at once; reads arriving meanwhile wait for it and go together.
   */
  private startGroups(): void {
    while (this.groupWriters < MAX_GROUP_WRITERS && this.group.length) {
      const waiters = this.takeGroup();
      this.groupWriters++;
      void this.writeGroup(waiters).finally(() => {
        this.groupWriters--;
        this.startGroups();
      });
    }
  }

  /** The next group: up to MAX_GROUP_ROWS rows and MAX_GROUP_BYTES of them (one row at least). */
  private takeGroup(): GroupWaiter[] {
    let bytes = 0;
    let n = 0;
    while (n < this.group.length && n < MAX_GROUP_ROWS) {
      bytes += approximateBytes(this.group[n]!.row);
      if (n > 0 && bytes > MAX_GROUP_BYTES) {
        break;
      }
      n++;
    }
    return this.group.splice(0, n);
  }

  /**
   * Writes a group; if its statement fails for anything but a lost connection, writes its rows one
   * by one, so that one read's row can never make the other reads of its group fail.
   */
  private async writeGroup(waiters: GroupWaiter[]): Promise<void> {
    try {
      await this.insertBatch(
        waiters.map((w) => w.row),
        { durable: true },
      );
      waiters.forEach((w) => w.resolve());
      return;
    } catch (error) {
      // Row by row would find the one row that cannot be written; it would not help a database that
      // has lost its connection or is too busy (a statement timeout would become a thousand).
      if (waiters.length === 1 || isConnectionLost(error) || isOverloaded(error)) {
        waiters.forEach((w) => w.reject(error));
        return;
      }
    }
    for (const waiter of waiters) {
      await this.insertBatch([waiter.row], { durable: true }).then(waiter.resolve, waiter.reject);
    }
  }

  private async insertOne(actor: Actor, event: AccessEvent, tx: Queryable): Promise<void> {
    const refs = event.resources.map((ref) => ref.split('/'));
    const denied = event.decision === 'deny';
    const staffUser = actor.kind === 'staff' ? actor.userId : null;
    // Only a staff user can have a break-glass session.
    const reason = staffUser
      ? `(select b.reason from break_glass b where b.user_id = $9::text and b.patient_id = any(p.ids)
            and b.started_at <= now() and b.expires_at > now() order by b.started_at desc limit 1)`
      : 'null::text';
    await tx.queue(
      `with p as materialized (
         select coalesce(array_agg(distinct x order by x), '{}') as ids from (
           select unnest($2::text[]) as x
           union all
           select ${PATIENTS_OF('r')} from resource r
             join unnest($7::text[], $8::text[]) as k(t, i) on r.resource_type = k.t and r.id = k.i
            where ${HAS_PATIENTS('r')}) s),
       bg as materialized (select ${reason} as reason from p)
       insert into audit_log (actor, patient_ids, resource_refs, interaction, purpose, decision, break_glass_reason, query)
       select $1::jsonb, p.ids, $3::text[], $4::text, $5::text,
              ${denied ? `'deny'` : `case when bg.reason is null then 'permit' else 'permit-break-glass' end`},
              ${denied ? 'null::text' : 'bg.reason'}, $6::text
         from p cross join bg
        -- A search is recorded even when it was about no patient (a directory search, a probe that
        -- found nothing): the privacy officer sees every query.
        where cardinality(p.ids) > 0 or $6::text is not null`,
      [
        JSON.stringify(describeActor(actor)),
        event.patients,
        event.resources,
        event.interaction,
        purposeOf(actor),
        auditedQuery(event.query),
        refs.map((r) => r[0] ?? ''),
        refs.map((r) => r[1] ?? ''),
        ...(staffUser ? [staffUser] : []),
      ],
      { genericPlan: true },
    );
  }

  private enqueue(row: BufferedRow): void {
    this.pending.push(row);
    if (this.pending.length >= 500) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush().catch(() => undefined); // kept and retried on the next flush
      }, this.bufferMs);
      this.timer.unref?.();
    }
  }

  /** Writes the queued read rows (buffered mode), in the order they were recorded, 1000 to a statement. */
  async flush(): Promise<void> {
    const run = this.flushing
      .catch(() => undefined)
      .then(async () => {
        while (this.pending.length) {
          const batch = this.pending.splice(0, 1000);
          try {
            // Buffered rows are already off every request's path: no need to wait for the WAL flush.
            await this.insertBatch(batch, { durable: false });
          } catch (error) {
            this.pending.unshift(...batch);
            throw error;
          }
        }
      });
    this.flushing = run;
    return run;
  }

  /** One statement for a batch of read rows, written in the order given. */
  private async insertBatch(batch: BufferedRow[], options: { durable: boolean }): Promise<void> {
    // A distributed store (src/db/distributed.ts) cannot join its shards inside a lateral subquery
    // per row: the batch's resources are looked up once, first, and each row takes its own from that.
    const refPatients = this.db.distributed
      ? `select unnest(e.given) as y union all select rp.y from ref_patients rp where rp.ref = any(e.ref_keys)`
      : `select unnest(e.given) as y
                 union all
                 select ${PATIENTS_OF('r')} from unnest(e.refs) as ref
                   join resource r on r.resource_type = split_part(ref, '/', 1) and r.id = split_part(ref, '/', 2)
                  where ${HAS_PATIENTS('r')}`;
    // Each row's references as `Type/id`, whatever follows (a `_history` suffix), as the join above reads them.
    const refKeys = this.db.distributed
      ? `
                          array(select split_part(k, '/', 1) || '/' || split_part(k, '/', 2)
                                  from json_array_elements_text(x->'refs') as k) as ref_keys,`
      : '';
    const lookup = this.db.distributed
      ? `with ref_patients as materialized (
           select r.resource_type || '/' || r.id as ref, ${PATIENTS_OF('r')} as y from resource r
             join (select distinct split_part(ref, '/', 1) as t, split_part(ref, '/', 2) as i
                     from json_array_elements($1::json) as j(x), json_array_elements_text(x->'refs') as ref) k
               on r.resource_type = k.t and r.id = k.i
            where ${HAS_PATIENTS('r')})
         `
      : '';
    await this.db.query(
      `${lookup}insert into audit_log (actor, patient_ids, resource_refs, interaction, purpose, decision, break_glass_reason, query)
           select e.actor, p.ids, e.refs, e.interaction, e.purpose,
                  case when bg.reason is null then 'permit' else 'permit-break-glass' end, bg.reason, e.query
             from (select (x->'actor')::jsonb as actor, array(select json_array_elements_text(x->'refs')) as refs,${refKeys}
                          array(select json_array_elements_text(x->'patients')) as given, x->>'interaction' as interaction,
                          x->>'purpose' as purpose, x->>'query' as query, x->>'user' as user_id, j.ord
                     from json_array_elements($1::json) with ordinality as j(x, ord)) e
             cross join lateral (
               select coalesce(array_agg(distinct y order by y), '{}') as ids from (${refPatients}) s) p
             left join lateral (
               select b.reason from break_glass b
                where e.user_id is not null and b.user_id = e.user_id and b.patient_id = any(p.ids)
                  and b.started_at <= now() and b.expires_at > now()
                order by b.started_at desc limit 1) bg on true
             ${options.durable ? '' : `cross join (select set_config('synchronous_commit', 'off', true)) as async_commit`}
            where cardinality(p.ids) > 0 or e.query is not null
            order by e.ord`,
      [JSON.stringify(batch)],
    );
  }

  /** A row written by the access module itself (break-glass, agreement changes). */
  async recordEvent(
    actor: Actor,
    event: {
      interaction: string;
      patients?: string[];
      resources?: string[];
      decision: string;
      breakGlassReason?: string;
      query?: string;
    },
    tx: Queryable = this.db,
  ): Promise<void> {
    await tx.query(
      `insert into audit_log (actor, patient_ids, resource_refs, interaction, purpose, decision, break_glass_reason, query)
       values ($1::jsonb, $2::text[], $3::text[], $4, $5, $6, $7, $8)`,
      [
        JSON.stringify(describeActor(actor)),
        event.patients ?? [],
        event.resources ?? [],
        event.interaction,
        purposeOf(actor),
        event.decision,
        event.breakGlassReason ?? null,
        auditedQuery(event.query),
      ],
    );
  }

  /**
   * Newest first (or oldest first with `order: 'asc'`), a page of at most 1000. `before` / `after`
   * page by seq; see AuditFilter for the rest. `canonical` adds the text each hash covers.
   */
  async list(options: AuditListOptions = {}): Promise<AuditEntry[]> {
    await this.flush();
    const count = Math.min(Math.max(options.count ?? 100, 1), 1000);
    const where = auditWhere(options);
    const rows = await this.db.query<Row>(
      `select a.*${options.canonical ? ', audit_log_canonical(a) as canonical' : ''} from audit_log a
        where ${where.sql}
        order by seq ${options.order === 'asc' ? 'asc' : 'desc'} limit ${count}`,
      where.params,
    );
    return rows.map(toEntry);
  }

  /** Every matching row, oldest first, a page at a time (for exports). */
  async *stream(filter: AuditFilter = {}, pageSize = 1000): AsyncGenerator<AuditEntry> {
    let after = filter.after;
    for (;;) {
      const page = await this.list({ ...filter, after, order: 'asc', count: pageSize, canonical: true });
      yield* page;
      if (page.length < pageSize) {
        return;
      }
      after = page[page.length - 1]!.seq;
    }
  }

  /**
   * Display names of Practitioner, Organization, Patient and RelatedPerson references ('Type/id'),
   * from their current versions; for showing audit entries to people.
   */
  /** Which of these `Type/id` references are the patient's own record (the Patient itself included). */
  async refsOfPatient(patient: string, refs: readonly string[]): Promise<Set<string>> {
    const wanted = [...new Set(refs)].map((ref) => ref.split('/')).filter((p) => p.length === 2);
    if (!wanted.length) {
      return new Set();
    }
    const rows = await this.db.query<{ ref: string }>(
      `select r.resource_type || '/' || r.id as ref from resource r
         join unnest($1::text[], $2::text[]) as k(t, i) on r.resource_type = k.t and r.id = k.i
        where r.patient_id = $3`,
      [wanted.map((p) => p[0]!), wanted.map((p) => p[1]!), patient],
    );
    return new Set(rows.map((row) => row.ref));
  }

  async displayNames(refs: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(refs)].map((ref) => ref.split('/')).filter((p) => p.length === 2);
    if (!wanted.length) {
      return new Map();
    }
    const rows = await this.db.query<{ resource_type: string; id: string; name: unknown }>(
      `select r.resource_type, r.id, r.content->'name' as name from current_resource r
         join unnest($1::text[], $2::text[]) as k(t, i) on r.resource_type = k.t and r.id = k.i
        where not r.deleted`,
      [wanted.map((p) => p[0]!), wanted.map((p) => p[1]!)],
    );
    const names = new Map<string, string>();
    for (const row of rows) {
      const display = nameText(jsonbValue(row.name));
      if (display) {
        names.set(`${row.resource_type}/${row.id}`, display);
      }
    }
    return names;
  }

  /**
   * A carer may read the access log of the person they act for when that person's consent lets
   * them see data of category `other` (where AuditEvents belong, docs/ACCESS.md): an active permit
   * naming them covers it and no deny naming them does.
   */
  async carerMayReadLog(relatedPersonId: string, patientId: string): Promise<boolean> {
    const [row] = await this.db.query<{ allowed: boolean }>(
      `select coalesce(bool_or(cr.effect = 'permit') and not bool_or(cr.effect = 'deny'), false) as allowed
         from access_consent_rule cr
        where cr.patient_id = $1 and cr.active and $2 = any(cr.actors)
          and (cardinality(cr.categories) = 0 or 'other' = any(cr.categories))
          and (cr.valid_from is null or cr.valid_from <= now()) and (cr.valid_to is null or cr.valid_to >= now())`,
      [patientId, `RelatedPerson/${relatedPersonId}`],
    );
    return row?.allowed === true;
  }

  /** Checks every chain and every checkpoint (see audit-verify.ts). */
  async verify(pageSize = 5000): Promise<VerifyResult> {
    await this.flush();
    return verifyAuditChains(this.db, pageSize);
  }
}

export interface AuditListOptions extends AuditFilter {
  count?: number;
  order?: 'asc' | 'desc';
  canonical?: boolean;
}

/** An Organization's name, or a HumanName list's first text / given + family. */
function nameText(name: unknown): string | undefined {
  if (typeof name === 'string') {
    return name;
  }
  if (!Array.isArray(name)) {
    return undefined;
  }
  const names = name as unknown[];
  const first = names.find((n) => (n as { use?: string } | null)?.use === 'official') ?? names[0];
  if (!first || typeof first !== 'object') {
    return undefined;
  }
  const { text, given, family, prefix } = first as {
    text?: string;
    given?: string[];
    family?: string;
    prefix?: string[];
  };
  return text ?? ([...(prefix ?? []), ...(given ?? []), family].filter(Boolean).join(' ') || undefined);
}
