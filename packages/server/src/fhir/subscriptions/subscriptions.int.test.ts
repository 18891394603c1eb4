import type { Observation, Subscription } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StaffActor } from '../../access/actor.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { mintToken } from '../../auth/testing/tokens.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { download, kickOff, poll, type Manifest } from '../bulk/testing/export-client.ts';
import { startReceiver, type Notification, type Receiver } from './testing/receiver.ts';

// Deliveries go through the job queue (a poll every 2 s at most) and retries back off.
vi.setConfig({ testTimeout: 60_000 });

let t: TestApp;
let receiver: Receiver;
const LOINC = 'http://loinc.org';

/** A token for a scenario staff actor, as the sign-in would issue it. */
async function staffToken(actor: StaffActor): Promise<string> {
  await t.platform.db.query(
    `insert into auth_user (id, username, fhir_user) values ($1, $1, $2) on conflict do nothing`,
    [actor.userId, `Practitioner/${actor.practitionerId}`],
  );
  return mintToken(t.platform, {
    sub: actor.userId,
    client_id: 'careweave-web',
    scope: 'openid fhirUser user/*.cruds',
    fhirUser: `${t.fhirBase}/Practitioner/${actor.practitionerId}`,
    role_profile: { organization: actor.organizationId, role: actor.roleCode },
  });
}

const as = (token: string) => ({ authorization: `Bearer ${token}` });

function subscription(criteria: string, channel: Partial<Subscription['channel']> = {}): Subscription {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'tests',
    criteria,
    channel: { type: 'rest-hook', endpoint: `${receiver.url}/hook`, ...channel },
  };
}

async function subscribe(sub: Subscription, headers: Record<string, string> = {}): Promise<string> {
  const response = await t.fhir('POST', 'Subscription', sub, headers);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body.status).toBe('active');
  return response.body.id as string;
}

/** A laboratory result for patient p1 recorded by the acute trust (docs/ACCESS.md scenario). */
function labResult(code: string, id?: string): Observation {
  return {
    resourceType: 'Observation',
    ...(id ? { id } : {}),
    meta: { source: 'Organization/org-acute' },
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
    ],
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: 'Patient/p1' },
    encounter: { reference: 'Encounter/p1-acute-enc' },
  };
}

async function createObservation(code: string): Promise<string> {
  const { resource } = await t.platform.resources.create('Observation', labResult(code));
  return resource.id!;
}

