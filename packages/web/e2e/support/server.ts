import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.resolve(here, '../../../server/src/portal/testing/e2e-server.ts');
const execFileAsync = promisify(execFile);
export const PASSWORD = 'e2e-Correct-Horse-Battery-7';

export interface E2eServer {
  baseUrl: string;
  logins: { username: string; description: string }[];
  bigPatientId: string;
  /** The patient demo.patient signs in as: registered at demo.gp's practice. */
  demoPatientId: string;
  bigPatientResources: number;
  output: () => string;
  stop(): Promise<void>;
}

/** Builds packages/web/dist when it is missing or older than the sources (what the server serves). */
export function buildWebApp(): void {
  const result = spawnSync(process.execPath, [path.resolve(here, '../../scripts/build-if-stale.ts')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    throw new Error('the web app did not build');
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function serverEnv(dataDir: string, patients: number, port = 0): NodeJS.ProcessEnv {
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    ...process.env,
    CAREWEAVE_PORT: String(port),
    CAREWEAVE_HOST: '127.0.0.1',
    CAREWEAVE_BASE_URL: baseUrl,
    CAREWEAVE_DATA_DIR: dataDir,
    CAREWEAVE_DEMO_PATIENTS: String(patients),
    CAREWEAVE_LOG_LEVEL: 'warn',
    CAREWEAVE_E2E_PASSWORD: PASSWORD,
    // Every test signs in several times in a few seconds from one address.
    CAREWEAVE_AUTH_RATE_LIMIT: '10000',
  };
}

let ownTemplates: string | undefined;

/** Where seeded templates live: the test run's folder, or this process's own outside vitest (bench:web). */
function templatesDir(): string {
  try {
    return inject('e2eTemplates');
  } catch {
    if (!ownTemplates) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-e2e-templates-'));
      process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
      ownTemplates = dir;
    }
    return ownTemplates;
  }
}

/**
 * The seeded database for a population size, made once per test run (seeding is most of a start-up)
 * in the folder vitest's global set-up provides; each test file's server starts on its own copy.
 */
async function seededTemplate(patients: number): Promise<string> {
  const template = path.join(templatesDir(), `patients-${patients}`);
  // Test files run two at a time: the first to need a population size seeds it, the other waits.
  const lock = `${template}.lock`;
  for (;;) {
    if (fs.existsSync(template)) {
      return template;
    }
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    return fs.existsSync(template) ? template : await seedTemplate(template, patients);
  } finally {
    fs.rmdirSync(lock);
  }
}

async function seedTemplate(template: string, patients: number): Promise<string> {
  const building = fs.mkdtempSync(`${template}.building-`);
  try {
    const { stdout } = await execFileAsync(process.execPath, [SERVER], {
      env: { ...serverEnv(building, patients), CAREWEAVE_E2E_SEED_ONLY: 'true' },
      // Seeding takes about a minute on an idle two-core machine; far longer when it is shared.
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (!stdout.includes('{"seeded":true}')) {
      throw new Error(stdout);
    }
  } catch (error) {
    const { stderr, signal } = error as { stderr?: string; signal?: string };
    throw new Error(`the demo database did not seed (${signal ?? 'failed'}): ${String(error)}\n${stderr ?? ''}`, {
      cause: error,
    });
  }
  fs.renameSync(building, template);
  return template;
}

/**
 * Starts the platform (packages/server, `src/portal/testing/e2e-server.ts`) as its own process on a
 * copy of a freshly seeded embedded database with a small demo population, and waits until it says
 * it is ready.
 */
export async function startE2eServer(patients = 50): Promise<E2eServer> {
  const template = await seededTemplate(patients);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-e2e-'));
  fs.cpSync(template, dataDir, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: serverEnv(dataDir, patients, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 5 minutes:\n${output}`));
    }, 300_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      output += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    baseUrl,
    logins: ready.logins as E2eServer['logins'],
    bigPatientId: String(ready.bigPatientId),
    demoPatientId: String(ready.demoPatientId),
    bigPatientResources: Number(ready.bigPatientResources),
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          fs.rmSync(dataDir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) {
          done();
          return;
        }
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
