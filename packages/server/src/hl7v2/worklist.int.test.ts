/** The worklist API, retry, who may see what, and the listener's shutdown. */
import type { Organization } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StaffActor } from '../access/actor.ts';
import { actorClient } from '../access/testing/actor-client.ts';
import { mintToken } from '../auth/testing/tokens.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { createHl7v2Services } from './index.ts';
import { Hl7HandlerRegistry } from './registry.ts';
import { adt, seedOrganisation, seedPatient, testNhsNumber } from './testing/fixtures.ts';
import { MllpClient, readAck } from './testing/mllp-client.ts';

let t: TestApp;
let client: MllpClient;
let hospital: Organization;
let elsewhere: Organization;
let serial = 1;

function staff(id: string, organization: Organization, roleCode: string): StaffActor {
  return {
    kind: 'staff',
    userId: `user-${id}`,
    practitionerId: `pr-${id}`,
    organizationId: organization.id!,
    organizationType: 'acute-trust',
    roleCode,
    scopes: ['user/*.cruds'],
  };
}

async function api(method: 'GET' | 'POST', url: string, token?: string) {
  const response = await t.app.inject({
    method,
    url,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

/** Sends an A01 for a patient nobody has registered yet: AE, on the worklist. */
async function unknownPatientMessage(facility = 'RVY01'): Promise<{ nhsNumber: string; message: string; id: string }> {
  const n = serial++;
  const nhsNumber = testNhsNumber(500 + n);
  const message = adt({ event: 'A01', controlId: `wl-${n}`, nhsNumber, visit: `WL${n}`, facility });
  const ack = readAck(await client.send(message));
  const [row] = await t.platform.db.query<{ id: string }>(`select id::text from hl7_message where control_id = $1`, [
    `wl-${n}`,
  ]);
  expect(ack.code).toBe(facility === 'RVY01' ? 'AE' : 'AR');
  return { nhsNumber, message, id: row!.id };
}

beforeAll(async () => {
  t = await createTestApp({ CAREWEAVE_MLLP_PORT: '0' });
  await t.app.ready();
  hospital = await seedOrganisation(t.platform.resources, 'RVY01', 'Ormskirk Hospital');
  elsewhere = await seedOrganisation(t.platform.resources, 'RRF01', 'Wigan');
  client = await MllpClient.connect(t.app.modules.use('hl7v2').listener!.address()!.port);
});

afterAll(async () => {
  await client?.close();
  await t?.close();
});

describe('the worklist', () => {
  test('an unknown patient waits on the worklist; after registering the patient, a retry applies it', async () => {
    const { nhsNumber, message, id } = await unknownPatientMessage();
    const listed = await api('GET', '/api/hl7v2/messages?status=error');
    expect(listed.status).toBe(200);
    const row = listed.body.messages.find((m: { id: string }) => m.id === id);
    expect(row).toMatchObject({
      status: 'error',
      ackCode: 'AE',
      messageType: 'ADT',
      triggerEvent: 'A01',
      organizationId: hospital.id,
      error: expect.stringMatching(/No patient with NHS number/),
    });
    expect(row.raw).toBeUndefined();
    const one = await api('GET', `/api/hl7v2/messages/${id}`);
    expect(one.body.raw).toBe(message);

    const patient = await seedPatient(t.platform.resources, nhsNumber, '1970-01-01');
    const retried = await api('POST', `/api/hl7v2/messages/${id}/$retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({
      status: 'accepted',
      ackCode: 'AA',
      error: null,
      patientId: patient.id,
      attempts: 2,
      retriedBy: { kind: 'system', clientId: 'careweave-tests' },
    });
    const [ref] = retried.body.resources as string[];
    const encounter = await t.fhir('GET', ref!);
    expect(encounter.body).toMatchObject({ status: 'in-progress', subject: { reference: `Patient/${patient.id}` } });
    // The sender, resending, now hears AA; nothing is written twice.
    expect(readAck(await client.send(message)).code).toBe('AA');
    expect((await t.fhir('GET', `Encounter?subject=Patient/${patient.id}&_summary=count`)).body.total).toBe(1);
    // A message already applied is not retried.
    expect((await api('POST', `/api/hl7v2/messages/${id}/$retry`)).status).toBe(409);
  });

  test('a retry that still fails stays on the worklist with the new attempt counted', async () => {
    const { id } = await unknownPatientMessage();
    const retried = await api('POST', `/api/hl7v2/messages/${id}/$retry`);
    expect(retried.body).toMatchObject({ status: 'error', attempts: 2 });
  });

  test('a message from an unknown facility is on the worklist for systems; once the facility is added, a retry applies it', async () => {
    const { id, nhsNumber } = await unknownPatientMessage('NEW01');
    const rejected = await api('GET', `/api/hl7v2/messages/${id}`);
    expect(rejected.body).toMatchObject({ status: 'rejected', ackCode: 'AR', organizationId: null });
    await seedOrganisation(t.platform.resources, 'NEW01');
    await seedPatient(t.platform.resources, nhsNumber, '1970-01-01');
    expect((await api('POST', `/api/hl7v2/messages/${id}/$retry`)).body).toMatchObject({ status: 'accepted' });
  });

  test.each([
    ['status=maybe', 400],
    ['_count=0', 400],
    ['before=x', 400],
    ['status=accepted,duplicate&_count=2', 200],
  ])('GET ?%s is %i', async (query, status) => {
    expect((await api('GET', `/api/hl7v2/messages?${query}`)).status).toBe(status);
  });

  test('listing and reading the worklist is audited', async () => {
    await api('GET', '/api/hl7v2/messages?status=error');
    const rows = await t.platform.db.query<{ query: string }>(
      `select query from audit_log where query like 'hl7v2/messages%' order by seq desc limit 1`,
    );
    expect(rows[0]!.query).toBe('hl7v2/messages?status=error');
  });
});

describe('who may see the worklist', () => {
  test("integration staff see their own organisation's feed only, and may retry it", async () => {
    const { id, nhsNumber } = await unknownPatientMessage();
    const users = actorClient(t);
    const admin = await users.tokenFor(staff('hl7-admin', hospital, 'R8008'));
    const records = await users.tokenFor(staff('hl7-records', hospital, 'R8013'));
    const clinician = await users.tokenFor(staff('hl7-doctor', hospital, 'R8000'));
    const otherAdmin = await users.tokenFor(staff('hl7-wigan', elsewhere, 'R8008'));

    const mine = await api('GET', '/api/hl7v2/messages', admin);
    expect(mine.status).toBe(200);
    expect(mine.body.messages.length).toBeGreaterThan(0);
    expect(mine.body.messages.every((m: { organizationId: string }) => m.organizationId === hospital.id)).toBe(true);
    expect((await api('GET', `/api/hl7v2/messages/${id}`, records)).status).toBe(200);

    expect((await api('GET', '/api/hl7v2/messages', clinician)).status).toBe(403);
    const theirs = await api('GET', '/api/hl7v2/messages', otherAdmin);
    expect(theirs.body.messages.some((m: { id: string }) => m.id === id)).toBe(false);
    expect((await api('GET', `/api/hl7v2/messages/${id}`, otherAdmin)).status).toBe(404);
    expect((await api('POST', `/api/hl7v2/messages/${id}/$retry`, otherAdmin)).status).toBe(404);

    await seedPatient(t.platform.resources, nhsNumber, '1970-01-01');
    const retried = await api('POST', `/api/hl7v2/messages/${id}/$retry`, admin);
    expect(retried.body).toMatchObject({ status: 'accepted', retriedBy: { kind: 'staff', role: 'R8008' } });
  });

  test('patients, research clients and anonymous callers are refused', async () => {
    const patient = await actorClient(t).tokenFor({
      kind: 'patient',
      userId: 'user-hl7-patient',
      patientId: 'nobody',
      scopes: [],
    });
    expect((await api('GET', '/api/hl7v2/messages', patient)).status).toBe(403);
    await t.platform.db.query(
      `insert into auth_client (client_id, description, metadata) values ('hl7-research', 'research', '{}'::jsonb)
       on conflict do nothing`,
    );
    const research = await mintToken(t.platform, {
      sub: 'hl7-research',
      client_id: 'hl7-research',
      scope: 'system/*.rs',
      actor: 'system',
      purpose: 'research',
    });
    expect((await api('GET', '/api/hl7v2/messages', research)).status).toBe(403);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/hl7v2/messages', headers: { authorization: '' } });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the listener', () => {
  test('is off when CAREWEAVE_MLLP_PORT is unset', async () => {
    const quiet = await createTestApp();
    try {
      await quiet.app.ready();
      expect(quiet.app.modules.use('hl7v2').listener).toBeUndefined();
    } finally {
      await quiet.close();
    }
  });

  test('closing answers the message in hand, then refuses connections', async () => {
    let release: () => void = () => undefined;
    let slow: ReturnType<typeof createHl7v2Services> | undefined;
    const started = new Promise<void>((resolveStarted) => {
      const registry = new Hl7HandlerRegistry();
      registry.register('ZZZ', {
        events: ['Z01'],
        handle: async () => {
          resolveStarted();
          await new Promise<void>((resolve) => (release = resolve));
          return { resources: [] };
        },
      });
      slow = createHl7v2Services({ ...t.platform, audit: t.platform.access.audit }, { registry });
    });
    const listener = slow!.listener!;
    const { port } = await listener.start();
    const sender = await MllpClient.connect(port);
    const message = adt({ event: 'A01', controlId: 'slow-1', nhsNumber: testNhsNumber(1) })
      .replace('ADT^A01^ADT_A01', 'ZZZ^Z01')
      .replace(/\rPV1.*$/, '');
    const ack = sender.send(message);
    await started;
    const closing = listener.close();
    release();
    expect(readAck(await ack)).toMatchObject({ code: 'AA', controlId: 'slow-1' });
    await closing;
    await expect(MllpClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    await sender.close();
  });
});
