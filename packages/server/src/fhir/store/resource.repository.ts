import type { Queryable } from '../../db/database.ts';
import { INDEX_TABLES, type ExtractedIndex } from '../indexing/extract.ts';
import type { RowRestriction } from '../search/execute.ts';
import { SqlParams } from '../search/sql-params.ts';

/** A stored version of a resource, with its content still as JSON text. */
export interface StoredResource {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  json: string | null;
  method?: string;
}

export interface VersionWrite {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  method: 'create' | 'update' | 'delete' | 'patch';
  json: string | null;
  index: ExtractedIndex | null;
  /** False when no earlier version exists, so there are no old index rows to remove. */
  replacesExisting: boolean;
  labels?: ResourceLabels;
}

/** What the access policy needs to know about a resource, stored beside it (docs/ACCESS.md). */
export interface ResourceLabels {
  patientId: string | null;
  sourceOrg: string | null;
  category: string | null;
}

interface Row {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  content: string | null;
  method?: string;
}

export function toStored(row: Row): StoredResource {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: Number(row.version_id),
    lastUpdated: new Date(row.last_updated),
    deleted: row.deleted,
    json: row.content,
    method: row.method,
  };
}

const COLUMNS = 'resource_type, id, version_id, last_updated, deleted, content';

/** All SQL for resource versions and their search index rows. */
export class ResourceRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /**
   * The current version, or undefined when it does not exist or `restrict` (the caller's access
   * policy) hides it: a caller cannot tell a hidden resource from a missing one.
   */
  async readCurrent(resourceType: string, id: string, restrict?: RowRestriction): Promise<StoredResource | undefined> {
    const params = new SqlParams();
    const where = [`r.resource_type = ${params.add(resourceType)}`, `r.id = ${params.add(id)}`];
    if (restrict) {
      where.push(restrict('r', params));
    }
    const rows = await this.db.query<Row>(
      `select r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content
         from current_resource r where ${where.join(' and ')}`,
      params.values as never,
    );
    return rows[0] && toStored(rows[0]);
  }

  /**
   * One version, or undefined when it does not exist or `restrict` hides it: each version carries
   * the labels it was written with (a record corrected from one patient to another keeps its old
   * version the first patient's).
   */
  async readVersion(
    resourceType: string,
    id: string,
    versionId: number,
    restrict?: RowRestriction,
  ): Promise<StoredResource | undefined> {
    const params = new SqlParams();
    const where = [
      `resource_version.resource_type = ${params.add(resourceType)}`,
      `resource_version.id = ${params.add(id)}`,
      `resource_version.version_id = ${params.add(versionId)}`,
    ];
    if (restrict) {
      where.push(`coalesce((${restrict('resource_version', params)}), false)`);
    }
    const rows = await this.db.query<Row>(
      `select ${COLUMNS}, method from resource_version where ${where.join(' and ')}`,
      params.values as never,
    );
    return rows[0] && toStored(rows[0]);
  }

  /**
   * The current rows of the given resources, keyed `Type/id`: version numbers only, or with their
   * content when `content` is set. Missing resources are absent; deleted ones present with `deleted`.
   */
  async currentVersions(
    keys: readonly { resourceType: string; id: string }[],
    { content = false }: { content?: boolean } = {},
  ): Promise<Map<string, StoredResource>> {
    if (keys.length === 0) {
      return new Map();
    }
    const rows = await this.db.query<Row>(
      `select r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, ${content ? 'r.content' : 'null as content'}
         from ${content ? 'current_resource' : 'resource'} r
         join unnest($1::text[], $2::text[]) as k(t, i) on r.resource_type = k.t and r.id = k.i`,
      [keys.map((k) => k.resourceType), keys.map((k) => k.id)],
    );
    return new Map(rows.map((row) => [`${row.resource_type}/${row.id}`, toStored(row)]));
  }

  /**
   * Serialises writers of the same resources across every process sharing the database, for the
   * rest of the current transaction. Keys are sorted so two writers never deadlock.
   */
  async lock(keys: readonly string[]): Promise<void> {
    const sorted = [...new Set(keys)].sort();
    if (sorted.length) {
      // Queued: it goes out with the read of what it locks, and PostgreSQL takes it before that read.
      await this.db.queue(
        'select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest($1::text[]) as k',
        [sorted],
        {
          genericPlan: true,
        },
      );
    }
  }

  /**
   * Replaces the index rows of current resources without writing a version (`careweave reindex`,
   * after the server learns to index something new). The caller holds the resources' locks.
   */
  async replaceIndexRows(
    entries: readonly { resourceType: string; id: string; index: ExtractedIndex }[],
  ): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    const writes = entries.map((e) => ({ ...e, replacesExisting: true }) as VersionWrite);
    const params: unknown[] = [];
    const shardKeys = this.db.distributed ? await this.currentShardKeys(writes) : undefined;
    const parts = indexRowParts(
      writes,
      params,
      shardKeys?.map((key, i) => key ?? writes[i]!.id),
    );
    await this.db.query(`with ${parts.join(', ')} select 1`, params as never);
  }

  /** Writes versions (already numbered and checked by the caller) and replaces their index rows. */
  async writeVersions(writes: readonly VersionWrite[]): Promise<void> {
    if (writes.length === 0) {
      return;
    }
    const types = writes.map((w) => w.resourceType);
    const ids = writes.map((w) => w.id);
    const versions = writes.map((w) => w.versionId);
    const times = writes.map((w) => w.lastUpdated.toISOString());
    const deleted = writes.map((w) => w.deleted);
    // The contents travel as one JSON array, spliced in as the JSON text they already are (cheaper
    // than the driver's escaping of a large text array); PostgreSQL splits it once
    // (json_array_elements) and pairs each element with its write by position. The rest of each
    // write travels as typed arrays: reading fields out of a json element would lex the whole
    // element, content included, once per field.
    const contents = `[${writes.map((w) => w.json ?? 'null').join(',')}]`;
    const shardKeys = this.db.distributed ? await this.shardKeysOf(writes) : undefined;
    // Each version keeps its own labels (a deletion those of the version it deletes), so history and
    // vread judge every version by what it was. The version, the current row and the index rows are
    // one statement (one round trip): its parts share one snapshot, so the version's join reads the
    // current row as it was before this write, and the deletions of old index rows cannot see the
    // rows being inserted.
    const params: unknown[] = [
      contents,
      types,
      ids,
      versions,
      times,
      deleted,
      writes.map((w) => (w.index?.compartments ?? []).join('\u001f')),
      // Labelled writes say whose they are (none for a cohort about several patients); an
      // unlabelled store (no access module) files a resource under its first compartment.
      writes.map(patientOf),
      writes.map((w) => w.labels?.sourceOrg ?? null),
      writes.map((w) => w.labels?.category ?? null),
      writes.map((w) => w.method),
    ];
    // On a distributed store every row carries its shard ($12), the current row is keyed by it, and
    // a resource whose patient changed leaves its old shard (Citus cannot move a row in place).
    const shard = shardKeys ? { column: ', shard_key', key: 'shard_key, ' } : { column: '', key: '' };
    if (shardKeys) {
      params.push(shardKeys);
    }
    const parts = [
      `new_version as (insert into resource_version (resource_type, id, version_id, last_updated, deleted, method, content,
          patient_id, source_org, category${shard.column})
       select w.t, w.i, w.v, w.lu, w.d, w.m, case when w.d then null else c.content end,
              case when w.d then r.patient_id else w.p end,
              case when w.d then r.source_org else w.s end,
              case when w.d then r.category else w.c end${shardKeys ? ', ($12::text[])[w.n]' : ''}
         from unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::bool[], $8::text[], $9::text[], $10::text[], $11::text[])
                with ordinality as w(t, i, v, lu, d, p, s, c, m, n)
         join json_array_elements($1::json) with ordinality as c(content, n) on c.n = w.n
         left join resource r on r.resource_type = w.t and r.id = w.i)`,
      `current_row as (insert into resource (resource_type, id, version_id, last_updated, deleted, compartments, patient_id, source_org, category${shard.column})
       select t, i, v, lu, d, coalesce(string_to_array(nullif(comp, ''), chr(31)), '{}'), p, s, c${shardKeys ? ', sk' : ''}
         from unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::bool[], $7::text[], $8::text[], $9::text[], $10::text[]${shardKeys ? ', $12::text[]' : ''})
           as x(t, i, v, lu, d, comp, p, s, c${shardKeys ? ', sk' : ''})
       on conflict (${shard.key}resource_type, id) do update set version_id = excluded.version_id,
         last_updated = excluded.last_updated, deleted = excluded.deleted, compartments = excluded.compartments,
         -- A deletion keeps the labels of the last version, so its history stays as restricted as it was.
         patient_id = case when excluded.deleted then resource.patient_id else excluded.patient_id end,
         source_org = case when excluded.deleted then resource.source_org else excluded.source_org end,
         category = case when excluded.deleted then resource.category else excluded.category end)`,
      ...(shardKeys
        ? [
            `moved as (delete from resource r using unnest($2::text[], $3::text[], $12::text[]) as m(t, i, sk)
               where r.resource_type = m.t and r.id = m.i and r.shard_key <> m.sk)`,
          ]
        : []),
      ...indexRowParts(writes, params, shardKeys),
    ];
    // Queued (Queryable.queue): in a transaction it goes out with the next statement that needs an
    // answer, or with the commit, which is where a failure of it is reported.
    await this.db.queue(`with ${parts.join(',\n')}\nselect 1`, params as never, { genericPlan: true });
  }

  /**
   * Each write's shard on a distributed store (src/db/distributed.ts): its patient, else itself; a
   * deletion stays where the resource is.
   */
  private async shardKeysOf(writes: readonly VersionWrite[]): Promise<string[]> {
    const keys = writes.map((w) => patientOf(w) ?? w.id);
    const deletions = writes.filter((w) => w.deleted);
    if (deletions.length) {
      const current = await this.currentShardKeys(deletions);
      let d = 0;
      writes.forEach((w, i) => {
        if (w.deleted) {
          keys[i] = current[d++] ?? keys[i]!;
        }
      });
    }
    return keys;
  }

  /** The shards the current rows of `keys` are on (undefined for a resource not stored). */
  private async currentShardKeys(
    keys: readonly { resourceType: string; id: string }[],
  ): Promise<(string | undefined)[]> {
    const rows = await this.db.query<{ resource_type: string; id: string; shard_key: string }>(
      `select r.resource_type, r.id, r.shard_key from resource r
         join unnest($1::text[], $2::text[]) as k(t, i) on r.resource_type = k.t and r.id = k.i`,
      [keys.map((k) => k.resourceType), keys.map((k) => k.id)],
    );
    const current = new Map(rows.map((row) => [`${row.resource_type}/${row.id}`, row.shard_key]));
    return keys.map((k) => current.get(`${k.resourceType}/${k.id}`));
  }

  async history(options: HistoryQuery): Promise<StoredResource[]> {
    const where: string[] = [];
    const sqlParams = new SqlParams();
    const params = sqlParams.values;
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (options.resourceType) {
      add('resource_type = ?', options.resourceType);
    }
    if (options.id) {
      add('id = ?', options.id);
    }
    if (options.since) {
      add('last_updated >= ?', options.since.toISOString());
    }
    if (options.at) {
      add('last_updated <= ?', options.at.toISOString());
    }
    if (options.before) {
      // Keyset cursor: versions strictly older than the last one on the previous page.
      params.push(options.before.lastUpdated, options.before.resourceType, options.before.id, options.before.versionId);
      const n = params.length;
      where.push(
        `(last_updated, resource_type, id, version_id) < ($${n - 3}::timestamptz, $${n - 2}, $${n - 1}, $${n})`,
      );
    }
    if (options.restrict) {
      // Versions of resources the caller cannot currently see are hidden.
      // ... and so are versions the caller may not see by their own labels.
      where.push(
        this.db.distributed
          ? // A version can live on another shard than its resource's current row (the resource moved
            // to another patient): the visible resources are found as a set, not probed per version.
            `(resource_version.resource_type, resource_version.id) in (select r.resource_type, r.id from resource r
               where ${options.resourceType ? `r.resource_type = ${sqlParams.add(options.resourceType)} and ` : ''}${options.id ? `r.id = ${sqlParams.add(options.id)} and ` : ''}${options.restrict('r', sqlParams)})`
          : `exists (select 1 from resource r where r.resource_type = resource_version.resource_type
           and r.id = resource_version.id and ${options.restrict('r', sqlParams)})`,
        `coalesce((${options.restrict('resource_version', sqlParams)}), false)`,
      );
    }
    params.push(options.count);
    const sql = `select ${COLUMNS}, method from resource_version
      ${where.length ? 'where ' + where.join(' and ') : ''}
      order by last_updated desc, resource_type desc, id desc, version_id desc limit $${params.length}`;
    const rows = await this.db.query<Row>(sql, params as never);
    return rows.map(toStored);
  }

  async countHistory(resourceType?: string, id?: string): Promise<number> {
    const rows = await this.db.query<{ n: string }>(
      `select count(*) as n from resource_version where ($1::text is null or resource_type = $1) and ($2::text is null or id = $2)`,
      [resourceType ?? null, id ?? null],
    );
    return Number(rows[0]?.n ?? 0);
  }
}

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  since?: Date;
  at?: Date;
  count: number;
  before?: { lastUpdated: string; resourceType: string; id: string; versionId: number };
  /** The caller's access policy. */
  restrict?: RowRestriction;
}

