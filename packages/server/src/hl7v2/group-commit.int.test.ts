/**
 * Group commit over MLLP: senders that do not wait for each ACK, on several connections at once. Each
 * message is still kept, de-duplicated, applied in its patient's order and answered in its
 * connection's order; one bad message does not cost the others their writes.
 */
import type { Encounter } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { visitNumberSystem } from './adt.ts';
import { adt, seedOrganisation, seedPatient, testNhsNumber } from './testing/fixtures.ts';
import { MllpClient, readAck } from './testing/mllp-client.ts';

const FACILITY = 'RGC01';
let t: TestApp;
let port: number;
const nhsNumbers: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ CAREWEAVE_MLLP_PORT: '0' });
  await t.app.ready();
  port = t.app.modules.use('hl7v2').listener!.address()!.port;
  await seedOrganisation(t.platform.resources, FACILITY, 'Group commit hospital');
  for (let i = 0; i < 3; i++) {
    nhsNumbers.push(testNhsNumber(500 + i, 11));
    await seedPatient(t.platform.resources, nhsNumbers[i]!, '1970-01-01');
  }
});

afterAll(async () => {
  await t?.close();
});

async function encounters(visit: string): Promise<Encounter[]> {
  const system = visitNumberSystem(FACILITY);
  const found = await t.fhir('GET', `Encounter?identifier=${encodeURIComponent(`${system}|${visit}`)}`);
  return (found.body.entry ?? []).map((e: { resource: Encounter }) => e.resource);
}

/** A01, A08, A03 of one visit, as one sender would send them. */
function visitMessages(visit: string, nhsNumber: string): string[] {
  const base = { facility: FACILITY, nhsNumber, visit };
  return [
    adt({ ...base, event: 'A01', controlId: `${visit}-A01` }),
    adt({ ...base, event: 'A08', controlId: `${visit}-A08`, location: 'WARD7^BAY1^BED4' }),
    adt({
      ...base,
      event: 'A03',
      controlId: `${visit}-A03`,
      discharged: '20250305143000',
      eventTime: '20250305143000',
    }),
  ];
}

test('windowed senders on several connections: every visit admitted, updated and discharged in order', async () => {
  const clients = await Promise.all([0, 1, 2].map(() => MllpClient.connect(port)));
  try {
    const sent = clients.map((client, c) => {
      // Two visits per connection, interleaved; one patient's visits spread over every connection.
      const messages = [0, 1].flatMap((v) => visitMessages(`gc-${c}-${v}`, nhsNumbers[(c + v) % 3]!));
      return Promise.all(messages.map((message) => client.send(message)));
    });
    const acks = (await Promise.all(sent)).map((list) => list.map((ack) => readAck(ack)));
    for (const [c, list] of acks.entries()) {
      // Answered in the order sent on the connection.
      expect(list.map((ack) => ack.controlId)).toEqual(
        [0, 1].flatMap((v) => ['A01', 'A08', 'A03'].map((event) => `gc-${c}-${v}-${event}`)),
      );
      expect(list.every((ack) => ack.code === 'AA')).toBe(true);
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  for (const c of [0, 1, 2]) {
    for (const v of [0, 1]) {
      const found = await encounters(`gc-${c}-${v}`);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ status: 'finished', meta: { versionId: '3' } });
    }
  }
});

test('in one window: a repeat gets the first ACK, and a message that fails changes nothing of the others', async () => {
  const client = await MllpClient.connect(port);
  try {
    const [admit, update, discharge] = visitMessages('gc-mixed', nhsNumbers[0]!);
    const unknown = adt({
      facility: FACILITY,
      event: 'A01',
      controlId: 'gc-mixed-unknown',
      nhsNumber: testNhsNumber(999, 11),
      visit: 'gc-unknown',
    });
    const acks = await Promise.all(
      [admit!, unknown, admit!, update!, discharge!].map((message) => client.send(message)),
    );
    expect(acks.map((ack) => readAck(ack).code)).toEqual(['AA', 'AE', 'AA', 'AA', 'AA']);
    expect(acks[2]).toBe(acks[0]);
  } finally {
    await client.close();
  }
  const rows = await t.platform.db.query<{ control_id: string; status: string }>(
    // The two lanes (by NHS number) commit in either order: compare the rows, not their order.
    `select control_id, status from hl7_message where control_id like 'gc-mixed%' order by control_id, status`,
  );
  expect(rows.map((row) => [row.control_id, row.status])).toEqual([
    ['gc-mixed-A01', 'accepted'],
    ['gc-mixed-A01', 'duplicate'],
    ['gc-mixed-A03', 'accepted'],
    ['gc-mixed-A08', 'accepted'],
    ['gc-mixed-unknown', 'error'],
  ]);
  const [encounter] = await encounters('gc-mixed');
  expect(encounter).toMatchObject({ status: 'finished', meta: { versionId: '3' } });
  expect(await encounters('gc-unknown')).toHaveLength(0);
});
