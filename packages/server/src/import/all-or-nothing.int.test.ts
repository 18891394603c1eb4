import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { rewriteReferences } from '../fhir/bundle/references.ts';
import { createPlatform, type Platform } from '../http/app.ts';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../testing/database.ts';
import { importFiles } from './importer.ts';

/**
 * Issue 15, fault 2: a transaction Bundle lands whole or not at all through the importer too, and
 * no stored reference points at what is not there. The import is cut off mid-way by a fault that
 * fails every transaction from the Nth on (as a killed process or a lost database would), after
 * the Nth has done its writes but before its commit.
 */

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.ts');
const BUNDLES = 24;
const ORGANIZATIONS = 3;
let database: TestDatabase;
let tmp: string;

const config = loadConfig({ CAREWEAVE_LOG_LEVEL: 'silent', CAREWEAVE_BASE_URL: 'http://careweave.test' });

beforeAll(async () => {
  database = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-all-or-nothing-'));
});
afterAll(async () => {
  await database?.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const uuid = (n: number, kind: number): string =>
  `00000000-0000-4000-8000-${kind.toString(16).padStart(4, '0')}${n.toString(16).padStart(8, '0')}`;
const orgUuid = (o: number): string => `00000000-0000-4000-8000-ffff${o.toString(16).padStart(8, '0')}`;

/**
 * Synthea's shape: each patient Bundle holds its patient, encounters and observations, and copies
 * of shared Organizations (differing from the copy in the last file, which holds them all).
 */
function writeInput(dir: string, bundles = BUNDLES, series = 0): { bundleKeys: string[][] } {
  fs.mkdirSync(dir, { recursive: true });
  const bundleKeys: string[][] = [];
  for (let b = 0; b < bundles; b++) {
    const entries: BundleEntry[] = [];
    const own: string[] = [];
    const add = (resource: Resource, fullUrl: string, owned: boolean): void => {
      entries.push({ fullUrl, resource, request: { method: 'POST', url: resource.resourceType } });
      if (owned) {
        own.push(`${resource.resourceType}/${fullUrl.slice('urn:uuid:'.length)}`);
      }
    };
    const patient = `urn:uuid:${uuid(b, series + 1)}`;
    add({ resourceType: 'Patient', name: [{ family: `Bundle${b}` }] }, patient, true);
    const org = `urn:uuid:${orgUuid(b % ORGANIZATIONS)}`;
    add({ resourceType: 'Organization', name: `Practice ${b % ORGANIZATIONS} (as of bundle ${b})` }, org, false);
    for (let e = 0; e < 5; e++) {
      const encounter = `urn:uuid:${uuid(b * 100 + e, series + 2)}`;
      add(
        {
          resourceType: 'Encounter',
          status: 'finished',
          class: { code: 'AMB' },
          subject: { reference: patient },
          serviceProvider: { reference: org },
        },
        encounter,
        true,
      );
      for (let o = 0; o < 2; o++) {
        add(
          {
            resourceType: 'Observation',
            status: 'final',
            code: { text: `reading ${o}` },
            subject: { reference: patient },
            encounter: { reference: encounter },
            valueQuantity: { value: b + e + o },
          },
          `urn:uuid:${uuid(b * 100 + e * 10 + o, series + 3)}`,
          true,
        );
      }
    }
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries };
    fs.writeFileSync(path.join(dir, `patient-${String(b).padStart(3, '0')}.json`), JSON.stringify(bundle));
    bundleKeys.push(own);
  }
  // Sorted last, like Synthea's hospitalInformation file: the Organizations' last occurrence.
  const organizations: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: Array.from({ length: ORGANIZATIONS }, (_, o) => ({
      fullUrl: `urn:uuid:${orgUuid(o)}`,
      resource: { resourceType: 'Organization', name: `Practice ${o}`, active: true },
      request: { method: 'POST', url: 'Organization' },
    })),
  };
  fs.writeFileSync(path.join(dir, 'zz-organizations.json'), JSON.stringify(organizations));
  return { bundleKeys };
}

/** A database whose transactions fail from the `from`-th on: that one after its writes, before commit. */
function failingFrom(db: Database, from: number): Database {
  let n = 0;
  const lost = (): Error => new Error('Connection terminated unexpectedly');
  return {
    ...db,
    async transaction(work) {
      n++;
      if (n < from) {
        return db.transaction(work);
      }
      if (n === from) {
        return db.transaction(async (tx) => {
          await work(tx);
          throw lost();
        });
      }
      throw lost();
    },
  };
}

async function storedKeys(): Promise<Set<string>> {
  const rows = await database.db.query<{ k: string }>(
    `select resource_type || '/' || id as k from current_resource where not deleted`,
  );
  return new Set(rows.map((r) => r.k));
}

/** References of every stored resource that do not resolve to a stored resource. */
async function danglingReferences(): Promise<string[]> {
  const rows = await database.db.query<{ k: string; content: string }>(
    `select resource_type || '/' || id as k, content::text as content from current_resource where not deleted`,
  );
  const stored = new Set(rows.map((r) => r.k));
  const dangling: string[] = [];
  for (const row of rows) {
    rewriteReferences(JSON.parse(row.content) as Record<string, unknown>, (reference) => {
      if (/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(reference) && !stored.has(reference)) {
        dangling.push(`${row.k} -> ${reference}`);
      }
      return undefined;
    });
  }
  return dangling;
}

function platformOn(db: Database): Platform {
  return createPlatform(config, db);
}