/**
 * The parts of the write statement that delete the old index rows of the resources that had a version
 * and insert the new ones of every write (appending their parameters to `params`). Every table is
 * always named (an empty list inserts nothing), so there are only two statement texts, each prepared
 * once per connection.
 */
function indexRowParts(writes: readonly VersionWrite[], params: unknown[], shardKeys?: readonly string[]): string[] {
  const parts: string[] = [];
  const replaced = writes.filter((w) => w.replacesExisting);
  if (replaced.length) {
    params.push(
      replaced.map((w) => w.resourceType),
      replaced.map((w) => w.id),
    );
    parts.push(`old as (select * from unnest($${params.length - 1}::text[], $${params.length}::text[]) as k(t, i))`);
    for (const table of INDEX_TABLES) {
      parts.push(
        `delete_${table} as (delete from search_${table} s using old where s.resource_type = old.t and s.id = old.i)`,
      );
    }
  }
  for (const table of INDEX_TABLES) {
    params.push(JSON.stringify(indexRowsOf(writes, table, shardKeys)));
    parts.push(`insert_${table} as (${insertIndexSql(table, params.length, Boolean(shardKeys))})`);
  }
  return parts;
}

/** The index rows of one table for a batch of writes, each prefixed with its resource's type and id. */
function indexRowsOf(
  writes: readonly VersionWrite[],
  table: (typeof INDEX_TABLES)[number],
  shardKeys?: readonly string[],
): unknown[][] {
  const rows: unknown[][] = [];
  writes.forEach((write, w) => {
    for (const row of write.index?.rows[table] ?? []) {
      rows.push(
        shardKeys ? [write.resourceType, write.id, shardKeys[w], ...row] : [write.resourceType, write.id, ...row],
      );
    }
  });
  return rows;
}

