import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import { DEMO_SEED, ensureDemoData } from '../platform/demo-data.ts';
import { ensureDemoUsers, formatDemoLogins } from '../auth/demo-users.ts';
import { seedDemoSlots } from '../portal/index.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { acquireDataDirLock } from '../auth/server-lock.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Start the CareWeave server (migrates the database and loads demo data on first start)')
    .action(async () => {
      const config = loadConfig();
      // PGlite has no lock of its own: hold one so `careweave user|org|client` use the admin API meanwhile.
      const unlock =
        config.database.kind === 'pglite'
          ? acquireDataDirLock(config.database.dataDir, 'server', config.baseUrl)
          : undefined;
      const db = await openDatabase(config.database);
      const platform = createPlatform(config, db);
      let demoLogins: string[] = [];
      if (config.demoData) {
        await ensureDemoData(db, platform.resources, config.demoPatients, (line) => process.stdout.write(`${line}\n`));
        await seedDemoSlots(platform.resources, { seed: DEMO_SEED, from: new Date() });
        await ensureDemoAgreement(platform);
        const created = await ensureDemoUsers(platform, DEMO_SEED);
        demoLogins = created.length
          ? formatDemoLogins(created)
          : ['Demo logins were printed on first start; reset one with `careweave user set-password demo.gp`.'];
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
          ...demoLogins,
          '',
        ].join('\n'),
      );
      const shutdown = async (): Promise<void> => {
        await app.close();
        await db.close();
        unlock?.();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
    });
}
