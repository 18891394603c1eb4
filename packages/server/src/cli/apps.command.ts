import fs from 'node:fs';
import type { Command } from 'commander';
import type { JWK } from 'jose';
import { APP_AUTH_METHODS, DEFAULT_APP_SCOPES, type AppAuthMethod } from '../auth/apps.ts';
import { loadConfig } from '../config/config.ts';
import { printTable, runAdminCommand } from './admin-backend.ts';

interface RegisterOptions {
  name: string;
  redirectUri: string[];
  auth: string;
  jwks?: string;
  jwksUri?: string;
  scopes?: string;
  server?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `careweave apps register|list|token`: third-party SMART apps people sign in to (docs/AUTH.md). */
export function registerAppsCommand(program: Command): void {
  const apps = program
    .command('apps')
    .description('Third-party SMART apps: browser, mobile and web apps that patients and staff sign in to');

  apps
    .command('register <clientId>')
    .description('Register a SMART app (authorization code + PKCE): public, or confidential with a secret or keys')
    .requiredOption('--name <name>', 'the app’s name, as people see it on the consent screen')
    .requiredOption(
      '--redirect-uri <uri>',
      'where sign-in returns to (https://, or http:// on localhost); repeat for several',
      collect,
    )
    .option(
      '--auth <method>',
      `token endpoint authentication: ${APP_AUTH_METHODS.join(', ')} (none: a public app, e.g. in a browser)`,
      'none',
    )
    .option('--jwks <file>', 'JSON file with its public keys ({"keys":[...]}), for --auth private_key_jwt')
    .option('--jwks-uri <url>', 'https URL where it publishes its public keys, for --auth private_key_jwt')
    .option(
      '--scopes <scopes>',
      `patient/ and user/ scopes it may be given (default "${DEFAULT_APP_SCOPES.join(' ')}")`,
    )
    .option('--server <url>', 'go through this running server’s admin API')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  careweave apps register growth-charts --name "Growth charts" --redirect-uri https://charts.example.org/callback\n' +
        '  careweave apps register diary --name "Symptom diary" --redirect-uri https://diary.example.org/cb \\\n' +
        '      --auth client_secret_basic --scopes "patient/*.rs patient/Observation.cruds"\n' +
        '\nThe app then runs a SMART standalone launch against BASE_URL/fhir/R4 (discovery at\n' +
        '/fhir/R4/.well-known/smart-configuration), asking e.g. for "openid fhirUser launch/patient\n' +
        'offline_access patient/*.rs". People are asked once whether to allow it, and can stop it under\n' +
        '"Connected apps". Its redirect URIs’ origins may call the FHIR API from a browser (CORS).\n',
    )
    .action(async (clientId: string, options: RegisterOptions) => {
      const jwks = options.jwks ? (JSON.parse(fs.readFileSync(options.jwks, 'utf8')) as { keys: JWK[] }) : undefined;
      await runAdminCommand(loadConfig(), 'apps register', options.server, async (ops) => {
        const result = await ops.registerApp({
          clientId,
          name: options.name,
          redirectUris: options.redirectUri,
          authentication: options.auth as AppAuthMethod,
          ...(jwks ? { jwks } : {}),
          ...(options.jwksUri ? { jwksUri: options.jwksUri } : {}),
          ...(options.scopes ? { scopes: options.scopes.split(/\s+/).filter(Boolean) } : {}),
        });
        const app = result.app;
        process.stdout.write(
          `Registered app ${app.clientId} ("${app.name}"; ${app.authentication}; scopes ${app.scopes}; ` +
            `redirect URIs ${app.redirectUris.join(' ')}).\n`,
        );
        if (result.clientSecret) {
          process.stdout.write(`Client secret: ${result.clientSecret}   (shown once; store it securely)\n`);
        }
      });
    });

  apps
    .command('list')
    .description('List registered SMART apps')
    .option('--json', 'print JSON')
    .option('--server <url>', 'go through this running server’s admin API')
    .addHelpText('after', '\nExample:\n  careweave apps list\n')
    .action(async (options: { json?: boolean; server?: string }) => {
      await runAdminCommand(loadConfig(), 'apps list', options.server, async (ops) => {
        const list = await ops.listApps();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        printTable(
          list.map((a) => ({
            app: a.clientId,
            name: a.name,
            authentication: a.authentication,
            scopes: a.scopes,
            registered: a.registeredBy,
            flags: a.disabled ? 'disabled' : '',
          })),
          ['app', 'name', 'authentication', 'scopes', 'registered', 'flags'],
        );
      });
    });

  apps
    .command('token')
    .description('Issue an initial access token for dynamic registration (RFC 7591, POST /auth/reg)')
    .option('--expires-in <seconds>', 'how long it may be used (60 seconds to 90 days)', '86400')
    .option('--server <url>', 'go through this running server’s admin API')
    .addHelpText(
      'after',
      '\nExample:\n  careweave apps token --expires-in 3600\n' +
        '\nGive it to an app developer; their app registers with\n' +
        '  curl -H "Authorization: Bearer TOKEN" -H "content-type: application/json" \\\n' +
        '    -d \'{"client_name":"My app","redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"none"}\' \\\n' +
        '    BASE_URL/auth/reg\n' +
        'Every app registered with it follows the same rules as `careweave apps register`.\n',
    )
    .action(async (options: { expiresIn: string; server?: string }) => {
      await runAdminCommand(loadConfig(), 'apps token', options.server, async (ops) => {
        const result = await ops.issueInitialAccessToken(Number(options.expiresIn));
        process.stdout.write(`Initial access token: ${result.token}\nValid until ${result.expiresAt}.\n`);
      });
    });
}