/** Whose a written resource is: labelled writes say so; an unlabelled store files it under its first compartment. */
function patientOf(write: VersionWrite): string | null {
  return write.labels ? write.labels.patientId : (write.index?.compartments[0] ?? null);
}

/** Inserts one table's index rows from the JSON array in parameter `$n`. */
function insertIndexSql(table: (typeof INDEX_TABLES)[number], n: number, sharded: boolean): string {
  const spec = INDEX_COLUMNS[table];
  // `item` (last, absent from ordinary rows) numbers a composite parameter's items.
  const shard = sharded ? ['shard_key'] : [];
  const names = ['resource_type', 'id', ...shard, 'param', ...spec.columns.map((c) => c.name), 'item'];
  const casts = ['text', 'text', ...shard.map(() => 'text'), 'text', ...spec.columns.map((c) => c.type), 'int'];
  // Dates serialise as ISO strings, which timestamptz reads back exactly.
  const select = casts.map((cast, i) => (cast === 'text' ? `x->>${i}` : `(x->>${i})::${cast}`)).join(', ');
  return `insert into search_${table} (${names.join(', ')}) select ${select} from jsonb_array_elements($${n}::jsonb) as x`;
}

const INDEX_COLUMNS: Record<(typeof INDEX_TABLES)[number], { columns: { name: string; type: string }[] }> = {
  token: {
    columns: [
      { name: 'system', type: 'text' },
      { name: 'code', type: 'text' },
      { name: 'display', type: 'text' },
    ],
  },
  string: {
    columns: [
      { name: 'value', type: 'text' },
      { name: 'raw', type: 'text' },
    ],
  },
  date: {
    columns: [
      { name: 'low', type: 'timestamptz' },
      { name: 'high', type: 'timestamptz' },
    ],
  },
  number: { columns: [{ name: 'value', type: 'numeric' }] },
  quantity: {
    columns: [
      { name: 'value', type: 'numeric' },
      { name: 'system', type: 'text' },
      { name: 'code', type: 'text' },
      { name: 'unit', type: 'text' },
    ],
  },
  reference: {
    columns: [
      { name: 'target_type', type: 'text' },
      { name: 'target_id', type: 'text' },
      { name: 'target_url', type: 'text' },
    ],
  },
  uri: { columns: [{ name: 'value', type: 'text' }] },
};
