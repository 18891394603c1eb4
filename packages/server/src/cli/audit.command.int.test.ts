import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditEvent } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../access/audit.ts';
import { ACTORS } from '../access/testing/scenario.ts';
import { TEST_BOOTSTRAP } from '../auth/testing/server.ts';
import type { Database } from '../db/database.ts';
import { auditAppendOnlyTriggers } from '../db/migrations/002-access.ts';
import { openDatabase } from '../db/open.ts';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../testing/database.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';

const CLI = path.resolve(import.meta.dirname, 'main.ts');

function careweave(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, CAREWEAVE_LOG_LEVEL: 'error', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function writeRows(db: Database, n: number): Promise<void> {
  const log = new AuditLog(db);
  for (let i = 0; i < n; i++) {
    await log.record(ACTORS.gp, { interaction: 'read', resources: [`Observation/o${i}`], patients: [`p${i % 2}`] });
  }
}

async function tamper(db: Database): Promise<number> {
  const [row] = await db.query<{ seq: string }>('select seq from audit_log order by seq limit 1 offset 2');
  await db.exec('drop trigger audit_log_no_change on audit_log');
  await db.exec(`update audit_log set purpose = 'commissioning' where seq = ${row!.seq}`);
  await db.exec(auditAppendOnlyTriggers.split(';')[0]!);
  return Number(row!.seq);
}

const parse = (ndjson: string): AuditEvent[] =>
  ndjson
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditEvent);

// Each test runs the CLI as processes that open the database themselves: slow on a busy machine.
describe('careweave audit', { timeout: 180_000 }, () => {
  it('explains itself with --help', async () => {
    const help = await careweave(['audit', 'export', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--patient');
    expect(help.stdout).toContain('Examples:');
    expect((await careweave(['audit', '--help'], {})).stdout).toMatch(/verify[\s\S]*export/);
  });

  describe.skipIf(testDatabaseKind() !== 'postgres')('on PostgreSQL', () => {
    let database: TestDatabase;
    const env = () => ({ CAREWEAVE_DATABASE_URL: database.url! });
    beforeAll(async () => {
      database = await createTestDatabase();
      await writeRows(database.db, 6);
    });
    afterAll(() => database?.dispose());

    it('exports NDJSON AuditEvents, filtered, with progress on stderr', async () => {
      const out = path.join(os.tmpdir(), `careweave-audit-${process.pid}.ndjson`);
      try {
        const all = await careweave(['audit', 'export', '--out', out], env());
        expect(all.code).toBe(0);
        // The six reads, then the export itself (an access to the trail, recorded first).
        expect(all.stderr).toMatch(/audit export: 7 events written to/);
        const events = parse(fs.readFileSync(out, 'utf8'));
        expect(events.map((e) => e.resourceType)).toEqual(Array(7).fill('AuditEvent'));
        expect(events[6]).toMatchObject({ type: { code: '110106' }, agent: [{ who: { display: 'careweave-cli' } }] });
        const offline = await careweave(['audit', 'verify', '--file', out], {});
        expect(offline).toMatchObject({ code: 0 });
        expect(offline.stdout).toMatch(/^OK: 7 rows/);
        const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
        fs.writeFileSync(
          out,
          `${lines.map((l, i) => (i === 2 ? l.replace('"outcome":"0"', '"outcome":"4"') : l)).join('\n')}\n`,
        );
        const edited = await careweave(['audit', 'verify', '--file', out], {});
        expect(edited.code).toBe(1);
        expect(edited.stdout).toMatch(
          /BROKEN after 2 rows: row \d+ \(chain \d+\): the AuditEvent does not match its row/,
        );
        const one = await careweave(['audit', 'export', '--patient', 'Patient/p1', '--since', '2020-01-01'], env());
        // The first export was recorded as an access to the trail: it shows up in the second.
        expect(parse(one.stdout).filter((e) => e.subtype?.[1]?.code === 'read')).toHaveLength(3);
      } finally {
        fs.rmSync(out, { force: true });
      }
    });

    it('verifies the chains, and exits 1 naming the first broken row', async () => {
      const ok = await careweave(['audit', 'verify'], env());
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^OK: \d+ rows on \d+ chains verified/);
      const seq = await tamper(database.db);
      const broken = await careweave(['audit', 'verify'], env());
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`row ${seq} (chain`);
      expect(broken.stdout).toMatch(/does not match its hash/);
      const json = await careweave(['audit', 'verify', '--json'], env());
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBrokenSeq: seq });
    });
  });

  describe.skipIf(testDatabaseKind() !== 'pglite')('on the embedded database', () => {
    let dataDir: string;
    let server: ServerProcess | undefined;
    const creds = () => ({
      CAREWEAVE_DATA_DIR: dataDir,
      CAREWEAVE_BOOTSTRAP_CLIENT_ID: TEST_BOOTSTRAP.id,
      CAREWEAVE_BOOTSTRAP_CLIENT_SECRET: TEST_BOOTSTRAP.secret,
    });
    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-audit-cli-'));
      const db = await openDatabase({ kind: 'pglite', dataDir });
      await writeRows(db, 4);
      await db.close();
    });
    afterAll(async () => {
      await server?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('works on the database directly, and through the server while it holds the database', async () => {
      const direct = await careweave(['audit', 'verify'], { CAREWEAVE_DATA_DIR: dataDir });
      expect(direct).toMatchObject({ code: 0, stderr: '' });
      expect(direct.stdout).toMatch(/^OK: 4 rows on 1 chains verified/);

      server = await startServerProcess({ ...creds(), CAREWEAVE_DEMO_DATA: 'false' });
      const refused = await careweave(['audit', 'verify'], { CAREWEAVE_DATA_DIR: dataDir });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/holds the embedded database/);
      const via = await careweave(['audit', 'verify'], creds());
      expect(via.code).toBe(0);
      expect(via.stdout).toMatch(/^OK: 4 rows/);
      const exported = await careweave(['audit', 'export', '--patient', 'p0'], creds());
      expect(exported.code).toBe(0);
      expect(parse(exported.stdout).filter((e) => e.subtype?.[1]?.code === 'read')).toHaveLength(2);
      await server.stop();
      server = undefined;

      const db = await openDatabase({ kind: 'pglite', dataDir });
      const seq = await tamper(db);
      await db.close();
      const broken = await careweave(['audit', 'verify'], { CAREWEAVE_DATA_DIR: dataDir });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`BROKEN after 2 rows: row ${seq}`);
    });
  });
});
