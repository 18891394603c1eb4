import type { Config } from '../config/config.ts';
import { createPlatform } from '../http/app.ts';
import {
  DatabaseAdmin,
  type AddRoleInput,
  type AdminOperations,
  type ClientSummary,
  type CreateClientInput,
  type CreateUserInput,
  type OrganisationSummary,
  type UserSummary,
} from '../auth/admin.ts';
import { AppRegistry, type AppSummary } from '../auth/app-registry.ts';
import type { AppRegistration } from '../auth/apps.ts';
import { AuthStore } from '../auth/store.ts';
import { refusal, runOnBackend, type Backends } from './backend.ts';

/** The admin operations over /api/admin. */
class HttpAdmin implements AdminOperations {
  private readonly baseUrl: string;
  private readonly token: string;

  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/api/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      return refusal(response, `${method} /api/admin${path}`);
    }
    return (await response.json()) as T;
  }

  createOrganization(input: {
    name: string;
    ods: string;
    type: string;
    partOf?: string;
  }): Promise<OrganisationSummary> {
    return this.call('POST', '/organizations', input);
  }
  listOrganizations(): Promise<OrganisationSummary[]> {
    return this.call('GET', '/organizations');
  }
  createUser(input: CreateUserInput): Promise<{ user: UserSummary; password?: string }> {
    return this.call('POST', '/users', input);
  }
  listUsers(): Promise<UserSummary[]> {
    return this.call('GET', '/users');
  }
  addRole(username: string, input: AddRoleInput): Promise<UserSummary> {
    return this.call('POST', `/users/${encodeURIComponent(username)}/roles`, input);
  }
  lockUser(username: string): Promise<UserSummary> {
    return this.call('POST', `/users/${encodeURIComponent(username)}/lock`, {});
  }
  unlockUser(username: string): Promise<UserSummary> {
    return this.call('POST', `/users/${encodeURIComponent(username)}/unlock`, {});
  }
  setPassword(username: string, password?: string): Promise<{ user: UserSummary; password?: string }> {
    return this.call('POST', `/users/${encodeURIComponent(username)}/password`, password ? { password } : {});
  }
  createClient(input: CreateClientInput): Promise<{ client: ClientSummary; clientSecret?: string }> {
    return this.call('POST', '/clients', input);
  }
  listClients(): Promise<ClientSummary[]> {
    return this.call('GET', '/clients');
  }
  registerApp(input: AppRegistration): Promise<{ app: AppSummary; clientSecret?: string }> {
    return this.call('POST', '/apps', input);
  }
  listApps(): Promise<AppSummary[]> {
    return this.call('GET', '/apps');
  }
  issueInitialAccessToken(ttlSeconds?: number): Promise<{ token: string; expiresAt: string }> {
    return this.call('POST', '/apps/initial-access-tokens', ttlSeconds ? { expiresInSeconds: ttlSeconds } : {});
  }
}

const ADMIN_BACKENDS: Backends<AdminOperations> = {
  database: (db, config) =>
    new DatabaseAdmin(
      new AuthStore(db),
      createPlatform(config, db).resources,
      new AppRegistry(db, config.auth.webRedirectUris),
    ),
  server: (baseUrl, token) => new HttpAdmin(baseUrl, token),
};

/**
 * Runs one admin command (`careweave org|user|client`) on the database directly, or through the
 * running server's admin API (src/cli/backend.ts); refusals are printed, exit code 1.
 */
export function runAdminCommand(
  config: Config,
  command: string,
  serverUrl: string | undefined,
  work: (ops: AdminOperations, via: string) => Promise<void>,
): Promise<void> {
  return runOnBackend(config, command, serverUrl, ADMIN_BACKENDS, work);
}

/** Reads a password from standard input (first line), for `--password-stdin`. */
export async function readStdinLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) {
    data += String(chunk);
  }
  return data.split(/\r?\n/)[0] ?? '';
}

export function printTable(rows: Record<string, string>[], columns: string[]): void {
  if (!rows.length) {
    process.stdout.write('(none)\n');
    return;
  }
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) {
    process.stdout.write(`${line(columns.map((c) => row[c] ?? ''))}\n`);
  }
}
