import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';
import { isKnownResourceType } from '../fhir/definitions.ts';
import { reindex } from '../fhir/store/reindex.ts';
import { progress } from './progress.ts';

const HELP_AFTER = `
When to run it
  After an upgrade whose release notes say the search index gained something (for example
  migration 19, composite search parameters such as code-value-quantity): resources written
  before the upgrade are found by the new parameters only once reindexed. Searches keep working
  while it runs, and it can be stopped and run again at any point.

Examples
  careweave reindex                          every resource
  careweave reindex --type Observation Group only these types
`;

export function registerReindexCommand(program: Command): void {
  program
    .command('reindex')
    .description('Rebuild the search index rows of stored resources from their content (versions are untouched)')
    .option('--type <types...>', 'only these resource types')
    .option('--batch-size <n>', 'resources per transaction', (v) => Number.parseInt(v, 10), 500)
    .addHelpText('after', HELP_AFTER)
    .action(async (options: { type?: string[]; batchSize: number }) => {
      const unknown = (options.type ?? []).filter((type) => !isKnownResourceType(type));
      if (unknown.length) {
        program.error(`Unknown resource type: ${unknown.join(', ')}`);
      }
      if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
        program.error('--batch-size must be a positive whole number');
      }
      const config = loadConfig();
      const db = await openDatabase(config.database, { holder: 'reindex' });
      let bar: ReturnType<typeof progress> | undefined;
      try {
        const done = await reindex(db, `${config.baseUrl}/fhir/R4`, {
          types: options.type,
          batchSize: options.batchSize,
          onProgress: (n, total) => {
            bar ??= progress('Reindexing', total);
            bar.update(n);
          },
        });
        bar?.stop();
        process.stdout.write(`Reindexed ${done} resources (${config.database.kind}).\n`);
      } finally {
        await db.close();
      }
    });
}
