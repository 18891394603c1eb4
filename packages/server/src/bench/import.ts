import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';
import { createPlatform } from '../http/app.ts';
import { importFiles } from '../import/importer.ts';
import { fhirDefinitions } from '../fhir/definitions.ts';
import { cpuMsPerOperation, cpuSince, type cpuSnapshot } from './cpu.ts';
import type { Figure } from './report.ts';

/** The target: `careweave import` at ≥ 0.7× a plain COPY of the same resources. */
const TARGET_RATIO = 0.7;

export interface ImportBenchContext {
  /** A PostgreSQL server where this benchmark may create and drop its own databases. */
  adminUrl: string;
  /** The FHIR files to import (Synthea's transaction Bundles by default). */
  directory: string;
  validate: boolean;
  log: (message: string) => void;
  snapshot: (database: string) => ReturnType<typeof cpuSnapshot>;
}

/**
 * `careweave import` of a directory of Bundles into an empty store, and, in the same run on the
 * same server, the least PostgreSQL can do with the same resources: one COPY of each distinct
 * resource as a JSONB row into a table with two indexes (primary key and type + time). Both read
 * and parse the files; the ratio of their rates is the figure the issue asks for.
 */
export async function importBenchmark(ctx: ImportBenchContext): Promise<Figure[]> {
  const copy = await withDatabase(ctx.adminUrl, 'copy', (url, name) => copyBaseline(url, name, ctx));
  const careweave = await withDatabase(ctx.adminUrl, 'import', (url, name) => careweaveImport(url, name, ctx));
  const ratio = careweave.rate / copy.rate;
  ctx.log(`postgres: import ${careweave.rate}/s, COPY ${copy.rate}/s: ratio ${ratio.toFixed(2)}`);
  const files = fs.readdirSync(ctx.directory).length;
  return [
    {
      id: 'import-copy',
      benchmark: 'Bulk load reference: plain COPY of the same resources as JSONB rows',
      database: 'postgres',
      resources: copy.rows,
      method: `read and parse the ${files} files in ${ctx.directory}, keep the last occurrence of each resource, one COPY (text format, pg-copy-streams) into (resource_type, id, last_updated, content jsonb) with a primary key and a (resource_type, last_updated) index, one transaction`,
      throughput: { value: copy.rate, unit: 'resources/s' },
      cpu: copy.cpu,
      cpuMsPerOperation: cpuMsPerOperation(copy.cpu, copy.rows, true),
      details: { seconds: copy.seconds },
    },
    {
      id: 'import',
      benchmark: `careweave import${ctx.validate ? '' : ' --no-validate'} into an empty store`,
      database: 'postgres',
      resources: careweave.rows,
      method: `importFiles (what \`careweave import ${ctx.directory}\` runs) in-process into a freshly migrated database, default batch size and concurrency${ctx.validate ? ', validation on' : ', no validation'}`,
      throughput: { value: careweave.rate, unit: 'resources/s' },
      cpu: careweave.cpu,
      cpuMsPerOperation: cpuMsPerOperation(careweave.cpu, careweave.rows, true),
      target: {
        text: `≥ ${TARGET_RATIO}× the COPY reference`,
        met: ratio >= TARGET_RATIO,
        note: `ratio ${ratio.toFixed(2)} (${careweave.rate} ÷ ${copy.rate} resources/s)`,
      },
      details: { seconds: careweave.seconds, ratio },
    },
  ];
}

interface LoadResult {
  rows: number;
  seconds: number;
  rate: number;
  cpu: ReturnType<typeof cpuSince>;
}

async function withDatabase<T>(
  adminUrl: string,
  purpose: string,
  run: (url: string, name: string) => Promise<T>,
): Promise<T> {
  const name = `careweave_bench_${purpose}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    try {
      return await run(url.toString(), name);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
    }
  } finally {
    await admin.end();
  }
}

async function copyBaseline(url: string, name: string, ctx: ImportBenchContext): Promise<LoadResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create table copy_baseline (resource_type text not null, id text not null,
      last_updated timestamptz not null, content jsonb not null, primary key (resource_type, id))`);
    await client.query('create index on copy_baseline (resource_type, last_updated)');
    ctx.log('postgres: COPY reference: loading');
    const before = ctx.snapshot(name);
    const started = performance.now();
    const rows = new Map<string, string>();
    const now = new Date().toISOString();
    for (const file of bundleFiles(ctx.directory)) {
      const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as { entry?: { resource?: Record<string, unknown> }[] };
      for (const entry of bundle.entry ?? []) {
        const resource = entry.resource;
        if (resource && typeof resource.resourceType === 'string' && typeof resource.id === 'string') {
          rows.set(
            `${resource.resourceType}/${resource.id}`,
            copyLine(resource.resourceType, resource.id, now, resource),
          );
        }
      }
    }
    await client.query('begin');
    await pipeline(Readable.from(batches(rows.values())), client.query(copyFrom('copy copy_baseline from stdin')));
    await client.query('commit');
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSince(before);
    return { rows: rows.size, seconds, rate: Math.round(rows.size / seconds), cpu };
  } finally {
    await client.end();
  }
}

async function careweaveImport(url: string, name: string, ctx: ImportBenchContext): Promise<LoadResult> {
  const config = loadConfig({
    CAREWEAVE_DATABASE_URL: url,
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_DEMO_DATA: 'false',
  });
  const db = await openDatabase(config.database);
  // Start-up work a long-running import pays once (the R4 definitions and compiled search
  // paths), not part of its rate.
  fhirDefinitions();
  try {
    ctx.log(`postgres: careweave import${ctx.validate ? '' : ' --no-validate'}: loading`);
    const before = ctx.snapshot(name);
    const started = performance.now();
    const summary = await importFiles(createPlatform(config, db).resources, [ctx.directory], {
      validate: ctx.validate,
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSince(before);
    if (summary.failed) {
      throw new Error(`careweave import: ${summary.failed} resources failed`);
    }
    const rows = summary.created + summary.updated;
    return { rows, seconds, rate: Math.round(rows / seconds), cpu };
  } finally {
    await db.close();
  }
}

function bundleFiles(directory: string): string[] {
  return fs
    .readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => path.join(directory, file));
}

/** One line of COPY's text format: tabs between columns, the JSON's backslashes and control characters escaped. */
function copyLine(type: string, id: string, time: string, resource: unknown): string {
  const json = JSON.stringify(resource).replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!);
  return `${type}\t${id}\t${time}\t${json}\n`;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Lines joined into chunks of about 1 MB, so the stream is not one write per row. */
function* batches(lines: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) {
    yield chunk;
  }
}
