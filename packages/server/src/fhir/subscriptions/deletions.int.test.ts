import type { Observation, Subscription } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StaffActor } from '../../access/actor.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { mintToken } from '../../auth/testing/tokens.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { startReceiver, type Notification, type Receiver } from './testing/receiver.ts';
import { openWebsocket, type WsClient } from './testing/websocket-client.ts';
import { WEBSOCKET_PATH } from './websocket-url.ts';

// Deliveries go through the outbox and the job queue (a poll every 2 s at most).
vi.setConfig({ testTimeout: 60_000 });

let t: TestApp;
let receiver: Receiver;
let url: string;
const clients: WsClient[] = [];
const LOINC = 'http://loinc.org';

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

async function subscribe(token: string, code: string, channel: Subscription['channel']): Promise<string> {
  const sub: Subscription = {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'tests',
    criteria: `Observation?code=${LOINC}|${code}`,
    channel,
  };
  const response = await t.fhir('POST', 'Subscription', sub, { authorization: `Bearer ${token}` });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

const restHook = (): Subscription['channel'] => ({
  type: 'rest-hook',
  endpoint: `${receiver.url}/hook`,
  payload: 'application/fhir+json',
});

/** A laboratory result for patient p1 from the acute trust: the GP may see it, the nurse may not. */
async function createObservation(code: string): Promise<string> {
  const observation: Observation = {
    resourceType: 'Observation',
    meta: { source: 'Organization/org-acute' },
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
    ],
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: 'Patient/p1' },
    encounter: { reference: 'Encounter/p1-acute-enc' },
  };
  return (await t.platform.resources.create('Observation', observation)).resource.id!;
}

const forSub = (id: string) => (n: Notification) => n.subscription === `Subscription/${id}`;
const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({
    CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '127.0.0.1',
    CAREWEAVE_SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  await loadScenario(t.platform.db, t.fhirBase);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${WEBSOCKET_PATH}`;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await t?.close();
  await receiver?.close();
});

describe('notification on delete', () => {
  it('tells a rest-hook subscriber of the deletion of a matching resource, without the resource', async () => {
    const gp = await staffToken(ACTORS.gp);
    const id = await subscribe(gp, '8001-1', restHook());
    const observation = await createObservation('8001-1');
    await receiver.waitFor((n) => forSub(id)(n) && n.eventNumber === 1);
    await t.platform.resources.delete('Observation', observation);
    const deleted = await receiver.waitFor((n) => forSub(id)(n) && n.eventNumber === 2);
    expect(deleted.focus).toBe(`Observation/${observation}`);
    // A history entry for a deletion: the request, no resource (even for a full-payload Subscription).
    expect(deleted.bundle.entry![1]).toEqual({
      fullUrl: `${t.fhirBase}/Observation/${observation}`,
      request: { method: 'DELETE', url: `Observation/${observation}` },
      response: { status: '204' },
    });
    // The owner's sight of the deletion is in their audit trail.
    const audited = await t.platform.db.query<{ user_id: string; interaction: string }>(
      `select actor->>'userId' as user_id, interaction from audit_log where $1 = any(resource_refs)`,
      [`Observation/${observation}`],
    );
    expect(audited).toContainEqual({ user_id: ACTORS.gp.userId, interaction: 'history' });
  });

  it('matches the last version before the deletion: a resource that no longer matched is not notified', async () => {
    const gp = await staffToken(ACTORS.gp);
    const id = await subscribe(gp, '8002-1', restHook());
    const matching = await createObservation('8002-1');
    const other = await createObservation('8002-2');
    await receiver.waitFor((n) => forSub(id)(n) && n.focus === `Observation/${matching}`);
    // Changed to another code, then deleted: its last version did not match.
    const current = await t.platform.resources.read('Observation', matching);
    const changed = JSON.parse(current.json!) as Observation;
    changed.code = { coding: [{ system: LOINC, code: '8002-9' }] };
    await t.platform.resources.update('Observation', matching, changed);
    await t.platform.resources.delete('Observation', matching);
    await t.platform.resources.delete('Observation', other);
    await settle();
    expect(receiver.notifications.filter(forSub(id)).map((n) => n.bundle.entry![1]!.request!.method)).toEqual(['POST']);
  });

  it('does not tell a subscriber who could not see the deleted resource (rest-hook or websocket)', async () => {
    const gp = await staffToken(ACTORS.gp);
    const nurse = await staffToken(ACTORS.nurse);
    const gpHook = await subscribe(gp, '8003-1', restHook());
    const nurseHook = await subscribe(nurse, '8003-1', restHook());
    const nurseSocket = await subscribe(nurse, '8003-1', { type: 'websocket' });
    const client = await openWebsocket(url, nurse);
    clients.push(client);
    client.send(`bind ${nurseSocket}`);
    await client.waitFor((frame) => frame === `bound ${nurseSocket}`);
    const observation = await createObservation('8003-1');
    await t.platform.resources.delete('Observation', observation);
    await receiver.waitFor((n) => forSub(gpHook)(n) && n.bundle.entry![1]!.request!.method === 'DELETE');
    await settle();
    expect(receiver.notifications.filter(forSub(nurseHook))).toEqual([]);
    expect(client.frames).toEqual([`bound ${nurseSocket}`]);
  });

  it('pings a websocket bound to a Subscription whose resource is deleted', async () => {
    const gp = await staffToken(ACTORS.gp);
    const id = await subscribe(gp, '8004-1', { type: 'websocket' });
    const observation = await createObservation('8004-1');
    const client = await openWebsocket(url, gp);
    clients.push(client);
    await settle(); // the create's ping has gone before the bind
    client.send(`bind ${id}`);
    await client.waitFor((frame) => frame === `bound ${id}`);
    await t.platform.resources.delete('Observation', observation);
    await client.waitFor((frame) => frame === `ping ${id}`);
    expect(client.frames).toEqual([`bound ${id}`, `ping ${id}`]);
  });
});