describe('a transaction Bundle through the importer', () => {
  it('is whole or absent after an import cut off mid-way, with every reference resolving; a re-run completes', async () => {
    const input = path.join(tmp, 'cut');
    const { bundleKeys } = writeInput(input);
    const total = bundleKeys.flat().length + ORGANIZATIONS;

    // Batches of 20 entries, Bundles of 18: without whole-Bundle batches every batch would split one.
    const faulty = platformOn(failingFrom(database.db, 6));
    await expect(importFiles(faulty.resources, [input], { batchSize: 20, concurrency: 2 })).rejects.toThrow(
      /Connection terminated/,
    );

    const stored = await storedKeys();
    const whole = bundleKeys.filter((keys) => keys.every((k) => stored.has(k)));
    const absent = bundleKeys.filter((keys) => keys.every((k) => !stored.has(k)));
    expect(whole.length + absent.length, 'a Bundle was written in part').toBe(BUNDLES);
    expect(whole.length).toBeGreaterThan(0);
    expect(absent.length).toBeGreaterThan(0);
    // The Organizations' last occurrence was never reached, yet every Encounter's serviceProvider is there.
    expect(await danglingReferences()).toEqual([]);

    // A re-run completes; the Organizations end as in their last occurrence, with one version each.
    const platform = platformOn(database.db);
    const summary = await importFiles(platform.resources, [input], { batchSize: 20 });
    expect(summary.failed).toBe(0);
    expect(summary.created + summary.unchanged).toBe(total);
    const after = await storedKeys();
    expect(bundleKeys.flat().every((k) => after.has(k))).toBe(true);
    expect(await danglingReferences()).toEqual([]);
    const org = JSON.parse((await platform.resources.read('Organization', orgUuid(1))).json!) as Resource;
    expect(org).toMatchObject({ name: 'Practice 1', active: true, meta: { versionId: '1' } });
    const [versions] = await database.db.query<{ n: number | string }>(
      `select count(*) as n from resource_version where id = any($1::text[])`,
      [
        [
          ...bundleKeys.flat().map((k) => k.split('/')[1]!),
          ...Array.from({ length: ORGANIZATIONS }, (_, o) => orgUuid(o)),
        ],
      ],
    );
    expect(Number(versions!.n)).toBe(total);

    // And once more: nothing to write.
    const again = await importFiles(platform.resources, [input], { batchSize: 20 });
    expect(again).toMatchObject({ created: 0, updated: 0, failed: 0, unchanged: total });
  });

  it('writes none of a Bundle with an invalid entry, and the other Bundles whole', async () => {
    const input = path.join(tmp, 'invalid');
    fs.mkdirSync(input, { recursive: true });
    const bundle = (id: string, status: string): Bundle => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: `urn:uuid:${id}-p`,
          resource: { resourceType: 'Patient', id: `${id}-p` },
          request: { method: 'PUT', url: `Patient/${id}-p` },
        },
        {
          resource: {
            resourceType: 'Observation',
            id: `${id}-o`,
            status: status as 'final',
            code: { text: 'x' },
            subject: { reference: `urn:uuid:${id}-p` },
          },
          request: { method: 'PUT', url: `Observation/${id}-o` },
        },
      ],
    });
    fs.writeFileSync(path.join(input, 'a.json'), JSON.stringify(bundle('aon-good', 'final')));
    fs.writeFileSync(path.join(input, 'b.json'), JSON.stringify(bundle('aon-bad', 'not-a-status')));
    const platform = platformOn(database.db);
    const summary = await importFiles(platform.resources, [input]);
    expect(summary).toMatchObject({ resources: 4, created: 2, failed: 2 });
    expect(summary.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'aon-bad-o', message: expect.stringContaining('status') }),
        expect.objectContaining({ id: 'aon-bad-p', message: expect.stringContaining('whole or not at all') }),
      ]),
    );
    const stored = await storedKeys();
    expect(['Patient/aon-good-p', 'Observation/aon-good-o'].every((k) => stored.has(k))).toBe(true);
    expect(stored.has('Patient/aon-bad-p')).toBe(false);
  });

  it.skipIf(testDatabaseKind() !== 'postgres')(
    'is whole or absent after `careweave import` is killed (SIGKILL) mid-way',
    async () => {
      const input = path.join(tmp, 'killed');
      const { bundleKeys } = writeInput(input, 200, 16);
      const ownIds = bundleKeys.flat().map((k) => k.split('/')[1]!);
      const storedOwn = async (): Promise<number> => {
        const [row] = await database.db.query<{ n: number | string }>(
          `select count(*) as n from current_resource where id = any($1::text[])`,
          [ownIds],
        );
        return Number(row!.n);
      };
      const child = spawn(process.execPath, [CLI, 'import', '--no-progress', '--batch-size', '20', input], {
        env: { ...process.env, CAREWEAVE_DATABASE_URL: database.url!, CAREWEAVE_LOG_LEVEL: 'error' },
        stdio: 'ignore',
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Killed once some Bundles have landed, well before all of them.
      await expect.poll(storedOwn, { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
      child.kill('SIGKILL');
      await exited;

      const stored = await storedKeys();
      const partial = bundleKeys.filter((keys) => keys.some((k) => stored.has(k)) && !keys.every((k) => stored.has(k)));
      expect(partial, 'Bundles written in part').toEqual([]);
      expect(
        bundleKeys.some((keys) => !stored.has(keys[0]!)),
        'the import finished before it was killed',
      ).toBe(true);
      expect(await danglingReferences()).toEqual([]);

      const platform = platformOn(database.db);
      const summary = await importFiles(platform.resources, [input]);
      expect(summary.failed).toBe(0);
      expect(await storedOwn()).toBe(ownIds.length);
      expect(await danglingReferences()).toEqual([]);
    },
  );
});
