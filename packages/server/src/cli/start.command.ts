import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import { DEMO_SEED, ensureDemoData } from '../platform/demo-data.ts';
import { ensureDemoUsers, formatDemoLogins } from '../auth/demo-users.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Start the CareWeave server (migrates the database and loads demo data on first start)')
    .action(async () => {
      const config = loadConfig();
      // The embedded database's lock names the server, so `careweave user|org|client|audit` use its API meanwhile.
      const db = await openDatabase(config.database, { holder: 'server', baseUrl: config.baseUrl });
      const platform = createPlatform(config, db);
      let demoLogins: string[] = [];
      if (config.demoData) {
        await ensureDemoData(db, platform.resources, config.demoPatients, (line) => process.stdout.write(`${line}\n`));
        await ensureDemoAgreement(platform);
        const created = await ensureDemoUsers(platform, DEMO_SEED);
        demoLogins = created.length
          ? formatDemoLogins(created)
          : ['Demo logins were printed on first start; reset one with `careweave user set-password demo.gp`.'];
      }
      const app = await buildApp(platform);
      if (config.demoData) {
        // Each module's demo data, once its tables, services and the job queue are running (demo
        // data may queue texts and e-mails, as real use does).
        await app.ready();
        await app.modules.seed({ seed: DEMO_SEED, log: (line) => process.stdout.write(`${line}\n`) });
      }
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
          ...demoLogins,
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
