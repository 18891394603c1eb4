import type { Observation, Subscription } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StaffActor } from '../../access/actor.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { mintToken } from '../../auth/testing/tokens.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { openWebsocket, refusedUpgrade, type WsClient } from './testing/websocket-client.ts';
import { WEBSOCKET_PATH } from './websocket-url.ts';

// Pings go through the outbox, the job queue (a poll every 2 s at most) and LISTEN/NOTIFY.
vi.setConfig({ testTimeout: 60_000 });

let t: TestApp;
let url: string;
const LOINC = 'http://loinc.org';
const clients: WsClient[] = [];

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

function websocketSubscription(code: string): Subscription {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'tests',
    criteria: `Observation?code=${LOINC}|${code}`,
    channel: { type: 'websocket' },
  };
}

async function subscribe(token: string, sub: Subscription): Promise<string> {
  const response = await t.fhir('POST', 'Subscription', sub, { authorization: `Bearer ${token}` });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body.status).toBe('active');
  return response.body.id as string;
}

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

async function connect(token: string): Promise<WsClient> {
  const client = await openWebsocket(url, token);
  clients.push(client);
  return client;
}

async function bind(client: WsClient, id: string): Promise<string> {
  const before = client.frames.length;
  client.send(`bind ${id}`);
  return client.waitFor((frame) => client.frames.indexOf(frame) >= before && /^(bound|error) /.test(frame));
}

const outcomeOf = (frame: string) => JSON.parse(frame.slice('error '.length)) as { issue: { code: string }[] };
const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${WEBSOCKET_PATH}`;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await t?.close();
});

describe('the websocket channel (R4 bind / bound / ping)', () => {
  it('is advertised in the CapabilityStatement', async () => {
    const response = await t.fhir('GET', 'metadata');
    expect(response.body.rest[0].extension).toContainEqual({
      url: 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket',
      valueUri: `ws://careweave.test${WEBSOCKET_PATH}`,
    });
  });

  it('binds the caller’s own Subscription and pings it when a matching resource is written', async () => {
    const gp = await staffToken(ACTORS.gp);
    const id = await subscribe(gp, websocketSubscription('7001-1'));
    const client = await connect(gp);
    expect(await bind(client, id)).toBe(`bound ${id}`);
    await createObservation('7001-2'); // another code: no ping
    await createObservation('7001-1');
    await client.waitFor((frame) => frame === `ping ${id}`);
    await settle();
    expect(client.frames).toEqual([`bound ${id}`, `ping ${id}`]);
  });

  it('answers binding someone else’s Subscription exactly as binding one that does not exist', async () => {
    const gpSubscription = await subscribe(await staffToken(ACTORS.gp), websocketSubscription('7002-1'));
    // Staff of an unrelated organisation, with a valid account, and a system client (which sees
    // every Subscription through REST but binds only its own).
    for (const token of [await staffToken(ACTORS.careHome), t.token]) {
      const attacker = await connect(token);
      const stolen = await bind(attacker, gpSubscription);
      const missing = await bind(attacker, 'no-such-subscription');
      expect(stolen.replace(gpSubscription, 'X')).toBe(missing.replace('no-such-subscription', 'X'));
      expect(outcomeOf(stolen).issue[0]!.code).toBe('not-found');
      await createObservation('7002-1');
      await settle();
      expect(attacker.frames.filter((frame) => frame.startsWith('ping') || frame.startsWith('bound'))).toEqual([]);
    }
  });

  it('does not ping a subscriber for a resource their access policy hides from them', async () => {
    const nurse = await staffToken(ACTORS.nurse);
    const gp = await staffToken(ACTORS.gp);
    const nurseSub = await subscribe(nurse, websocketSubscription('7003-1'));
    const gpSub = await subscribe(gp, websocketSubscription('7003-1'));
    const nurseClient = await connect(nurse);
    const gpClient = await connect(gp);
    expect(await bind(nurseClient, nurseSub)).toBe(`bound ${nurseSub}`);
    expect(await bind(gpClient, gpSub)).toBe(`bound ${gpSub}`);
    await createObservation('7003-1');
    await gpClient.waitFor((frame) => frame === `ping ${gpSub}`);
    await settle();
    expect(nurseClient.frames).toEqual([`bound ${nurseSub}`]);
  });

  it.each([
    ['an unknown command', 'hello'],
    ['bind without an id', 'bind'],
    ['an id with a slash', 'bind Subscription/abc'],
    ['an over-long id', `bind ${'a'.repeat(65)}`],
  ])('answers %s with an invalid error frame and keeps the connection', async (_name, frame) => {
    const client = await connect(await staffToken(ACTORS.gp));
    client.send(frame);
    const error = await client.waitFor((f) => f.startsWith('error '));
    expect(outcomeOf(error)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid' }] });
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('refuses a binary frame, a rest-hook Subscription, and closes on an oversized frame', async () => {
    const gp = await staffToken(ACTORS.gp);
    const client = await connect(gp);
    client.send(Buffer.from('bind x'));
    expect(outcomeOf(await client.waitFor((f) => f.startsWith('error '))).issue[0]!.code).toBe('invalid');
    const restHook = await subscribe(gp, {
      ...websocketSubscription('7004-1'),
      channel: { type: 'rest-hook', endpoint: 'https://example.org/hook' },
    }).catch(() => undefined);
    if (restHook) {
      expect(outcomeOf(await bind(client, restHook)).issue[0]!.code).toBe('not-supported');
    }
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    client.send(`bind ${'a'.repeat(5000)}`);
    expect(await closed).toBe(1009);
  });

  it('refuses the upgrade without a valid token, as the REST API does', async () => {
    expect((await refusedUpgrade(url, {})).status).toBe(401);
    expect((await refusedUpgrade(url, { authorization: 'Bearer not-a-token' })).status).toBe(401);
    await staffToken(ACTORS.gp); // the account exists: refused for its scopes alone
    const noSubscriptions = await mintToken(t.platform, {
      sub: ACTORS.gp.userId,
      client_id: 'careweave-web',
      scope: 'openid fhirUser user/Observation.rs',
      fhirUser: `${t.fhirBase}/Practitioner/${ACTORS.gp.practitionerId}`,
      role_profile: { organization: ACTORS.gp.organizationId, role: ACTORS.gp.roleCode },
    });
    const refused = await refusedUpgrade(url, { authorization: `Bearer ${noSubscriptions}` });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ resourceType: 'OperationOutcome' });
  });
});
