import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { deepEqual, sameContent } from './compare.ts';
import {
  addFullUrl,
  bundleHandling,
  deterministicId,
  finalResource,
  planEntry,
  planResource,
  type EntryPlan,
} from './entries.ts';
import { expandInputs, formatOf, type InputFile } from './files.ts';
import { formatSummary } from './report.ts';
import { readLines, streamJsonObject, type JsonEvent } from './sources.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-import-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function input(name: string, content: string | Buffer): InputFile {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return { path: file, ...formatOf(file)!, size: fs.statSync(file).size };
}

async function events(file: InputFile): Promise<JsonEvent[]> {
  const all: JsonEvent[] = [];
  for await (const event of streamJsonObject(file)) {
    all.push(event);
  }
  return all;
}

describe('entry ids', () => {
  const resource = (plan: EntryPlan) => (plan.kind === 'resource' ? `${plan.resourceType}/${plan.id}` : plan);

  it('keeps the own id, else PUT Type/id, else the urn:uuid, else an absolute fullUrl, else a derived id', () => {
    const uuid = '2b0c8f2e-6a3f-4d8e-9b1a-0c2d4e6f8a9b';
    expect(
      resource(planEntry({ fullUrl: `urn:uuid:${uuid}`, resource: { resourceType: 'Patient', id: 'own' } }, 'f', 0)),
    ).toBe('Patient/own');
    expect(
      resource(
        planEntry({ resource: { resourceType: 'Patient' }, request: { method: 'PUT', url: 'Patient/p1' } }, 'f', 0),
      ),
    ).toBe('Patient/p1');
    expect(resource(planEntry({ fullUrl: `urn:uuid:${uuid}`, resource: { resourceType: 'Patient' } }, 'f', 0))).toBe(
      `Patient/${uuid}`,
    );
    expect(
      resource(
        planEntry({ fullUrl: 'http://other.example/fhir/Patient/abc', resource: { resourceType: 'Patient' } }, 'f', 0),
      ),
    ).toBe('Patient/abc');
    expect(
      resource(
        planEntry(
          {
            resource: { resourceType: 'Patient' },
            request: { method: 'PUT', url: 'https://x.example/fhir/Patient/p2' },
          },
          'f',
          0,
        ),
      ),
    ).toBe('Patient/p2');
    expect(
      planEntry(
        { resource: { resourceType: 'Patient', id: 'c' }, request: { method: 'PUT', url: 'Patient?identifier=a|b' } },
        'f',
        0,
      ),
    ).toMatchObject({ kind: 'resource', id: 'c' });
    const derived = planEntry({ resource: { resourceType: 'Patient' } }, '/data/a.json', 7);
    expect(resource(derived)).toBe(`Patient/${deterministicId('/data/a.json', 7)}`);
    expect(deterministicId('/data/a.json', 7)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(deterministicId('/data/a.json', 7)).not.toBe(deterministicId('/data/a.json', 8));
    expect(deterministicId('/data/a.json', 7)).not.toBe(deterministicId('/data/b.json', 7));
  });

  it('rejects what cannot be stored, and skips entries without a resource', () => {
    expect(planEntry({ resource: { resourceType: 'Nope' } }, 'f', 0)).toMatchObject({
      kind: 'error',
      message: "Unknown resource type 'Nope'",
    });
    expect(planEntry({ resource: { resourceType: 'Patient', id: 'a b' } }, 'f', 0)).toMatchObject({ kind: 'error' });
    expect(planEntry({ resource: { id: 'x' } }, 'f', 0)).toMatchObject({
      kind: 'error',
      message: 'The resource has no resourceType',
    });
    expect(planEntry('x', 'f', 0)).toMatchObject({ kind: 'error' });
    expect(
      planEntry(
        { resource: { resourceType: 'Patient', id: 'a' }, request: { method: 'PUT', url: 'Patient/b' } },
        'f',
        0,
      ),
    ).toMatchObject({ kind: 'error', message: expect.stringContaining('does not match') });
    expect(
      planEntry({ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Observation' } }, 'f', 0),
    ).toMatchObject({
      kind: 'error',
    });
    expect(planEntry({ request: { method: 'DELETE', url: 'Patient/1' } }, 'f', 0)).toMatchObject({ kind: 'skip' });
    expect(planResource({ resourceType: 'Patient' }, '/x.ndjson', 3)).toMatchObject({
      id: deterministicId('/x.ndjson', 3),
    });
  });

  it('rewrites references to fullUrls anywhere in the resource and counts unresolved urn: references', () => {
    const map = new Map<string, string>();
    const patient = planEntry({ fullUrl: 'urn:uuid:p', resource: { resourceType: 'Patient', id: 'p1' } }, 'f', 0);
    addFullUrl(map, patient);
    const observation = planEntry(
      {
        resource: {
          resourceType: 'Observation',
          subject: { reference: 'urn:uuid:p' },
          performer: [{ reference: 'urn:uuid:p' }, { reference: 'urn:uuid:missing' }, { reference: 'Practitioner/1' }],
        },
      },
      'f',
      1,
    );
    if (observation.kind !== 'resource') {
      throw new Error('expected a resource');
    }
    const { resource, unresolved } = finalResource(observation, map);
    expect(resource).toMatchObject({
      id: observation.id,
      subject: { reference: 'Patient/p1' },
      performer: [{ reference: 'Patient/p1' }, { reference: 'urn:uuid:missing' }, { reference: 'Practitioner/1' }],
    });
    expect(unresolved).toBe(1);
  });

  it('unpacks most Bundles, stores documents whole, refuses history', () => {
    expect(bundleHandling('transaction')).toBe('entries');
    expect(bundleHandling(undefined)).toBe('entries');
    expect(bundleHandling('document')).toBe('whole');
    expect(bundleHandling('history')).toMatchObject({ error: expect.any(String) });
  });
});

describe('content comparison', () => {
  it('ignores meta.versionId, meta.lastUpdated and key order, nothing else', () => {
    const stored = JSON.stringify({
      resourceType: 'Patient',
      id: '1',
      meta: { versionId: '3', lastUpdated: '2024-01-01T00:00:00Z' },
      a: [1, { b: 2, c: 3 }],
    });
    expect(sameContent(stored, { a: [1, { c: 3, b: 2 }], id: '1', resourceType: 'Patient' })).toBe(true);
    expect(
      sameContent(stored, { resourceType: 'Patient', id: '1', meta: { versionId: '9' }, a: [1, { b: 2, c: 3 }] }),
    ).toBe(true);
    expect(sameContent(stored, { resourceType: 'Patient', id: '1', a: [1, { b: 2, c: 4 }] })).toBe(false);
    expect(
      sameContent(stored, { resourceType: 'Patient', id: '1', meta: { source: 'x' }, a: [1, { b: 2, c: 3 }] }),
    ).toBe(false);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: undefined }, {})).toBe(false);
  });
});

