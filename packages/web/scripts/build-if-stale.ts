/**
 * Builds the web app when `dist` is missing or older than its sources, so `npm start` always
 * serves the current app and costs nothing when nothing changed. Run by the root `npm start`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'index.html');
const inputs = ['src', 'public', 'index.html', 'vite.config.ts', 'scripts/nhsuk-fonts.ts', 'package.json'].map((p) =>
  path.join(root, p),
);

function newest(file: string): number {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) {
    return 0;
  }
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((name) => newest(path.join(file, name))));
}

const builtAt = fs.statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const changedAt = Math.max(...inputs.map(newest));
if (builtAt > changedAt) {
  process.stdout.write('Web app is up to date (packages/web/dist).\n');
} else {
  process.stdout.write(builtAt ? 'Web app sources changed: rebuilding…\n' : 'Building the web app (first start)…\n');
  // Always a production build, also when started from a test run (NODE_ENV=test would bundle
  // React's development build, which runs effects twice and is not what users get).
  const result = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  process.exit(result.status ?? 1);
}
