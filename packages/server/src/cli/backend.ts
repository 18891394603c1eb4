import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Config } from '../config/config.ts';
import { currentLock, DataDirInUseError } from '../db/data-dir-lock.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import { isOperationOutcomeError, issue, OperationOutcomeError, outcome, unauthorised } from '../fhir/outcome.ts';

/** How a command does its work on each side: over the database itself, or over a server's API. */
export interface Backends<T> {
  database(db: Database, config: Config): T;
  server(baseUrl: string, token: string): T;
}

export interface Connection<T> {
  backend: T;
  /** `database` when the command opened it itself, else the server URL it went through. */
  via: string;
  close(): Promise<void>;
}

/**
 * Where a CLI command reaches the data: the database directly when it can (PostgreSQL always; the
 * embedded database when no server holds it, locked meanwhile), otherwise the running server's API
 * with the admin (or bootstrap) client's credentials. `serverUrl` (`--server`) forces the API.
 */
export async function connect<T>(
  config: Config,
  command: string,
  serverUrl: string | undefined,
  backends: Backends<T>,
): Promise<Connection<T>> {
  const viaServer = async (baseUrl: string): Promise<Connection<T>> => ({
    backend: backends.server(baseUrl, await serverToken(config, baseUrl)),
    via: baseUrl,
    close: () => Promise.resolve(),
  });
  if (serverUrl) {
    return viaServer(serverUrl);
  }
  const held = config.database.kind === 'pglite' ? currentLock(config.database.dataDir) : undefined;
  if (held?.holder === 'server') {
    return viaServer(held.baseUrl ?? config.baseUrl);
  }
  let db: Database;
  try {
    db = await openDatabase(config.database, { holder: command });
  } catch (error) {
    if (error instanceof DataDirInUseError && error.info.holder === 'server') {
      return viaServer(error.info.baseUrl ?? config.baseUrl);
    }
    throw error;
  }
  return { backend: backends.database(db, config), via: 'database', close: () => db.close() };
}

/**
 * Runs one command on its backend, printing refusals (an OperationOutcomeError, the embedded
 * database in use) plainly with exit code `failureCode` rather than as a stack trace.
 */
export async function runOnBackend<T>(
  config: Config,
  command: string,
  serverUrl: string | undefined,
  backends: Backends<T>,
  work: (backend: T, via: string) => Promise<void>,
  failureCode = 1,
): Promise<void> {
  let connection: Connection<T> | undefined;
  try {
    connection = await connect(config, command, serverUrl, backends);
    await work(connection.backend, connection.via);
  } catch (error) {
    if (isOperationOutcomeError(error) || error instanceof DataDirInUseError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = failureCode;
      return;
    }
    throw error;
  } finally {
    await connection?.close();
  }
}

async function serverToken(config: Config, baseUrl: string): Promise<string> {
  const client = config.auth.adminClient ?? config.auth.bootstrapClient;
  if (!client) {
    throw unauthorised(
      `A CareWeave server (${baseUrl}) holds the embedded database, so this command must go through its admin API, ` +
        'but no credentials are configured: set CAREWEAVE_ADMIN_CLIENT_ID and CAREWEAVE_ADMIN_CLIENT_SECRET ' +
        '(a client created with `careweave client create --admin --secret`), or stop the server.',
    );
  }
  return fetchToken(baseUrl, client.clientId, client.clientSecret);
}

/** A client-credentials token from the server (`system/*.rs`). */
async function fetchToken(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  const response = await fetch(`${baseUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.rs' }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error_description?: string };
  if (!response.ok || !body.access_token) {
    throw unauthorised(
      `The server at ${baseUrl} refused the admin client '${clientId}': ${body.error_description ?? response.status}`,
    );
  }
  return body.access_token;
}

/**
 * Throws the server's refusal of an API call as the OperationOutcomeError it sent (its status
 * kept), so that the CLI prints its diagnostics.
 */
export async function refusal(response: Response, what: string): Promise<never> {
  const body = (await response.json().catch(() => undefined)) as OperationOutcome | undefined;
  if (body?.resourceType === 'OperationOutcome' && body.issue?.length) {
    throw new OperationOutcomeError(body, response.status);
  }
  throw new OperationOutcomeError(
    outcome(issue('error', 'exception', `The server answered ${response.status} to ${what}`)),
    response.status,
  );
}
