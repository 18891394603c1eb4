import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { distributeByPatient, hasCitus } from '../db/distributed.ts';
import { openDatabase } from '../db/open.ts';

const HELP_AFTER = `
What it does
  On a Citus coordinator (PostgreSQL with the citus extension and its workers added), shards the
  FHIR store by patient compartment: resource, resource_version and the search index tables get a
  shard_key (the resource's patient, or the resource itself when it is nobody's) and are
  distributed on it, co-located, so each patient's record lives on one worker. The access tables
  that searches join become reference tables. Existing rows move to their shards. Run it once,
  after the first migrate and before the instances start; it does nothing on a store already
  distributed. docs/DEPLOYMENT.md (Sharding by patient compartment) says what runs on shards and
  what is left out.

Example
  CAREWEAVE_DATABASE_URL=postgres://postgres@coordinator:5432/careweave careweave distribute
`;

export function registerDistributeCommand(program: Command): void {
  program
    .command('distribute')
    .description('Shard the record by patient on a Citus cluster (PostgreSQL only) and exit')
    .option('--shard-count <n>', 'shards per table (default: citus.shard_count, 32)', (v) => Number.parseInt(v, 10))
    .addHelpText('after', HELP_AFTER)
    .action(async (options: { shardCount?: number }) => {
      if (options.shardCount !== undefined && (!Number.isInteger(options.shardCount) || options.shardCount < 1)) {
        program.error('--shard-count must be a positive whole number');
      }
      const config = loadConfig();
      if (config.database.kind !== 'postgres') {
        program.error('careweave distribute needs CAREWEAVE_DATABASE_URL: the embedded database cannot be sharded');
      }
      const db = await openDatabase(config.database, { holder: 'distribute' });
      try {
        if (!(await hasCitus(db))) {
          program.error('This database has no citus extension: run `create extension citus` and add the workers first');
        }
        const changed = await distributeByPatient(db, { shardCount: options.shardCount });
        process.stdout.write(changed ? 'The record is now sharded by patient.\n' : 'The record was already sharded.\n');
      } finally {
        await db.close();
      }
    });
}
