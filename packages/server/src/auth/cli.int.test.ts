import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../testing/database.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';
import { LOCK_FILE } from '../db/data-dir-lock.ts';
import { TEST_BOOTSTRAP } from './testing/server.ts';

const CLI = path.resolve(import.meta.dirname, '../cli/main.ts');

function careweave(
  args: string[],
  env: Record<string, string>,
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

// Each test runs the CLI as processes that open the database themselves: slow on a busy machine.
describe('careweave org|user|client', { timeout: 180_000 }, () => {
  it('explains itself with --help and examples', async () => {
    const help = await careweave(['user', 'create', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--nhs-number');
    expect(help.stdout).toContain('Examples:');
  });

  describe.skipIf(testDatabaseKind() !== 'pglite')('on the embedded database', () => {
    let dataDir: string;
    let server: ServerProcess | undefined;
    const env = () => ({ CAREWEAVE_DATA_DIR: dataDir });

    beforeAll(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-cli-'));
    });
    afterAll(async () => {
      await server?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('works on the database directly when no server holds it', async () => {
      const org = await careweave(
        ['org', 'create', '--name', 'Riverside Surgery', '--ods', 'P81999', '--type', 'gp-practice'],
        env(),
      );
      expect(org.stderr).toBe('');
      expect(org.stdout).toMatch(/Created Organization\/\S+ \(P81999, gp-practice\)/);
      const user = await careweave(['user', 'create', 'ops', '--admin', '--name', 'Ops'], env());
      expect(user.code).toBe(0);
      expect(user.stdout).toMatch(/password: \w{5}-\w{5}-\w{5}-\w{5}/);
      const bad = await careweave(['user', 'add-role', 'ops', '--org', 'P81999', '--role', 'R8000'], env());
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/not linked to a Practitioner/);
      expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    });

    it('goes through the running server’s admin API while the server holds the database', async () => {
      server = await startServerProcess({
        CAREWEAVE_DATA_DIR: dataDir,
        CAREWEAVE_DEMO_DATA: 'false',
        CAREWEAVE_BOOTSTRAP_CLIENT_ID: TEST_BOOTSTRAP.id,
        CAREWEAVE_BOOTSTRAP_CLIENT_SECRET: TEST_BOOTSTRAP.secret,
      });
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ holder: 'server' });
      // Without credentials it says what to do rather than opening the database under the server.
      const refused = await careweave(['user', 'list'], env());
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/admin API/);
      const creds = {
        ...env(),
        CAREWEAVE_BOOTSTRAP_CLIENT_ID: TEST_BOOTSTRAP.id,
        CAREWEAVE_BOOTSTRAP_CLIENT_SECRET: TEST_BOOTSTRAP.secret,
      };
      const locked = await careweave(['user', 'lock', 'ops'], creds);
      expect(locked.stderr).toBe('');
      expect(locked.stdout).toContain('status:   disabled');
      const list = await careweave(['user', 'list', '--json'], creds);
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({ username: 'ops', status: 'disabled', admin: true }),
      ]);
      const orgs = await careweave(['org', 'list'], creds);
      expect(orgs.stdout).toMatch(/P81999\s+gp-practice\s+Riverside Surgery/);
    });
  });

  describe.skipIf(testDatabaseKind() !== 'postgres')('on PostgreSQL', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
    });
    afterAll(async () => {
      await database?.dispose();
    });

    it('registers system clients with a JWKS or a secret, and lists them', async () => {
      const env = { CAREWEAVE_DATABASE_URL: database.url! };
      const { publicKey } = await generateKeyPair('ES384');
      const jwksFile = path.join(os.tmpdir(), `careweave-jwks-${process.pid}.json`);
      fs.writeFileSync(
        jwksFile,
        JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384' }] }),
      );
      const withKeys = await careweave(
        ['client', 'create', 'lab-feed', '--scopes', 'system/Observation.cruds', '--jwks', jwksFile],
        env,
      );
      fs.rmSync(jwksFile);
      expect(withKeys.stderr).toBe('');
      expect(withKeys.stdout).toContain(
        'Registered client lab-feed (private_key_jwt; scopes system/Observation.cruds; purpose direct-care)',
      );
      const withSecret = await careweave(
        ['client', 'create', 'ops-admin', '--scopes', 'system/*.rs', '--secret', '--admin'],
        env,
      );
      expect(withSecret.stdout).toMatch(/Client secret: [\w-]{40,}/);
      const wrongScope = await careweave(['client', 'create', 'x-client', '--scopes', 'user/*.rs', '--secret'], env);
      expect(wrongScope.code).toBe(1);
      expect(wrongScope.stderr).toMatch(/not a SMART system scope/);
      const research = await careweave(
        ['client', 'create', 'cohort-finder', '--scopes', 'system/*.rs', '--secret', '--purpose', 'research'],
        env,
      );
      expect(research.stdout).toContain('purpose research)');
      const unknownPurpose = await careweave(
        ['client', 'create', 'y-client', '--scopes', 'system/*.rs', '--secret', '--purpose', 'marketing'],
        env,
      );
      expect(unknownPurpose.code).toBe(1);
      expect(unknownPurpose.stderr).toMatch(/Unknown purpose 'marketing': give one of direct-care, planning, research/);
      const list = await careweave(['client', 'list', '--json'], env);
      expect(
        JSON.parse(list.stdout).map((c: { clientId: string; purpose: string }) => [c.clientId, c.purpose]),
      ).toEqual([
        ['cohort-finder', 'research'],
        ['lab-feed', 'direct-care'],
        ['ops-admin', 'direct-care'],
      ]);
    });
  });
});
