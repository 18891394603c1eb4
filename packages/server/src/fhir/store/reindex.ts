import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../../db/database.ts';
import { extractIndex } from '../indexing/extract.ts';
import { ResourceRepository } from './resource.repository.ts';

export interface ReindexOptions {
  /** Only these resource types (all when absent). */
  types?: readonly string[];
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Rebuilds the search index rows of every current resource from its stored content, for when the
 * server learns to index something it did not before (composite parameters, migration 19). Versions,
 * labels and compartments are untouched. Each batch is one transaction holding the resources' write
 * locks and re-reading them under those locks, so a write racing the reindex is never overwritten
 * with stale rows; the job can be stopped and re-run at any point.
 */
export async function reindex(db: Database, fhirBase: string, options: ReindexOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const types = options.types?.length ? [...options.types] : null;
  const [{ count } = { count: 0 }] = await db.query<{ count: string | number }>(
    `select count(*) as count from resource where not deleted and ($1::text[] is null or resource_type = any($1::text[]))`,
    [types],
  );
  const total = Number(count);
  let done = 0;
  let after: [string, string] = ['', ''];
  options.onProgress?.(0, total);
  for (;;) {
    const keys = await db.query<{ resource_type: string; id: string }>(
      `select resource_type, id from resource
        where not deleted and (resource_type, id) > ($1, $2) and ($3::text[] is null or resource_type = any($3::text[]))
        order by resource_type, id limit $4`,
      [after[0], after[1], types, batchSize],
    );
    if (keys.length === 0) {
      break;
    }
    await db.transaction(async (tx) => {
      const repository = new ResourceRepository(tx);
      await repository.lock(keys.map((k) => `${k.resource_type}/${k.id}`));
      const current = await repository.currentVersions(
        keys.map((k) => ({ resourceType: k.resource_type, id: k.id })),
        { content: true },
      );
      const entries = [...current.values()]
        .filter((stored) => !stored.deleted && stored.json)
        .map((stored) => ({
          resourceType: stored.resourceType,
          id: stored.id,
          index: extractIndex(JSON.parse(stored.json!) as Resource, fhirBase),
        }));
      await repository.replaceIndexRows(entries);
    });
    const last = keys[keys.length - 1]!;
    after = [last.resource_type, last.id];
    done += keys.length;
    options.onProgress?.(done, total);
  }
  return done;
}
