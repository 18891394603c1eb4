import type { Command } from 'commander';
import { ORGANISATION_TYPES } from '../access/actor.ts';
import { printTable, runAdminCommand } from './admin-backend.ts';
import { loadConfig } from '../config/config.ts';

export function registerOrgCommand(program: Command): void {
  const org = program
    .command('org')
    .description('Organisations people work for (FHIR Organization resources with an ODS code and a type)');

  org
    .command('create')
    .description('Add an organisation')
    .requiredOption('--name <name>', 'organisation name')
    .requiredOption('--ods <code>', 'ODS code (unique)')
    .requiredOption('--type <type>', `one of: ${ORGANISATION_TYPES.join(', ')}`)
    .option('--part-of <org>', 'parent organisation (id or ODS code)')
    .option('--server <url>', 'go through this running server’s admin API')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  careweave org create --name "Riverside Surgery" --ods P81999 --type gp-practice\n' +
        '  careweave org create --name "Oak House Care Home" --ods VWL9Z --type care-home\n',
    )
    .action(async (options: { name: string; ods: string; type: string; partOf?: string; server?: string }) => {
      await runAdminCommand(loadConfig(), 'org create', options.server, async (ops) => {
        const created = await ops.createOrganization({
          name: options.name,
          ods: options.ods,
          type: options.type,
          ...(options.partOf ? { partOf: options.partOf } : {}),
        });
        process.stdout.write(`Created Organization/${created.id} (${created.ods}, ${created.type}).\n`);
      });
    });

  org
    .command('list')
    .description('List organisations')
    .option('--json', 'print JSON')
    .option('--server <url>', 'go through this running server’s admin API')
    .addHelpText('after', "\nExamples:\n  careweave org list\n  careweave org list --json | jq '.[] | .ods'\n")
    .action(async (options: { json?: boolean; server?: string }) => {
      await runAdminCommand(loadConfig(), 'org list', options.server, async (ops) => {
        const orgs = await ops.listOrganizations();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(orgs, null, 2)}\n`);
          return;
        }
        printTable(
          orgs.map((o) => ({ id: o.id, ods: o.ods ?? '', type: o.type ?? '', name: o.name ?? '' })),
          ['id', 'ods', 'type', 'name'],
        );
      });
    });
}
