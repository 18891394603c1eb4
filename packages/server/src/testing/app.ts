import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../config/config.ts';
import { buildApp, createPlatform, type Platform } from '../http/app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { testSystemToken } from '../auth/testing/tokens.ts';
import type { CareModule } from '../modules/contract.ts';

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  database: TestDatabase;
  fhirBase: string;
  /** A `system/*.cruds` access token; `fhir()` and `app.inject` send it unless given another Authorization. */
  token: string;
  /** Sends a request to the FHIR API (path relative to /fhir/R4) and parses the JSON body. */
  fhir(
    method: InjectOptions['method'],
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<FhirResponse>;
  close(): Promise<void>;
}

export interface FhirResponse {
  status: number;
  headers: LightMyRequestResponse['headers'];
  // Tests read arbitrary FHIR JSON; a loose type keeps assertions short.

  body: any;
}

export interface TestAppOptions {
  /** The modules to run instead of the server's list (src/care-modules.ts). */
  modules?: readonly CareModule[];
  /** A database made by the test itself (e.g. on its own replicated cluster), disposed on close. */
  database?: TestDatabase;
}

export async function createTestApp(
  overrides: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  // The test database is made here, not from the config: only the statement timeout is passed on.
  const timeout = overrides.CAREWEAVE_STATEMENT_TIMEOUT_MS;
  const database =
    options.database ?? (await createTestDatabase(undefined, timeout ? { statementTimeoutMs: Number(timeout) } : {}));
  const config: Config = loadConfig({
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_BASE_URL: 'http://careweave.test',
    ...overrides,
  });
  const platform = createPlatform(config, database.db, options.modules);
  const app = await buildApp(platform);
  // Tests act as a trusted system client unless they send their own Authorization header.
  const token = await testSystemToken(platform);
  const inject = app.inject.bind(app);
  app.inject = ((options?: InjectOptions | string) => {
    if (options === undefined) {
      return inject();
    }
    const opts: InjectOptions = typeof options === 'string' ? { url: options } : options;
    const given = Object.keys(opts.headers ?? {}).some((name) => name.toLowerCase() === 'authorization');
    return inject(given ? opts : { ...opts, headers: { authorization: `Bearer ${token}`, ...(opts.headers ?? {}) } });
  }) as typeof app.inject;
  return {
    app,
    platform,
    database,
    fhirBase: platform.fhirBase,
    token,
    async fhir(method, path, body, headers = {}) {
      const response = await app.inject({
        method,
        url: `/fhir/R4/${path.replace(/^\//, '')}`,
        headers: { ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
        payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      let parsed: unknown = undefined;
      if (response.body) {
        try {
          parsed = JSON.parse(response.body);
        } catch {
          parsed = response.body;
        }
      }
      return { status: response.statusCode, headers: response.headers, body: parsed };
    },
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}