/** Lets every delivery job that could still be on its way arrive. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));
const forSub = (id: string) => (n: Notification) => n.subscription === `Subscription/${id}`;

async function subscriptionCount(): Promise<number> {
  const [row] = await t.platform.db.query<{ n: string }>(
    `select count(*) as n from resource where resource_type = 'Subscription'`,
  );
  return Number(row!.n);
}

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({
    // The receiver is on this machine: allowed here explicitly (endpoint-policy.int.test.ts has the defaults).
    CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '127.0.0.1',
    CAREWEAVE_SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: 'true',
    CAREWEAVE_SUBSCRIPTION_RETRY_LIMIT: '1',
    CAREWEAVE_SUBSCRIPTION_RETRY_DELAY_SECONDS: '1',
    CAREWEAVE_SUBSCRIPTION_TIMEOUT_MS: '2000',
  });
  await loadScenario(t.platform.db, t.fhirBase);
  await t.app.ready();
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('rest-hook notifications', () => {
  it('notifies (id only, with the channel headers) when a matching Observation is created, and not for another code', async () => {
    const id = await subscribe(
      subscription(`Observation?code=${LOINC}|1001-1`, { header: ['Authorization: Bearer hook-secret'] }),
    );
    const other = await createObservation('1001-2');
    const matching = await createObservation('1001-1');
    const notification = await receiver.waitFor(forSub(id));
    expect(notification.focus).toBe(`Observation/${matching}`);
    expect(notification.headers.authorization).toBe('Bearer hook-secret');
    expect(notification.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(notification.eventNumber).toBe(1);
    const { bundle } = notification;
    expect(bundle.type).toBe('history');
    expect(bundle.entry).toHaveLength(2);
    expect(bundle.entry![1]).toEqual({
      fullUrl: `${t.fhirBase}/Observation/${matching}`,
      request: { method: 'POST', url: 'Observation' },
      response: { status: '201' },
    });
    await settle();
    expect(receiver.notifications.filter((n) => n.focus === `Observation/${other}`)).toEqual([]);
  });

  it('sends the resource itself with payload application/fhir+json, and notifies updates', async () => {
    const id = await subscribe(subscription(`Observation?code=${LOINC}|1002-1`, { payload: 'application/fhir+json' }));
    const observation = await createObservation('1002-1');
    const first = await receiver.waitFor(forSub(id));
    expect(first.bundle.entry![1]!.resource).toMatchObject({ resourceType: 'Observation', id: observation });
    const current = await t.platform.resources.read('Observation', observation);
    await t.platform.resources.update('Observation', observation, {
      ...(JSON.parse(current.json!) as Observation),
      status: 'amended',
    });
    const second = await receiver.waitFor((n) => forSub(id)(n) && n.eventNumber === 2);
    expect(second.bundle.entry![1]!.request).toEqual({ method: 'PUT', url: `Observation/${observation}` });
    expect(second.bundle.entry![1]!.resource).toMatchObject({ status: 'amended' });
  });
});

describe('XML payloads', () => {
  it('sends the notification Bundle as FHIR XML with payload application/fhir+xml', async () => {
    const id = await subscribe(subscription(`Observation?code=${LOINC}|1003-1`, { payload: 'application/fhir+xml' }));
    const observation = await createObservation('1003-1');
    const notification = await receiver.waitFor(forSub(id));
    expect(notification.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    expect(notification.bundle.type).toBe('history');
    expect(notification.bundle.entry![1]!.resource).toMatchObject({
      resourceType: 'Observation',
      id: observation,
      code: { coding: [{ system: LOINC, code: '1003-1' }] },
    });
  });
});

describe('delivery is evaluated as the owner, through the access policy', () => {
  it('a nurse is not told of a result the policy hides from them; the GP and a system client are', async () => {
    const nurse = await subscribe(subscription(`Observation?code=${LOINC}|2001-1`), as(await staffToken(ACTORS.nurse)));
    const gp = await subscribe(subscription(`Observation?code=${LOINC}|2001-1`), as(await staffToken(ACTORS.gp)));
    const system = await subscribe(subscription(`Observation?code=${LOINC}|2001-1`));
    const observation = await createObservation('2001-1');
    await receiver.waitFor((n) => forSub(gp)(n) && n.focus === `Observation/${observation}`);
    await receiver.waitFor((n) => forSub(system)(n) && n.focus === `Observation/${observation}`);
    await settle();
    expect(receiver.notifications.filter(forSub(nurse))).toEqual([]);
    // The GP's delivery is in the audit trail as their search; the nurse's evaluation left none.
    const audited = await t.platform.db.query<{ user_id: string; interaction: string }>(
      `select actor->>'userId' as user_id, interaction from audit_log where $1 = any(resource_refs)`,
      [`Observation/${observation}`],
    );
    expect(audited).toContainEqual({ user_id: ACTORS.gp.userId, interaction: 'search' });
    expect(audited.map((row) => row.user_id)).not.toContain(ACTORS.nurse.userId);
  });

  it('only the owner (or a system client) sees, changes or deletes a Subscription', async () => {
    const gpToken = await staffToken(ACTORS.gp);
    const acuteToken = await staffToken(ACTORS.acute);
    const id = await subscribe(subscription(`Observation?code=${LOINC}|3001-1`), as(gpToken));
    expect((await t.fhir('GET', `Subscription/${id}`, undefined, as(gpToken))).status).toBe(200);
    expect((await t.fhir('GET', `Subscription/${id}`, undefined, as(acuteToken))).status).toBe(404);
    expect((await t.fhir('GET', `Subscription/${id}`)).status).toBe(200); // system client
    const found = await t.fhir('GET', 'Subscription?_count=100', undefined, as(acuteToken));
    expect(found.body.entry ?? []).toEqual([]);
    const history = await t.fhir('GET', `Subscription/${id}/_history`, undefined, as(acuteToken));
    expect(history.body.entry ?? []).toEqual([]);
    const stolen = { ...subscription(`Observation?code=${LOINC}|3001-1`, { endpoint: 'http://127.0.0.1:9/x' }), id };
    // Hidden from them, so answered exactly as a Subscription that does not exist.
    expect((await t.fhir('PUT', `Subscription/${id}`, stolen, as(acuteToken))).status).toBe(404);
    expect((await t.fhir('DELETE', `Subscription/${id}`, undefined, as(acuteToken))).status).toBe(404);
    expect((await t.fhir('DELETE', `Subscription/${id}`, undefined, as(gpToken))).status).toBe(204);
  });

  it("is left out of another user's bulk export, and in its owner's", async () => {
    const gpToken = await staffToken(ACTORS.gp);
    const acuteToken = await staffToken(ACTORS.acute);
    const id = await subscribe(subscription(`Observation?code=${LOINC}|3002-9`), as(gpToken));
    const exported = async (token: string) => {
      const started = await kickOff(t, '$export?_type=Subscription', token);
      expect(started.status).toBe(202);
      const manifest = (await poll(t, started.location, token)).body as Manifest;
      const files = await Promise.all(manifest.output.map((file) => download(t, file.url, token)));
      return files.flat().map((resource) => resource.id);
    };
    expect(await exported(acuteToken)).not.toContain(id);
    expect(await exported(gpToken)).toContain(id);
  });
});

describe('what is accepted', () => {
  it.each([
    ['an unknown search parameter', () => subscription('Observation?bogus=1')],
    ['an unknown type', () => subscription('Nonsense?code=1')],
    ['no search at all', () => subscription('code=1')],
    ['a result parameter', () => subscription('Observation?code=1&_count=5')],
    ['an unsupported channel', () => subscription('Observation?code=1', { type: 'message' })],
    ['an ftp endpoint', () => subscription('Observation?code=1', { endpoint: 'ftp://example.org/x' })],
    ['a relative endpoint', () => subscription('Observation?code=1', { endpoint: '/hook' })],
    ['a Turtle payload', () => subscription('Observation?code=1', { payload: 'text/turtle' })],
    ['a malformed header', () => subscription('Observation?code=1', { header: ['no colon here'] })],
  ])('refuses %s with a 400 OperationOutcome and stores nothing', async (_name, body) => {
    const before = await subscriptionCount();
    const response = await t.fhir('POST', 'Subscription', body());
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(await subscriptionCount()).toBe(before);
  });

  it('names the unsupported channel type as not-supported', async () => {
    const response = await t.fhir('POST', 'Subscription', subscription('Observation?code=1', { type: 'email' }));
    expect(response.body.issue[0]).toMatchObject({ code: 'not-supported', expression: ['Subscription.channel.type'] });
  });
});

describe('failing endpoints', () => {
  it('retries, then sets the Subscription to error; a later success sets it back to active', async () => {
    const down = await startReceiver();
    down.respondWith(503);
    try {
      const id = await subscribe(subscription(`Observation?code=${LOINC}|4001-1`, { endpoint: `${down.url}/hook` }));
      await createObservation('4001-1');
      const failed = await waitForStatus(id, 'error');
      expect(failed.error).toMatch(/HTTP 503/);
      expect(down.attempts).toBe(2); // the first attempt and one retry
      down.respondWith(200);
      const observation = await createObservation('4001-1');
      await down.waitFor((n) => n.focus === `Observation/${observation}`);
      const recovered = await waitForStatus(id, 'active');
      expect(recovered.error).toBeUndefined();
    } finally {
      await down.close();
    }
  });
});

async function waitForStatus(id: string, status: string): Promise<Subscription> {
  for (let i = 0; i < 150; i++) {
    const response = await t.fhir('GET', `Subscription/${id}`);
    if (response.body.status === status) {
      return response.body as Subscription;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Subscription/${id} never became ${status}`);
}
