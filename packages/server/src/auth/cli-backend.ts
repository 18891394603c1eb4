import type { Config } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';
import { createPlatform } from '../http/app.ts';
import {
  AdminInputError,
  DatabaseAdmin,
  type AddRoleInput,
  type AdminOperations,
  type ClientSummary,
  type CreateClientInput,
  type CreateUserInput,
  type OrganisationSummary,
  type UserSummary,
} from './admin.ts';
import { acquireDataDirLock, currentLock, DataDirInUseError } from './server-lock.ts';
import { AuthStore } from './store.ts';

export interface AdminSession {
  ops: AdminOperations;
  /** `database` when the command opened it itself, else the server URL it went through. */
  via: string;
  close(): Promise<void>;
}

/**
 * Opens the admin operations for a CLI command: on the database directly when it can (PostgreSQL
 * always; the embedded database when no server holds it, taking its lock meanwhile), otherwise
 * through the running server's admin API with the admin (or bootstrap) client's credentials.
 */
export async function openAdmin(config: Config, command: string, serverUrl?: string): Promise<AdminSession> {
  if (serverUrl) {
    return httpSession(config, serverUrl);
  }
  let release: (() => void) | undefined;
  if (config.database.kind === 'pglite') {
    const held = currentLock(config.database.dataDir);
    if (held?.holder === 'server') {
      return httpSession(config, held.baseUrl ?? config.baseUrl);
    }
    try {
      release = acquireDataDirLock(config.database.dataDir, command);
    } catch (error) {
      if (error instanceof DataDirInUseError && error.info.holder === 'server') {
        return httpSession(config, error.info.baseUrl ?? config.baseUrl);
      }
      throw error;
    }
  }
  try {
    const db = await openDatabase(config.database);
    const platform = createPlatform(config, db);
    return {
      ops: new DatabaseAdmin(new AuthStore(db), platform.resources),
      via: 'database',
      async close() {
        await db.close();
        release?.();
      },
    };
  } catch (error) {
    release?.();
    throw error;
  }
}

async function httpSession(config: Config, baseUrl: string): Promise<AdminSession> {
  const client = config.auth.adminClient ?? config.auth.bootstrapClient;
  if (!client) {
    throw new AdminInputError(
      `A CareWeave server (${baseUrl}) holds the embedded database, so this command must go through its admin API, ` +
        'but no credentials are configured: set CAREWEAVE_ADMIN_CLIENT_ID and CAREWEAVE_ADMIN_CLIENT_SECRET ' +
        '(a client created with `careweave client create --admin --secret`), or stop the server.',
    );
  }
  const token = await fetchToken(baseUrl, client.clientId, client.clientSecret);
  return { ops: new HttpAdmin(baseUrl, token), via: baseUrl, close: () => Promise.resolve() };
}

export async function fetchToken(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  const response = await fetch(`${baseUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.rs' }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error_description?: string };
  if (!response.ok || !body.access_token) {
    throw new AdminInputError(
      `The server at ${baseUrl} refused the admin client '${clientId}': ${body.error_description ?? response.status}`,
    );
  }
  return body.access_token;
}

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
    const result: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const diagnostics = (result as { issue?: { diagnostics?: string }[] } | undefined)?.issue?.[0]?.diagnostics;
      throw new AdminInputError(diagnostics ?? `The server answered ${response.status}`);
    }
    return result as T;
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
}

/** Runs one admin command, printing its errors plainly (exit code 1) rather than as a stack trace. */
export async function runAdminCommand(
  config: Config,
  command: string,
  serverUrl: string | undefined,
  work: (ops: AdminOperations, via: string) => Promise<void>,
): Promise<void> {
  let session: AdminSession | undefined;
  try {
    session = await openAdmin(config, command, serverUrl);
    await work(session.ops, session.via);
  } catch (error) {
    if (error instanceof AdminInputError || error instanceof DataDirInUseError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  } finally {
    await session?.close();
  }
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
