import type { Database, Queryable } from './database.ts';

/**
 * Sharding the record by patient compartment on Citus (docs/DEPLOYMENT.md, *Sharding by patient
 * compartment*). The FHIR store's tables get a `shard_key` — the resource's patient (its `patient_id`
 * label) or, for a resource of nobody in particular (an Organization, a Practitioner, a cohort), its own
 * id — and are distributed on it, co-located: a Patient's own row, its clinical resources, their
 * versions and their index rows all live on one shard, so a patient-scoped search or `$everything`
 * joins locally. Every other table stays on the coordinator; those the access policy joins into a
 * search become reference tables (a copy on every node), so the policy's filters run beside the rows.
 *
 * Only the distribution itself lives here. A database is recognised as distributed when it is opened
 * (`isDistributed`), and the store then writes `shard_key` and joins its tables on it.
 */

/** The FHIR store's tables, distributed on `shard_key` and co-located with `resource`. */
export const STORE_TABLES = [
  'resource',
  'resource_version',
  'search_token',
  'search_string',
  'search_date',
  'search_number',
  'search_quantity',
  'search_reference',
  'search_uri',
] as const;

/**
 * Tables the access policy and the store's own statements read inside a query over `resource`
 * (correlated subqueries): they must be on every node. All are small and change rarely.
 */
export const REFERENCE_TABLES = [
  // Referenced tables before those whose foreign keys point at them.
  'sharing_agreement',
  'sharing_agreement_party',
  'access_relationship',
  'access_grant',
  'access_team_member',
  'access_consent_rule',
  'access_data_opt_out',
  'access_owned',
  'break_glass',
  'declared_relationship',
  'online_withheld',
] as const;

/** The shard a resource row belongs to: its patient, else itself. */
export const SHARD_KEY_OF_RESOURCE = 'coalesce(patient_id, id)';

/**
 * The extra join condition that keeps an index row on its resource's shard in a distributed store
 * (Citus pushes a correlated subquery down to the shards only when it joins on the distribution
 * column); nothing otherwise.
 */
export function sameShard(index: string, resource: string, distributed: boolean | undefined): string {
  return distributed ? ` and ${index}.shard_key = ${resource}.shard_key` : '';
}

/** True when the citus extension is installed in `db`. */
export async function hasCitus(db: Queryable): Promise<boolean> {
  const [citus] = await db.query<{ on: boolean }>(
    `select exists (select 1 from pg_extension where extname = 'citus') as on`,
  );
  return Boolean(citus?.on);
}

/** True when `db` is a Citus coordinator whose FHIR store has been distributed. */
export async function isDistributed(db: Queryable): Promise<boolean> {
  if (!(await hasCitus(db))) {
    return false;
  }
  const [row] = await db.query<{ on: boolean }>(
    `select exists (select 1 from pg_dist_partition where logicalrelid = to_regclass('resource')) as on`,
  );
  return Boolean(row?.on);
}

/**
 * Distributes a migrated (and possibly populated) FHIR store on a Citus coordinator whose workers are
 * already added. Idempotent: a distributed store is left as it is. Existing rows are moved to their
 * shards by Citus.
 */
export async function distributeByPatient(db: Database, options: { shardCount?: number } = {}): Promise<boolean> {
  if (await isDistributed(db)) {
    return false;
  }
  await db.transaction(async (tx) => {
    await tx.exec('drop view if exists current_resource');
    await addShardKeys(tx);
  });
  // create_distributed_table moves the rows; each runs in its own transaction (Citus copies shards
  // over connections of its own, which it will not do inside a transaction that changed the table).
  await db.query(
    options.shardCount
      ? `select create_distributed_table('resource', 'shard_key', shard_count => $1::int)`
      : `select create_distributed_table('resource', 'shard_key')`,
    options.shardCount ? [options.shardCount] : [],
  );
  for (const table of STORE_TABLES.slice(1)) {
    await db.query(`select create_distributed_table($1, 'shard_key', colocate_with => 'resource')`, [table]);
  }
  for (const table of REFERENCE_TABLES) {
    const [exists] = await db.query<{ t: string | null }>('select to_regclass($1)::text as t', [table]);
    if (exists?.t) {
      await db.query('select create_reference_table($1)', [table]);
    }
  }
  await db.exec(CURRENT_RESOURCE_VIEW);
  return true;
}

async function addShardKeys(tx: Queryable): Promise<void> {
  await tx.exec(`
    alter table resource add column shard_key text;
    update resource set shard_key = ${SHARD_KEY_OF_RESOURCE};
    alter table resource_version add column shard_key text;
    update resource_version v set shard_key = r.shard_key
      from resource r where r.resource_type = v.resource_type and r.id = v.id;
    update resource_version set shard_key = ${SHARD_KEY_OF_RESOURCE} where shard_key is null;
  `);
  for (const table of STORE_TABLES.slice(2)) {
    await tx.exec(`
      alter table ${table} add column shard_key text;
      update ${table} s set shard_key = r.shard_key
        from resource r where r.resource_type = s.resource_type and r.id = s.id;
      delete from ${table} where shard_key is null;
      alter table ${table} alter column shard_key set not null;
    `);
  }
  // Citus requires every unique key to contain the distribution column.
  await tx.exec(`
    alter table resource alter column shard_key set not null;
    alter table resource_version alter column shard_key set not null;
    alter table resource drop constraint resource_pkey;
    alter table resource add primary key (shard_key, resource_type, id);
    alter table resource_version drop constraint resource_version_pkey;
    alter table resource_version add primary key (shard_key, resource_type, id, version_id);
    create index resource_type_id_idx on resource (resource_type, id);
    create index resource_version_type_id_idx on resource_version (resource_type, id, version_id);
  `);
}

const CURRENT_RESOURCE_VIEW = `
create view current_resource as
  select r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.compartments,
         r.patient_id, r.source_org, r.category, v.content, r.shard_key
    from resource r
    join resource_version v on v.shard_key = r.shard_key and v.resource_type = r.resource_type
     and v.id = r.id and v.version_id = r.version_id`;