describe('reading files', () => {
  it('streams the top-level fields and entries of a JSON object, skipping other nested values', async () => {
    const bundle = {
      resourceType: 'Bundle',
      meta: { tag: [{ code: 'x' }] },
      entry: [{ a: 1 }, { b: { c: [2] } }, 3],
      type: 'collection',
      total: 2,
    };
    expect(await events(input('stream/b.json', JSON.stringify(bundle, null, 2)))).toEqual([
      { kind: 'field', key: 'resourceType', value: 'Bundle' },
      { kind: 'entry', index: 0, value: { a: 1 } },
      { kind: 'entry', index: 1, value: { b: { c: [2] } } },
      { kind: 'entry', index: 2, value: 3 },
      { kind: 'field', key: 'type', value: 'collection' },
      { kind: 'field', key: 'total', value: 2 },
    ]);
    const gz = input('stream/b.json.gz', zlib.gzipSync(JSON.stringify(bundle)));
    expect(await events(gz)).toHaveLength(6);
  });

  it('fails on truncated, empty or non-object JSON', async () => {
    await expect(events(input('bad/truncated.json', '{"resourceType":"Bundle","entry":[{"a":1}'))).rejects.toThrow();
    await expect(events(input('bad/empty.json', ''))).rejects.toThrow();
    await expect(events(input('bad/array.json', '[1,2]'))).rejects.toThrow('JSON object');
    await expect(events(input('bad/corrupt.json.gz', Buffer.from('not gzip')))).rejects.toThrow();
  });

  it('reads NDJSON lines, also gzip-compressed, numbering from 1', async () => {
    const lines: string[] = [];
    for await (const { line, text } of readLines(input('lines/a.ndjson.gz', zlib.gzipSync('{"a":1}\r\n\n{"b":2}')))) {
      lines.push(`${line}:${text}`);
    }
    expect(lines).toEqual(['1:{"a":1}', '2:', '3:{"b":2}']);
  });

  it('finds import files in directories, in name order, skipping hidden and other files', async () => {
    input('tree/b/2.ndjson', '');
    input('tree/a.json', '{}');
    input('tree/c.json.gz', zlib.gzipSync('{}'));
    input('tree/.hidden.json', '{}');
    input('tree/readme.txt', '');
    const { files, ignored } = await expandInputs([
      path.join(tmp, 'tree'),
      path.join(tmp, 'tree/readme.txt'),
      path.join(tmp, 'tree/a.json'),
    ]);
    expect(files.map((f) => [path.relative(tmp, f.path), f.format, f.gzip])).toEqual([
      ['tree/a.json', 'json', false],
      ['tree/b/2.ndjson', 'ndjson', false],
      ['tree/c.json.gz', 'json', true],
    ]);
    expect(ignored).toHaveLength(1);
    await expect(expandInputs([path.join(tmp, 'missing')])).rejects.toThrow('No such file');
  });
});

describe('summary', () => {
  it('prints counts, types, skipped files and failures', () => {
    const text = formatSummary({
      resources: 3,
      created: 1,
      updated: 0,
      unchanged: 1,
      failed: 1,
      superseded: 0,
      skipped: 0,
      files: 2,
      skippedFiles: [{ file: '/d/log.ndjson', reason: 'not FHIR NDJSON' }],
      failures: [
        { file: '/d/x.ndjson', location: 'line 2', resourceType: 'Patient', id: 'p', message: 'Bad gender', issues: 2 },
      ],
      byType: { Patient: 2 },
      unresolvedReferences: 0,
      aborted: false,
      dryRun: false,
      bytes: 1000,
      elapsedMs: 1000,
      resourcesPerSecond: 3,
    });
    expect(text).toMatch(/created\s+1/);
    expect(text).toContain('/d/log.ndjson: not FHIR NDJSON');
    expect(text).toContain('/d/x.ndjson line 2 Patient/p: Bad gender (+1 more issues)');
  });
});
