import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemActor } from '../../access/actor.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { isOperationOutcomeError } from '../outcome.ts';
import { ownerKey } from './caller.ts';
import { Exporter } from './exporter.ts';
import { ExportJobRepository } from './jobs.repository.ts';
import type { ExportLevel } from './request.ts';

let t: TestApp;
let exporter: Exporter;
let jobs: ExportJobRepository;
const actor: SystemActor = { kind: 'system', clientId: 'careweave-tests', scopes: ['system/*.rs'] };

async function newJob(id: string, level: ExportLevel, extra: { types?: string[]; groupId?: string } = {}) {
  await jobs.insert({
    id,
    ownerKey: ownerKey(actor),
    actor,
    level,
    types: extra.types ?? [],
    requestUrl: `${t.fhirBase}/$export`,
    expiryHours: 1,
    ...(extra.groupId ? { groupId: extra.groupId } : {}),
  });
}

beforeAll(async () => {
  t = await createTestApp();
  const { db, resources, access, fhirBase } = t.platform;
  exporter = new Exporter({ db, resources, access, fhirBase, expiryHours: 1, pageSize: 2, fileSize: 3 });
  jobs = new ExportJobRepository(db);
  for (let n = 1; n <= 7; n++) {
    const id = `p${n}`;
    await resources.update('Patient', id, { resourceType: 'Patient', id, name: [{ family: `Patient ${n}` }] });
  }
});

afterAll(async () => {
  await t?.close();
});

describe('Exporter', () => {
  it('pages by id and splits a type into files of at most fileSize resources', async () => {
    await newJob('split', 'system', { types: ['Patient'] });
    await exporter.run('split', new AbortController().signal);
    const files = await jobs.files('split');
    expect(files.map((f) => f.count)).toEqual([3, 3, 1]);
    const ids: string[] = [];
    for (const file of files) {
      const chunks: string[] = [];
      for (
        let c = await jobs.nextChunk('split', file.fileNo, 0);
        c;
        c = await jobs.nextChunk('split', file.fileNo, c.chunkNo)
      ) {
        chunks.push(c.content);
      }
      // Pages of 2 in files of 3: a page never crosses a file boundary.
      expect(chunks.map((chunk) => chunk.split('\n').length - 1)).toEqual(file.count === 3 ? [2, 1] : [1]);
      ids.push(
        ...chunks
          .join('')
          .trimEnd()
          .split('\n')
          .map((line) => (JSON.parse(line) as { id: string }).id),
      );
    }
    expect(ids).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect((await jobs.find('split'))?.status).toBe('completed');
  });

  it('starts again from scratch on a retry', async () => {
    await newJob('again', 'patient', { types: ['Patient'] });
    await exporter.run('again', new AbortController().signal);
    await exporter.run('again', new AbortController().signal);
    expect((await jobs.files('again')).reduce((sum, f) => sum + f.count, 0)).toBe(7);
  });

  it('stops when aborted, and when the job is deleted meanwhile', async () => {
    await newJob('aborted', 'system');
    const controller = new AbortController();
    controller.abort();
    await expect(exporter.run('aborted', controller.signal)).rejects.toThrow();
    await newJob('deleted', 'system');
    await jobs.delete('deleted');
    await exporter.run('deleted', new AbortController().signal); // nothing to do
    expect(await jobs.files('deleted')).toEqual([]);
  });

  it('fails a Group export whose Group is gone; the status is then a 500 OperationOutcome', async () => {
    await newJob('group', 'group', { groupId: 'missing' });
    const error: unknown = await exporter.run('group', new AbortController().signal).catch((e: unknown) => e);
    expect(isOperationOutcomeError(error)).toBe(true);

    // What the queue's handler does after the last attempt; the test client owns the job.
    await jobs.fail('group', 'Group/missing is not known');
    const status = await t.fhir('GET', '$export-status/group');
    expect(status.status).toBe(500);
    expect(status.body.issue[0]).toMatchObject({
      severity: 'error',
      code: 'exception',
      diagnostics: 'Group/missing is not known',
    });
  });
});
