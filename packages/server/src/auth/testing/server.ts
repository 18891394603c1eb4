import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config/config.ts';
import { buildApp, createPlatform, type Platform } from '../../http/app.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/database.ts';
import { freePort } from '../../testing/server-process.ts';
import { seedAuthFixtures, type AuthFixtures } from './fixtures.ts';

export interface AuthTestServer {
  baseUrl: string;
  fhirBase: string;
  redirectUri: string;
  app: FastifyInstance;
  platform: Platform;
  database: TestDatabase;
  fixtures: AuthFixtures;
  close(): Promise<void>;
}

export const TEST_BOOTSTRAP = { id: 'bootstrap-test', secret: 'bootstrap-test-secret-0123456789abcdef' };

/** A real HTTP server (sign-in needs redirects and cookies) on a fresh test database, with fixtures. */
export async function startAuthTestServer(
  env: Record<string, string> = {},
  options: { database?: TestDatabase; port?: number } = {},
): Promise<AuthTestServer> {
  const { database } = options;
  const db = database ?? (await createTestDatabase());
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const redirectUri = `${baseUrl}/callback`;
  const config = loadConfig({
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_PORT: String(port),
    CAREWEAVE_BASE_URL: baseUrl,
    CAREWEAVE_WEB_REDIRECT_URIS: redirectUri,
    CAREWEAVE_BOOTSTRAP_CLIENT_ID: TEST_BOOTSTRAP.id,
    CAREWEAVE_BOOTSTRAP_CLIENT_SECRET: TEST_BOOTSTRAP.secret,
    ...env,
  });
  const platform = createPlatform(config, db.db);
  const fixtures = await seedAuthFixtures(platform);
  const app = await buildApp(platform);
  // Shows what the authentication hook made of a token (protected like every /api route).
  app.get('/api/test/whoami', (request) => ({ actor: request.actor ?? null, claims: request.token?.claims ?? null }));
  await app.listen({ port, host: '127.0.0.1' });
  return {
    baseUrl,
    fhirBase: platform.fhirBase,
    redirectUri,
    app,
    platform,
    database: db,
    fixtures,
    async close() {
      await app.close();
      if (!database) {
        await db.dispose();
      }
    },
  };
}

/** client_credentials with client_secret_basic (the bootstrap client by default). */
export async function clientCredentials(
  baseUrl: string,
  scope: string,
  client: { id: string; secret: string } = TEST_BOOTSTRAP,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}/auth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return { status: response.status, body: await response.json() };
}
