import fs from 'node:fs';
import type { Command } from 'commander';
import type { JWK } from 'jose';
import { printTable, runAdminCommand } from './admin-backend.ts';
import { loadConfig } from '../config/config.ts';

export function registerClientCommand(program: Command): void {
  const client = program
    .command('client')
    .description('System clients: back-end integrations using client credentials (SMART Backend Services)');

  client
    .command('create <clientId>')
    .description('Register a system client that authenticates with a JWKS (private_key_jwt) or a secret')
    .requiredOption('--scopes <scopes>', 'system scopes it may be given, e.g. "system/Observation.rs system/Patient.r"')
    .option('--jwks <file>', 'JSON file with its public keys ({"keys":[...]})')
    .option('--jwks-uri <url>', 'https URL where it publishes its public keys')
    .option('--secret', 'authenticate with a generated client secret (client_secret_basic) instead of keys')
    .option('--description <text>', 'what the integration is')
    .option(
      '--purpose <purpose>',
      'why it processes patient data: direct-care (default), planning or research; planning and research ' +
        'clients see nothing of patients who have a National Data Opt-out',
    )
    .option('--admin', 'may use the admin API')
    .option('--server <url>', 'go through this running server’s admin API')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  careweave client create lab-feed --scopes "system/Observation.cruds system/DiagnosticReport.cruds" --jwks lab-feed.jwks.json\n' +
        '  careweave client create bi-export --scopes "system/*.rs" --jwks-uri https://bi.example.nhs.uk/jwks.json --purpose planning\n' +
        '  careweave client create ops-admin --scopes "system/*.rs" --secret --admin\n' +
        '\nThe client then asks for tokens at BASE_URL/auth/token (grant_type=client_credentials) and\n' +
        'signs its client assertion (RS384/ES384 recommended) with the private key of the JWKS.\n',
    )
    .action(
      async (
        clientId: string,
        options: {
          scopes: string;
          jwks?: string;
          jwksUri?: string;
          secret?: boolean;
          description?: string;
          purpose?: string;
          admin?: boolean;
          server?: string;
        },
      ) => {
        const jwks = options.jwks ? (JSON.parse(fs.readFileSync(options.jwks, 'utf8')) as { keys: JWK[] }) : undefined;
        await runAdminCommand(loadConfig(), 'client create', options.server, async (ops) => {
          const result = await ops.createClient({
            clientId,
            scopes: options.scopes,
            ...(jwks ? { jwks } : {}),
            ...(options.jwksUri ? { jwksUri: options.jwksUri } : {}),
            ...(options.secret ? { secret: true } : {}),
            ...(options.description ? { description: options.description } : {}),
            ...(options.purpose !== undefined ? { purpose: options.purpose } : {}),
            ...(options.admin ? { admin: true } : {}),
          });
          process.stdout.write(
            `Registered client ${result.client.clientId} (${result.client.authentication}; scopes ${result.client.scopes}; ` +
              `purpose ${result.client.purpose}).\n`,
          );
          if (result.clientSecret) {
            process.stdout.write(`Client secret: ${result.clientSecret}   (shown once; store it securely)\n`);
          }
        });
      },
    );

  client
    .command('list')
    .description('List registered system clients')
    .option('--json', 'print JSON')
    .option('--server <url>', 'go through this running server’s admin API')
    .addHelpText('after', '\nExample:\n  careweave client list\n')
    .action(async (options: { json?: boolean; server?: string }) => {
      await runAdminCommand(loadConfig(), 'client list', options.server, async (ops) => {
        const clients = await ops.listClients();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(clients, null, 2)}\n`);
          return;
        }
        printTable(
          clients.map((c) => ({
            client: c.clientId,
            authentication: c.authentication,
            scopes: c.scopes,
            purpose: c.purpose,
            flags: [c.admin ? 'admin' : '', c.disabled ? 'disabled' : ''].filter(Boolean).join(', '),
          })),
          ['client', 'authentication', 'scopes', 'purpose', 'flags'],
        );
      });
    });
}
