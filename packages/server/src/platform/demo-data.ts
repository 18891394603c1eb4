import type { Database } from '../db/database.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { loadSeedPopulation } from '../seed/load.ts';
import { progress } from '../cli/progress.ts';

export const DEMO_SEED = 1;

/**
 * Loads the demo population the first time a platform starts on an empty database. A row in
 * `platform_state` is claimed in a transaction first, so when several instances start together
 * exactly one of them seeds.
 */
export async function ensureDemoData(
  db: Database,
  resources: ResourceService,
  patients: number,
  log: (line: string) => void,
): Promise<boolean> {
  const claimed = await db.query(
    `insert into platform_state (key, value) values ('demo-data', $1::jsonb) on conflict (key) do nothing returning key`,
    [JSON.stringify({ patients, seed: DEMO_SEED, startedAt: new Date().toISOString() })],
  );
  if (claimed.length === 0) {
    return false;
  }
  log(`Loading demo data: ${patients} synthetic West Lancashire patients (first start only)...`);
  const bar = progress('Demo data', patients);
  const summary = await loadSeedPopulation(resources, {
    patients,
    seed: DEMO_SEED,
    onProgress: (done, written) => bar.update(done, { resources: written }),
  });
  bar.stop();
  await db.query(`update platform_state set value = value || $1::jsonb, updated_at = now() where key = 'demo-data'`, [
    JSON.stringify({ finishedAt: new Date().toISOString(), resources: summary.resources }),
  ]);
  log(`Demo data loaded: ${summary.resources} resources in ${summary.seconds.toFixed(0)} s.`);
  return true;
}
