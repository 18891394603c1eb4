import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { registerImportCommand } from '../cli/import.command.ts';
import { loadConfig } from '../config/config.ts';
import { createPlatform, type Platform } from '../http/app.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { importFiles } from './importer.ts';
import type { ImportProgress, ImportSummary } from './types.ts';
import { SHARED_DATA } from '../testing/shared-data.ts';

const SYNTHEA = path.join(SHARED_DATA, 'synthea');
const BUNDLES = path.join(SYNTHEA, 'bundles');
const NDJSON = path.join(SYNTHEA, 'bulk-ndjson-10-patients');
const haveSynthea = fs.existsSync(BUNDLES) && fs.existsSync(NDJSON);

let database: TestDatabase;
let platform: Platform;
let tmp: string;

beforeAll(async () => {
  database = await createTestDatabase();
  platform = createPlatform(
    loadConfig({ CAREWEAVE_LOG_LEVEL: 'silent', CAREWEAVE_BASE_URL: 'http://careweave.test' }),
    database.db,
  );
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-import-'));
});

afterAll(async () => {
  await database.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const service = () => platform.resources;

async function count(resourceType: string, query: [string, string][] = []): Promise<number> {
  const bundle = await service().search(resourceType, [...query, ['_summary', 'count']]);
  return bundle.total!;
}

async function versionsStored(): Promise<number> {
  const rows = await database.db.query<{ n: string }>('select count(*) as n from resource_version');
  return Number(rows[0]!.n);
}

function dir(name: string): string {
  const full = path.join(tmp, name);
  fs.mkdirSync(full, { recursive: true });
  return full;
}

function write(file: string, content: string | Buffer): string {
  fs.writeFileSync(file, content);
  return file;
}

/** Distinct resources per type in Bundle files, as the import should store them (last one wins). */
function expectedByType(files: string[]): Record<string, number> {
  const keys = new Map<string, string>();
  for (const file of files) {
    for (const entry of (JSON.parse(fs.readFileSync(file, 'utf8')) as Bundle).entry ?? []) {
      keys.set(`${entry.resource!.resourceType}/${entry.resource!.id}`, entry.resource!.resourceType);
    }
  }
  const byType: Record<string, number> = {};
  for (const type of keys.values()) {
    byType[type] = (byType[type] ?? 0) + 1;
  }
  return byType;
}

describe.skipIf(!haveSynthea)('Synthea transaction Bundles', () => {
  const patientBundles = fs.existsSync(BUNDLES)
    ? fs
        .readdirSync(BUNDLES)
        .filter((f) => /^[A-Z].*\.json$/.test(f))
        .sort()
        .slice(0, 5)
    : [];
  const shared = fs.existsSync(BUNDLES)
    ? fs.readdirSync(BUNDLES).filter((f) => /^(hospital|practitioner)Information.*\.json$/.test(f))
    : [];
  let input: string;
  let files: string[];
  let first: ImportSummary;

  beforeAll(async () => {
    input = dir('synthea');
    files = [...patientBundles, ...shared].map((f) => {
      fs.copyFileSync(path.join(BUNDLES, f), path.join(input, f));
      return path.join(input, f);
    });
    first = await importFiles(service(), [input]);
  });

  it('stores every resource, as many per type as the files hold', async () => {
    const expected = expectedByType(files);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(first.failed).toBe(0);
    expect(first.files).toBe(files.length);
    expect(first.created).toBe(total);
    expect(first.created + first.superseded).toBe(first.resources);
    expect(first.byType).toEqual(expected);
    for (const [type, n] of Object.entries(expected)) {
      expect(await count(type), type).toBe(n);
    }
    expect(await versionsStored()).toBe(total);
  });

  it('rewrites urn:uuid references to Type/<uuid>, and they resolve', async () => {
    const bundle = JSON.parse(fs.readFileSync(files[0]!, 'utf8')) as Bundle;
    const patientEntry = bundle.entry!.find((e) => e.resource!.resourceType === 'Patient')!;
    const patientId = patientEntry.fullUrl!.replace('urn:uuid:', '');
    const observations = bundle.entry!.filter(
      (e) => e.resource!.resourceType === 'Observation' && e.resource.subject?.reference === patientEntry.fullUrl,
    );
    expect(observations.length).toBeGreaterThan(0);
    expect(await count('Observation', [['patient', patientId]])).toBe(observations.length);

    const stored = JSON.parse(
      (await service().read('Observation', observations[0]!.resource!.id!)).json!,
    ) as Observation;
    expect(stored.subject?.reference).toBe(`Patient/${patientId}`);
    expect(stored.encounter?.reference).toMatch(/^Encounter\/[0-9a-f-]{36}$/);
    const encounterId = stored.encounter!.reference!.split('/')[1]!;
    expect((await service().read('Encounter', encounterId)).id).toBe(encounterId);
    expect(JSON.stringify(stored)).not.toContain('urn:uuid:');
  });

  it('a second import writes nothing: everything is unchanged and stays at version 1', async () => {
    const versions = await versionsStored();
    const second = await importFiles(service(), [input]);
    expect(second).toMatchObject({
      created: 0,
      updated: 0,
      failed: 0,
      unchanged: first.created,
      superseded: first.superseded,
    });
    expect(await versionsStored()).toBe(versions);
    const patient = (JSON.parse(fs.readFileSync(files[0]!, 'utf8')) as Bundle).entry![0]!.resource!;
    const stored = JSON.parse((await service().read(patient.resourceType, patient.id!)).json!) as Resource;
    expect(stored.meta?.versionId).toBe('1');
  });

  it('streams a Bundle (stream-json) with the same result as reading it whole', async () => {
    // The file alone: its copies of shared Organizations/Practitioners differ from the
    // hospital/practitioner files' versions, so a few resources are updated. Reading the same
    // file whole afterwards must then find everything unchanged.
    const bundleFile = files[1]!;
    const entries = (JSON.parse(fs.readFileSync(bundleFile, 'utf8')) as Bundle).entry!.length;
    const streamed = await importFiles(service(), [bundleFile], { streamThresholdBytes: 0 });
    expect(streamed).toMatchObject({ resources: entries, created: 0, failed: 0 });
    expect(streamed.unchanged + streamed.updated).toBe(entries);
    const whole = await importFiles(service(), [bundleFile]);
    expect(whole).toMatchObject({ resources: entries, unchanged: entries, created: 0, updated: 0, failed: 0 });
  });
});

describe.skipIf(!haveSynthea)('bulk NDJSON export', () => {
  it('imports every resource file and reports the log file it skipped', async () => {
    const summary = await importFiles(service(), [NDJSON]);
    const resourceFiles = fs.readdirSync(NDJSON).filter((f) => f.endsWith('.ndjson') && f !== 'log.ndjson');
    const lines = resourceFiles.reduce(
      (sum, f) =>
        sum +
        fs
          .readFileSync(path.join(NDJSON, f), 'utf8')
          .split('\n')
          .filter((l) => l.trim()).length,
      0,
    );
    expect(summary.skippedFiles).toEqual([
      { file: path.join(NDJSON, 'log.ndjson'), reason: expect.stringContaining('no resourceType') },
    ]);
    expect(summary.files).toBe(resourceFiles.length);
    expect(summary).toMatchObject({ resources: lines, created: lines, failed: 0 });
    const patients = fs
      .readFileSync(path.join(NDJSON, 'Patient.000.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l.trim());
    expect(await count('Patient', [['_id', patients.map((l) => (JSON.parse(l) as Resource).id).join(',')]])).toBe(
      patients.length,
    );
  });
});

describe('gzip, references to later entries, ids derived from the file', () => {
  it('imports .json.gz (streamed) and .ndjson.gz, resolving forward urn:uuid references', async () => {
    const input = dir('gzip');
    const patientUrn = 'urn:uuid:7d7f3c1e-8f1a-4b7e-9c55-0a1b2c3d4e5f';
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        // refers to the Patient further down the file
        {
          fullUrl: 'urn:uuid:0b7a9e52-3c2d-4f7e-8a1b-9c8d7e6f5a4b',
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'Pulse' },
            subject: { reference: patientUrn },
          },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: patientUrn,
          resource: { resourceType: 'Patient', name: [{ family: 'Gzip' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: { resourceType: 'Patient', id: 'gz-put', active: true },
          request: { method: 'PUT', url: 'Patient/gz-put' },
        },
        {
          resource: { resourceType: 'Organization', name: 'No id, no fullUrl' },
          request: { method: 'POST', url: 'Organization' },
        },
      ],
    };
    write(path.join(input, 'bundle.json.gz'), zlib.gzipSync(JSON.stringify(bundle)));
    const ndjson = [
      '{"resourceType":"Patient","name":[{"family":"NoId1"}]}',
      '{"resourceType":"Patient","name":[{"family":"NoId2"}]}',
    ].join('\n');
    write(path.join(input, 'patients.ndjson.gz'), zlib.gzipSync(ndjson));

    const summary = await importFiles(service(), [input]);
    expect(summary).toMatchObject({ files: 2, resources: 6, created: 6, failed: 0, unresolvedReferences: 0 });

    const observationId = '0b7a9e52-3c2d-4f7e-8a1b-9c8d7e6f5a4b';
    const observation = JSON.parse((await service().read('Observation', observationId)).json!) as Observation;
    expect(observation.subject?.reference).toBe('Patient/7d7f3c1e-8f1a-4b7e-9c55-0a1b2c3d4e5f');
    expect(await count('Observation', [['patient', '7d7f3c1e-8f1a-4b7e-9c55-0a1b2c3d4e5f']])).toBe(1);
    expect((await service().read('Patient', 'gz-put')).id).toBe('gz-put');
    expect(await count('Patient', [['family', 'NoId1,NoId2']])).toBe(2);

    // Derived ids are stable: importing again changes nothing.
    const again = await importFiles(service(), [input]);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 6 });
  });
});

describe('invalid resources', () => {
  it('imports the valid ones and reports each failure with where it is', async () => {
    const input = dir('invalid');
    const ndjsonFile = write(
      path.join(input, 'mixed.ndjson'),
      [
        JSON.stringify({ resourceType: 'Patient', id: 'mixed-1', active: true }),
        JSON.stringify({ resourceType: 'Observation', id: 'mixed-bad', status: 'not-a-status', code: { text: 'x' } }),
        '',
        '{"resourceType": "Patient", "id": ',
        JSON.stringify({ resourceType: 'Patient', id: 'mixed-2', gender: 'female' }),
      ].join('\n'),
    );
    const bundleFile = write(
      path.join(input, 'bundle.json'),
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { resource: { resourceType: 'Patient', id: 'mixed-3' } },
          { resource: { resourceType: 'Frobnicator', id: 'x' } },
        ],
      }),
    );
    // Validation on a worker thread here (the default for inputs of 16 MiB or more).
    const summary = await importFiles(service(), [input], { validationWorkers: 1 });
    expect(summary).toMatchObject({ resources: 6, created: 3, failed: 3 });
    expect(summary.failures).toHaveLength(3);
    expect(summary.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: bundleFile,
          location: 'entry 1',
          message: "Unknown resource type 'Frobnicator'",
        }),
        expect.objectContaining({
          file: ndjsonFile,
          location: 'line 4',
          message: expect.stringContaining('Invalid JSON'),
        }),
        expect.objectContaining({
          file: ndjsonFile,
          location: 'line 2',
          resourceType: 'Observation',
          id: 'mixed-bad',
          message: expect.stringContaining('status'),
        }),
      ]),
    );
    await expect(service().read('Observation', 'mixed-bad')).rejects.toThrow();
    expect(await count('Patient', [['_id', 'mixed-1,mixed-2,mixed-3']])).toBe(3);
  });

  it('--no-validate still refuses what cannot be stored (unknown type, bad id)', async () => {
    const file = write(
      path.join(dir('novalidate'), 'x.ndjson'),
      [
        JSON.stringify({ resourceType: 'Observation', id: 'nv-1', status: 'not-a-status' }),
        JSON.stringify({ resourceType: 'Patient', id: 'bad id!' }),
      ].join('\n'),
    );
    const summary = await importFiles(service(), [file], { validate: false });
    expect(summary).toMatchObject({ created: 1, failed: 1 });
    expect(summary.failures[0]).toMatchObject({
      location: 'line 2',
      message: expect.stringContaining('Invalid resource id'),
    });
  });
});

