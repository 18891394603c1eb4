import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';
import { createPlatform } from '../http/app.ts';
import { loadSeedPopulation } from '../seed/load.ts';
import { progress } from './progress.ts';

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('Load a synthetic, deterministic West Lancashire population (organisations, patients, records)')
    .option('-p, --patients <n>', 'number of patients', (v) => positiveInt(v, '--patients'), 2000)
    .option(
      '-s, --seed <n>',
      'random seed: the same seed gives the same population',
      (v) => positiveInt(v, '--seed'),
      1,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  careweave seed                      # 2,000 patients (~70,000 resources)\n' +
        '  careweave seed --patients 30000     # ~1,000,000 resources, for benchmarks\n' +
        '\nRunning it again with the same seed updates the same resources instead of adding new ones.\n' +
        'See docs/SEED.md for what is generated and the hidden emergency-admission model.',
    )
    .action(async (options: { patients: number; seed: number }) => {
      const config = loadConfig();
      const db = await openDatabase(config.database, { holder: 'seed' });
      try {
        const platform = createPlatform(config, db);
        const bar = progress('Seeding patients', options.patients);
        const summary = await loadSeedPopulation(platform.resources, {
          ...options,
          onProgress: (done, resources) => bar.update(done, { resources }),
        });
        bar.stop();
        process.stdout.write(
          `Seeded ${summary.patients} patients, ${summary.resources} resources in ${summary.seconds.toFixed(1)} s ` +
            `(${Math.round(summary.resources / summary.seconds)} resources/s).\n`,
        );
      } finally {
        await db.close();
      }
    });
}

export function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a whole number, not '${value}'`);
  }
  return n;
}
