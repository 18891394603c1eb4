import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthTestServer, type AuthTestServer } from '../auth/testing/server.ts';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../testing/database.ts';

const CLI = path.resolve(import.meta.dirname, 'main.ts');

function careweave(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, CAREWEAVE_LOG_LEVEL: 'error', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('careweave apps', { timeout: 180_000 }, () => {
  it('explains itself with --help and examples', async () => {
    const help = await careweave(['apps', 'register', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--redirect-uri');
    expect(help.stdout).toContain('client_secret_basic');
    expect(help.stdout).toContain('Examples:');
    const token = await careweave(['apps', 'token', '--help']);
    expect(token.stdout).toContain('/auth/reg');
  });

  // The CLI opens PostgreSQL itself; the embedded test database lives in this process only.
  describe.skipIf(testDatabaseKind() !== 'postgres')('on PostgreSQL', () => {
    let database: TestDatabase;
    let server: AuthTestServer | undefined;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
    });
    afterAll(async () => {
      await server?.close();
      await database?.dispose();
    });

    it('registers public and confidential apps, refuses bad ones, and lists them', async () => {
      const env = { CAREWEAVE_DATABASE_URL: database.url! };
      const pub = await careweave(
        ['apps', 'register', 'charts', '--name', 'Growth charts', '--redirect-uri', 'https://charts.example.org/cb'],
        env,
      );
      expect(pub.stderr).toBe('');
      expect(pub.stdout).toContain('Registered app charts ("Growth charts"; none; scopes patient/*.rs user/*.rs');
      const confidential = await careweave(
        [
          'apps',
          'register',
          'diary',
          '--name',
          'Symptom diary',
          '--redirect-uri',
          'https://diary.example.org/cb',
          '--redirect-uri',
          'http://localhost:3000/cb',
          '--auth',
          'client_secret_basic',
          '--scopes',
          'patient/*.rs patient/Observation.cruds',
        ],
        env,
      );
      expect(confidential.stdout).toMatch(/Client secret: [\w-]{40,}/);
      const stolen = await careweave(
        ['apps', 'register', 'thief', '--name', 'Thief', '--redirect-uri', 'https://charts.example.org/cb'],
        env,
      );
      expect(stolen.code).toBe(1);
      expect(stolen.stderr).toMatch(/belongs to another app/);
      const system = await careweave(
        ['apps', 'register', 'sys', '--name', 'S', '--redirect-uri', 'https://s.example/cb', '--scopes', 'system/*.rs'],
        env,
      );
      expect(system.code).toBe(1);
      expect(system.stderr).toMatch(/not a SMART patient\/ or user\/ scope/);
      const list = await careweave(['apps', 'list', '--json'], env);
      expect(
        JSON.parse(list.stdout).map((a: { clientId: string; authentication: string }) => [
          a.clientId,
          a.authentication,
        ]),
      ).toEqual([
        ['charts', 'none'],
        ['diary', 'client_secret_basic'],
      ]);
    });

    it('issues an initial access token that a running server accepts at /auth/reg', async () => {
      const issued = await careweave(['apps', 'token', '--expires-in', '600'], {
        CAREWEAVE_DATABASE_URL: database.url!,
      });
      expect(issued.stderr).toBe('');
      const token = /Initial access token: (\S+)/.exec(issued.stdout)![1]!;
      server = await startAuthTestServer({}, { database });
      const registered = await fetch(`${server.baseUrl}/auth/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Registered by itself',
          redirect_uris: ['https://self.example.org/cb'],
          token_endpoint_auth_method: 'none',
        }),
      });
      expect(registered.status).toBe(201);
      const refused = await careweave(['apps', 'token', '--expires-in', '5'], {
        CAREWEAVE_DATABASE_URL: database.url!,
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/60 seconds to 90 days/);
    });
  });
});