describe('streaming', () => {
  it('imports a large NDJSON file batch by batch, writing before the whole file is read', async () => {
    const file = path.join(dir('large'), 'large.ndjson');
    const out = fs.createWriteStream(file);
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const line = JSON.stringify({
        resourceType: 'Patient',
        id: `large-${i}`,
        active: i % 2 === 0,
        name: [{ family: `Large${i}` }],
      });
      if (!out.write(`${line}\n`)) {
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));
    const size = fs.statSync(file).size;

    const seen: ImportProgress[] = [];
    const summary = await importFiles(service(), [file], {
      validate: false,
      batchSize: 1000,
      onProgress: (p) => seen.push(p),
    });
    expect(summary).toMatchObject({ resources: n, created: n, failed: 0, bytes: size });
    // A batch was committed while the file was still being read: the reader is only a few
    // batches (and 64 KiB reads) ahead of the database, not the whole file.
    expect(size).toBeGreaterThan(1024 * 1024);
    const early = seen.find((p) => p.phase === 'import' && p.created > 0 && p.bytesDone < size);
    expect(early).toBeDefined();
    expect(await count('Patient', [['family', 'Large19999']])).toBe(1);
  });
});

describe('careweave import (CLI)', () => {
  it('prints a summary and exits 1 when something failed, 0 with --allow-failures', async () => {
    const input = dir('cli');
    write(
      path.join(input, 'cli.ndjson'),
      [
        JSON.stringify({ resourceType: 'Patient', id: 'cli-1' }),
        JSON.stringify({ resourceType: 'Patient', id: 'cli-2', gender: 'nope' }),
      ].join('\n'),
    );
    const env = { ...process.env };
    process.env.CAREWEAVE_LOG_LEVEL = 'silent';
    process.env.CAREWEAVE_PORT = '9'; // nothing listens there: no running server is found
    if (database.url) {
      process.env.CAREWEAVE_DATABASE_URL = database.url;
    } else {
      delete process.env.CAREWEAVE_DATABASE_URL;
      process.env.CAREWEAVE_DATA_DIR = path.join(tmp, 'cli-data');
    }
    let output = '';
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += String(chunk);
      return true;
    });
    const failuresFile = path.join(tmp, 'failures.ndjson');
    const run = async (...args: string[]): Promise<number> => {
      const program = new Command().exitOverride();
      registerImportCommand(program);
      process.exitCode = undefined;
      await program.parseAsync(['node', 'careweave', 'import', ...args]);
      const code = Number(process.exitCode ?? 0);
      process.exitCode = undefined;
      return code;
    };
    try {
      expect(await run('--no-progress', '--failures', failuresFile, input)).toBe(1);
      expect(output).toContain('Import summary');
      expect(output).toMatch(/failed\s+1/);
      expect(output).toContain('cli.ndjson line 2 Patient/cli-2');
      expect(fs.readFileSync(failuresFile, 'utf8')).toContain('"location":"line 2"');

      output = '';
      expect(await run('--no-progress', '--allow-failures', input)).toBe(0);
      expect(output).toMatch(/unchanged\s+1/);
    } finally {
      stdout.mockRestore();
      process.env = env;
    }
    const help = helpText();
    expect(help).toContain('--no-validate');
    expect(help).toContain('careweave import ../shared/data/synthea/bundles');
  });
});

/** What `careweave import --help` prints. */
function helpText(): string {
  const program = new Command();
  registerImportCommand(program);
  let text = '';
  const command = program.commands[0]!;
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}
