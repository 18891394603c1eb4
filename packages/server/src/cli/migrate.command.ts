import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Bring the database schema up to date (start does this too) and exit')
    .action(async () => {
      const config = loadConfig();
      const db = await openDatabase(config.database, { holder: 'migrate' });
      await db.close();
      process.stdout.write(`Schema is up to date (${config.database.kind}).\n`);
    });
}
