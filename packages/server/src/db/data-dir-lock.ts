import fs from 'node:fs';
import path from 'node:path';

/**
 * The embedded database (PGlite) has no lock of its own: two processes can open one data folder
 * and corrupt it. `openPglite` takes this lock file before opening the folder, naming who holds it
 * (the server with its base URL, or a CLI command), so that a CLI command that finds it held by a
 * live server goes through that server's API instead (src/cli/backend.ts).
 */
export const LOCK_FILE = 'careweave.lock';

export interface LockInfo {
  pid: number;
  /** `server` when `careweave start` holds it; the command name otherwise. */
  holder: string;
  /** The server's base URL, for CLI commands to reach its API. */
  baseUrl?: string;
  since: string;
}

/** Who may hold the folder: recorded in the lock file for whoever finds it taken. */
export interface LockHolder {
  holder: string;
  baseUrl?: string;
}

export class DataDirInUseError extends Error {
  readonly info: LockInfo;

  constructor(info: LockInfo) {
    const who = info.holder === 'server' ? 'a running CareWeave server' : `'careweave ${info.holder}'`;
    super(
      `The embedded database is in use by ${who} (process ${info.pid}${info.baseUrl ? `, ${info.baseUrl}` : ''}). ` +
        'Stop it first, or use PostgreSQL (CAREWEAVE_DATABASE_URL).',
    );
    this.info = info;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the data folder now, if another live process does (a lock left by a dead process does not count). */
export function currentLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
    return info.pid !== process.pid && alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data folder for this process; throws DataDirInUseError when another live process has
 * it. A stale file (its process gone, or left by an earlier process with this pid) is taken over.
 * Returns the release function (also run when the process exits).
 */
export function acquireDataDirLock(dataDir: string, { holder, baseUrl }: LockHolder): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, holder, since: new Date().toISOString(), ...(baseUrl ? { baseUrl } : {}) };
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) {
        throw error;
      }
      const held = currentLock(dataDir);
      if (held) {
        throw new DataDirInUseError(held);
      }
      fs.rmSync(file, { force: true });
    }
  }
  let released = false;
  const release = (): void => {
    if (released) {
      return;
    }
    released = true;
    process.off('exit', release);
    try {
      const now = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
      if (now.pid === process.pid) {
        fs.rmSync(file, { force: true });
      }
    } catch {
      // already gone
    }
  };
  process.once('exit', release);
  return release;
}
