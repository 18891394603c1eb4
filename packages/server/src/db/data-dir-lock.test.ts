import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, currentLock, DataDirInUseError, LOCK_FILE } from './data-dir-lock.ts';

describe('the embedded database folder lock', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-lock-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const write = (info: object): void => fs.writeFileSync(path.join(dataDir, LOCK_FILE), JSON.stringify(info));

  it('names its holder, and is gone once released', () => {
    const release = acquireDataDirLock(dataDir, { holder: 'server', baseUrl: 'http://127.0.0.1:8080' });
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ pid: process.pid, holder: 'server', baseUrl: 'http://127.0.0.1:8080' });
    release();
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder a live process holds, saying who', () => {
    // The parent process (the test runner) is alive and is not this process.
    write({ pid: process.ppid, holder: 'server', baseUrl: 'http://127.0.0.1:9999', since: new Date().toISOString() });
    expect(currentLock(dataDir)).toMatchObject({ holder: 'server', baseUrl: 'http://127.0.0.1:9999' });
    let refused: unknown;
    try {
      acquireDataDirLock(dataDir, { holder: 'user create' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as DataDirInUseError).info.holder).toBe('server');
    expect((refused as Error).message).toMatch(/a running CareWeave server/);
  });

  it('takes over a lock left by a process that is gone', () => {
    write({ pid: 2 ** 22 + 12345, holder: 'import', since: new Date().toISOString() });
    expect(currentLock(dataDir)).toBeUndefined();
    const release = acquireDataDirLock(dataDir, { holder: 'migrate' });
    expect(currentLock(dataDir)).toBeUndefined(); // this process's own lock is not "someone else's"
    release();
  });
});
