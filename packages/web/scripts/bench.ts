#!/usr/bin/env node
/**
 * `npm run bench -w @careweave/web` (or `npm run bench:web` at the root): the web app's figures
 * for docs/PERFORMANCE.md. Starts the end-to-end server (embedded database, 50 demo patients plus
 * one patient with about 1,000 resources), then in Debian's Chromium measures, N times, the time
 * from the moment a GP has chosen their role at sign-in to the rendered record summary of that
 * patient; and reports the size of the built JavaScript and CSS (raw and gzip). Results go to
 * bench-results/web-<timestamp>.json and a Markdown table on stdout; progress on stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launchBrowser, newPage } from '../e2e/support/browser.ts';
import { buildWebApp, PASSWORD, startE2eServer } from '../e2e/support/server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(here, '../dist/assets');
const OUT = path.resolve(here, '../bench-results');
const GP = { username: 'demo.gp', role: /Ormskirk Medical Practice/ };

function usage(): never {
  process.stdout.write(
    'Usage: npm run bench -w @careweave/web -- [--runs N]\n\nMeasures sign-in → record summary (1,000 resources) in Chromium and the bundle size.\n',
  );
  process.exit(0);
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number ≥ 1`);
  }
  return value;
}

const log = (message: string): void => void process.stderr.write(`[bench:web] ${message}\n`);
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Each built asset's raw and gzip size in KB. */
function bundleSizes(): { file: string; rawKB: number; gzipKB: number }[] {
  return fs
    .readdirSync(DIST)
    .filter((file) => /\.(js|css)$/.test(file))
    .map((file) => {
      const bytes = fs.readFileSync(path.join(DIST, file));
      return {
        file,
        rawKB: Math.round(bytes.length / 1024),
        gzipKB: Math.round(gzipSync(bytes).length / 1024),
      };
    })
    .sort((a, b) => b.gzipKB - a.gzipKB);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    usage();
  }
  const runs = option('--runs', 10);
  buildWebApp();
  log('starting the server (embedded database, demo data) and Chromium');
  const [server, { browser, close }] = await Promise.all([startE2eServer(50), launchBrowser()]);
  const timings: number[] = [];
  const fetches: number[] = [];
  const phases: Phases[] = [];
  const transfers: { transferKB: number; decodedKB: number }[] = [];
  try {
    for (let run = 0; run < runs + 1; run++) {
      const { page, context } = await newPage(browser);
      await page.goto(`${server.baseUrl}/sign-in?returnTo=${encodeURIComponent(`/patients/${server.bigPatientId}`)}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#username').fill(GP.username);
      await page.locator('#password').fill(PASSWORD);
      await page.locator('form button[type=submit]').click();
      await page.getByLabel(GP.role).check();
      // The clock starts when the person has done their part of signing in.
      const started = performance.now();
      const marks = watchPhases(page, started);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Latest observations' }).waitFor({ timeout: 30_000 });
      const ms = Math.round(performance.now() - started);
      const fetchMs = Number(await page.locator('.cw-record').getAttribute('data-load-ms'));
      // What crossed the wire for the record page (the app's files and its API calls), as the
      // browser counts it: compressed sizes when the server compressed.
      const wire = await page.evaluate(() => {
        const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const sum = (pick: (e: PerformanceResourceTiming) => number) => entries.reduce((n, e) => n + pick(e), 0);
        return { transferKB: sum((e) => e.transferSize) / 1024, decodedKB: sum((e) => e.decodedBodySize) / 1024 };
      });
      await context.close();
      if (run > 0) {
        // The first run warms the server's caches and Chromium's; it is not counted.
        timings.push(ms);
        fetches.push(fetchMs);
        phases.push(marks.result(ms));
        transfers.push(wire);
        log(`run ${run}: ${ms} ms (record fetch + parse ${fetchMs} ms)`);
      }
    }
  } finally {
    await close();
    await server.stop();
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const result = {
    when: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(2)}`,
    resources: server.bigPatientResources,
    signInToSummaryMs: { runs: timings, min: sorted[0], median: percentile(sorted, 50), p95: percentile(sorted, 95) },
    recordFetchMs: fetches,
    phasesMs: phases,
    // The last run's page: every run starts with an empty browser cache, so they are alike.
    wire: transfers.at(-1),
    bundle: bundleSizes(),
  };
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `web-${result.when.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const js = result.bundle.filter((b) => b.file.endsWith('.js'));
  process.stdout.write(
    [
      `| figure | result |`,
      `|---|---|`,
      `| sign-in → summary, ${result.resources} resources, ${runs} runs | min ${result.signInToSummaryMs.min} ms, median ${result.signInToSummaryMs.median} ms, p95 ${result.signInToSummaryMs.p95} ms |`,
      `| of which, medians: sign-in redirects to /callback ${median(phases.map((p) => p.redirects))} ms; app start to token ${median(phases.map((p) => p.token))} ms; to the rendered record ${median(phases.map((p) => p.record))} ms | |`,
      `| transferred for the record page (app files and API calls, empty cache) | ${Math.round(result.wire?.transferKB ?? 0)} KB on the wire, ${Math.round(result.wire?.decodedKB ?? 0)} KB decoded |`,
      ...js.map((b) => `| ${b.file} | ${b.rawKB} KB raw, ${b.gzipKB} KB gzip |`),
      `| machine | ${result.machine} |`,
      '',
      `Results: ${path.relative(process.cwd(), file)}`,
      '',
    ].join('\n'),
  );
}

/** Where the time goes after "Continue", in ms from the click. */
interface Phases {
  /** Until the browser asks for /callback: the authorisation server's redirects. */
  redirects: number;
  /** From there until the token endpoint answers: loading the app and exchanging the code. */
  token: number;
  /** From there until the record summary is drawn: `$everything`, parsing, rendering. */
  record: number;
}

function watchPhases(page: Page, started: number): { result: (total: number) => Phases } {
  let callback = 0;
  let token = 0;
  page.on('request', (request) => {
    if (!callback && new URL(request.url()).pathname === '/callback') {
      callback = performance.now() - started;
    }
  });
  page.on('response', (response) => {
    if (!token && new URL(response.url()).pathname === '/auth/token') {
      token = performance.now() - started;
    }
  });
  return {
    result: (total) => ({
      redirects: Math.round(callback),
      token: Math.round(token - callback),
      record: Math.round(total - token),
    }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

await main();
