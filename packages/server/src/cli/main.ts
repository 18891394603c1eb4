#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError } from '../config/config.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { SOFTWARE } from '../version.ts';
import { registerStartCommand } from './start.command.ts';
import { registerMigrateCommand } from './migrate.command.ts';
import { registerImportCommand } from './import.command.ts';
import { registerSeedCommand } from './seed.command.ts';
import { registerOrgCommand } from './org.command.ts';
import { registerUserCommand } from './user.command.ts';
import { registerClientCommand } from './client.command.ts';
import { registerAppsCommand } from './apps.command.ts';
import { registerAuditCommand } from './audit.command.ts';
import { registerRiskCommand } from './risk.command.ts';
import { registerReindexCommand } from './reindex.command.ts';
import { registerDistributeCommand } from './distribute.command.ts';

const program = new Command()
  .name('careweave')
  .description(
    'CareWeave: one shared FHIR R4 care record for a local health economy.\n' +
      'Configuration comes from CAREWEAVE_* environment variables (see README: Configuration).',
  )
  .version(SOFTWARE.version)
  .showHelpAfterError();

registerStartCommand(program);
registerMigrateCommand(program);
registerImportCommand(program);
registerSeedCommand(program);
registerOrgCommand(program);
registerUserCommand(program);
registerClientCommand(program);
registerAppsCommand(program);
registerAuditCommand(program);
registerRiskCommand(program);
registerReindexCommand(program);
registerDistributeCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
