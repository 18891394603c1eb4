import type { Queryable } from '../db/database.ts';
import type { StoredResource } from '../fhir/store/resource.repository.ts';

export interface ResourceKey {
  resourceType: string;
  id: string;
}

/**
 * The current stored rows (with their JSON content, unless `content: false`) of the given
 * resources, keyed `Type/id`. Missing resources are absent from the map; deleted ones are present
 * with `deleted` set.
 */
export async function readCurrentResources(
  db: Queryable,
  keys: readonly ResourceKey[],
  options: { content?: boolean } = {},
): Promise<Map<string, StoredResource>> {
  if (keys.length === 0) {
    return new Map();
  }
  const rows = await db.query<{
    resource_type: string;
    id: string;
    version_id: number;
    last_updated: Date;
    deleted: boolean;
    content: string | null;
  }>(
    // Content is taken from the current version's row of resource_version, which every schema
    // version keeps (whether or not `resource` carries a copy of it).
    options.content === false
      ? `select r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, null as content
           from unnest($1::text[], $2::text[]) as k(t, i)
           join resource r on r.resource_type = k.t and r.id = k.i`
      : `select r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, v.content
           from unnest($1::text[], $2::text[]) as k(t, i)
           join resource r on r.resource_type = k.t and r.id = k.i
           left join resource_version v on v.resource_type = r.resource_type and v.id = r.id and v.version_id = r.version_id`,
    [keys.map((k) => k.resourceType), keys.map((k) => k.id)],
  );
  return new Map(
    rows.map((row) => [
      `${row.resource_type}/${row.id}`,
      {
        resourceType: row.resource_type,
        id: row.id,
        versionId: Number(row.version_id),
        lastUpdated: new Date(row.last_updated),
        deleted: row.deleted,
        json: row.content,
      },
    ]),
  );
}
