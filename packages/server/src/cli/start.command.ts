import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import { ensureDemoData } from '../platform/demo-data.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Start the CareWeave server (migrates the database and loads demo data on first start)')
    .action(async () => {
      const config = loadConfig();
      const db = await openDatabase(config.database);
      const platform = createPlatform(config, db);
      if (config.demoData) {
        await ensureDemoData(db, platform.resources, config.demoPatients, (line) => process.stdout.write(`${line}\n`));
      }
      const app = await buildApp(platform);
      await app.listen({ port: config.port, host: config.host });
      const where = config.database.kind === 'pglite' ? `embedded PGlite at ${config.database.dataDir}` : 'PostgreSQL';
      process.stdout.write(
        [
          '',
          `CareWeave is running (${where}).`,
          `  Web app:       ${config.baseUrl}/`,
          `  FHIR API:      ${platform.fhirBase}`,
          `  Health check:  ${config.baseUrl}/healthz`,
          '',
        ].join('\n'),
      );
      const shutdown = async (): Promise<void> => {
        await app.close();
        await db.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
    });
}
