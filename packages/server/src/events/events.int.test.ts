/** Reactions to committed writes: filtering, once after commit, retries and visible failures (docs/EVENTS.md). */
import type { Encounter } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { onResourceEvent, type ResourceEvent } from './bus.ts';
import { encounter, eventually } from './testing.ts';

const admissions: ResourceEvent[] = [];
const actors: string[] = [];
onResourceEvent({
  name: 'test-admission',
  types: ['Encounter'],
  interactions: ['create'],
  filter: (resource) => (resource as Encounter).class?.code === 'IMP',
  handle: (event, { actor }) => {
    admissions.push(event);
    actors.push(actor.clientId);
    return Promise.resolve();
  },
});

let failing = true;
const flakyRuns: string[] = [];
onResourceEvent({
  name: 'test-flaky',
  types: ['Observation'],
  retry: { attempts: 3, delayMs: 10 },
  handle: (event) => {
    flakyRuns.push(event.resourceId);
    return failing ? Promise.reject(new Error('the pager is down')) : Promise.resolve();
  },
});

const batches: string[][] = [];
const alone: string[] = [];
const previousStatus: (string | undefined)[] = [];
const isPoison = (event: ResourceEvent) => (event.resource as { code?: { text?: string } }).code?.text === 'poison';
onResourceEvent({
  name: 'test-batch',
  types: ['Flag'],
  retry: { attempts: 1 },
  handleBatch: (events) => {
    if (events.some(isPoison)) {
      return Promise.reject(new Error('one of these is poison'));
    }
    batches.push(events.map((e) => e.resourceId).sort());
    previousStatus.push(...events.map((e) => (e.previous as { status?: string } | undefined)?.status));
    return Promise.resolve();
  },
  handle: (event) => {
    if (isPoison(event)) {
      return Promise.reject(new Error('poison'));
    }
    alone.push(event.resourceId);
    previousStatus.push((event.previous as { status?: string } | undefined)?.status);
    return Promise.resolve();
  },
});

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
});

afterAll(async () => {
  await t?.close();
});

async function api(method: 'GET' | 'POST', url: string) {
  const response = await t.app.inject({ method, url });
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

describe('domain events', () => {
  it('runs a reaction to an inpatient Encounter once after commit, and not for other classes', async () => {
    const inpatient = await t.fhir('POST', 'Encounter', encounter('IMP'));
    const ambulatory = await t.fhir('POST', 'Encounter', encounter('AMB'));
    expect([inpatient.status, ambulatory.status]).toEqual([201, 201]);
    await eventually(() => admissions.some((e) => e.resourceId === inpatient.body.id));
    // An update is not a create.
    expect(
      (await t.fhir('PUT', `Encounter/${inpatient.body.id}`, { ...inpatient.body, status: 'finished' })).status,
    ).toBe(200);
    await t.platform.subscriptions.dispatcher.drain();
    await t.platform.events.dispatcher.runDue();
    expect(admissions.map((e) => [e.resourceId, e.interaction, e.versionId])).toEqual([
      [inpatient.body.id, 'create', 1],
    ]);
    expect((admissions[0]!.resource as Encounter).class?.code).toBe('IMP');
    expect(actors).toEqual(['reaction:test-admission']);
  });

  it('does not react to a rolled-back write', async () => {
    let id = '';
    await expect(
      t.platform.resources.transaction(async (service) => {
        id = (await service.create('Encounter', encounter('IMP') as unknown as Encounter)).resource.id!;
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(id).not.toBe('');
    await t.platform.subscriptions.dispatcher.drain();
    await t.platform.events.dispatcher.runDue();
    expect(admissions.map((e) => e.resourceId)).not.toContain(id);
  });

  it('retries a failing reaction, lists it as failed, and runs it again on $retry', async () => {
    const created = await t.fhir('POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'potassium' },
    });
    expect(created.status).toBe(201);
    const failed = async () =>
      (await api('GET', '/api/events/reactions?status=failed')).body.reactions.filter(
        (r: { resourceId: string }) => r.resourceId === created.body.id,
      );
    await eventually(async () => (await failed()).length === 1);
    expect(flakyRuns.filter((id) => id === created.body.id)).toHaveLength(3);
    const [row] = await failed();
    expect(row).toMatchObject({
      reaction: 'test-flaky',
      status: 'failed',
      attempts: 3,
      lastError: 'the pager is down',
    });

    failing = false;
    const retried = await api('POST', `/api/events/reactions/${row.id}/$retry`);
    expect(retried.status).toBe(200);
    await eventually(async () =>
      (await api('GET', '/api/events/reactions?status=done')).body.reactions.some(
        (r: { id: string }) => r.id === row.id,
      ),
    );
    expect(flakyRuns.filter((id) => id === created.body.id)).toHaveLength(4);
    expect((await api('POST', `/api/events/reactions/${row.id}/$retry`)).status).toBe(409);
    expect((await api('POST', '/api/events/reactions/999999999/$retry')).status).toBe(404);
  });

  it('refuses callers without a token and bad queries', async () => {
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/api/events/reactions',
      headers: { authorization: '' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect((await api('GET', '/api/events/reactions?status=lost')).status).toBe(400);
  });

  it('hands a reaction with handleBatch the events of one batch together; a failed batch runs each alone', async () => {
    const patient = (await t.fhir('POST', 'Patient', { resourceType: 'Patient' })).body.id as string;
    const flag = (text: string) => ({
      resource: {
        resourceType: 'Flag',
        status: 'active',
        code: { text },
        subject: { reference: `Patient/${patient}` },
      },
      request: { method: 'POST', url: 'Flag' },
    });
    const bundle = (texts: string[]) => ({ resourceType: 'Bundle', type: 'transaction', entry: texts.map(flag) });
    const ids = (response: { body: { entry: { response: { location: string } }[] } }) =>
      response.body.entry.map((e) => e.response.location.split('/')[1]!).sort();
    const together = await t.fhir('POST', '', bundle(['a', 'b', 'c']));
    expect(together.status, JSON.stringify(together.body)).toBe(200);
    await eventually(() => batches.some((b) => b.length === 3));
    expect(batches).toContainEqual(ids(together));
    // An update brings the version before it (alone or in a batch).
    const [first] = ids(together);
    const current = (await t.fhir('GET', `Flag/${first}`)).body;
    await t.fhir('PUT', `Flag/${first}`, { ...current, status: 'inactive' });
    await t.fhir('PUT', `Flag/${ids(together)[1]}`, {
      ...(await t.fhir('GET', `Flag/${ids(together)[1]}`)).body,
      status: 'inactive',
    });
    await eventually(() => previousStatus.includes('active'));

    const mixed = await t.fhir('POST', '', bundle(['good', 'poison', 'fine']));
    const [poisoned] = (mixed.body.entry as { response: { location: string } }[])
      .filter((_, i) => i === 1)
      .map((e) => e.response.location.split('/')[1]!);
    const good = ids(mixed).filter((id) => id !== poisoned);
    await eventually(() => good.every((id) => alone.includes(id)));
    expect(alone).not.toContain(poisoned);
    await eventually(async () =>
      (await api('GET', '/api/events/reactions?status=failed')).body.reactions.some(
        (r: { resourceId: string }) => r.resourceId === poisoned,
      ),
    );
  });
});
