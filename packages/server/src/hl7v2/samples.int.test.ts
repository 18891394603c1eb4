/**
 * Every ADT sample in ../shared/data/hl7v2 through a real TCP connection to the listener the app
 * starts (CAREWEAVE_MLLP_PORT=0), once as published and once with an NHS number added.
 */
import { Hl7Message } from '@medplum/core';
import type { Encounter } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { ADT_EVENTS } from './adt-encounter.ts';
import { parseHl7, read } from './message.ts';
import {
  sample,
  sampleNames,
  seedOrganisation,
  seedPatient,
  testNhsNumber,
  withFields,
  withNhsNumber,
} from './testing/fixtures.ts';
import { MllpClient, readAck } from './testing/mllp-client.ts';

let t: TestApp;
let client: MllpClient;

const SUPPORTED = new Set<string>(ADT_EVENTS);
const NAMES = sampleNames('ADT');

function header(text: string): { facility: string; controlId: string; event: string; processing: string } {
  const parsed = parseHl7(text);
  const h = parsed.header;
  return {
    facility: h.facilityCode ?? '',
    controlId: h.controlId ?? '',
    event: h.triggerEvent ?? '',
    processing: h.processingId ?? '',
  };
}

beforeAll(async () => {
  t = await createTestApp({ CAREWEAVE_MLLP_PORT: '0' });
  await t.app.ready();
  const facilities = new Set(NAMES.map((name) => header(sample(name)).facility).filter(Boolean));
  for (const facility of facilities) {
    await seedOrganisation(t.platform.resources, facility);
  }
  client = await MllpClient.connect(t.app.modules.use('hl7v2').listener!.address()!.port);
});

afterAll(async () => {
  await client?.close();
  await t?.close();
});

describe('the ADT samples as published', () => {
  test(`${NAMES.length} samples: each ACK echoes MSH-10; AE (no NHS number) or AR (unsupported event), a repeat the first ACK`, async () => {
    const first = new Map<string, string>();
    const outcomes: Record<string, string> = {};
    for (const name of NAMES) {
      const text = sample(name);
      const { facility, controlId, event } = header(text);
      const ack = await client.send(text);
      const { code, controlId: echoed, text: reason } = readAck(ack);
      expect(echoed, name).toBe(controlId);
      const key = `${facility}|${controlId}`;
      const earlier = first.get(key);
      if (earlier) {
        expect(ack, `${name} repeats ${key}`).toBe(earlier);
      } else {
        first.set(key, ack);
        expect(code, `${name}: ${reason}`).toBe(SUPPORTED.has(event) ? 'AE' : 'AR');
        expect(reason, name).toMatch(SUPPORTED.has(event) ? /no NHS number/ : /is not handled here/);
      }
      outcomes[name] = code;
    }
    // Nothing was written: no sample names a patient by NHS number.
    const encounters = await t.fhir('GET', 'Encounter?_summary=count');
    expect(encounters.body.total).toBe(0);
    const rows = await t.platform.db.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from hl7_message group by status order by status',
    );
    expect(rows.reduce((sum, r) => sum + r.n, 0)).toBe(NAMES.length);
    expect(rows.map((r) => r.status)).toEqual(['duplicate', 'error', 'rejected']);
    expect(Object.keys(outcomes)).toHaveLength(NAMES.length);
  });
});

describe('the ADT samples with an NHS number of a registered patient', () => {
  test('each supported event is applied (AA); cancellations after the event they cancel', async () => {
    let n = 0;
    for (const name of NAMES) {
      const published = sample(name);
      const { event, controlId } = header(published);
      if (!SUPPORTED.has(event)) {
        continue;
      }
      n++;
      const nhsNumber = testNhsNumber(n);
      const pid = Hl7Message.parse(published.replace(/^\uFEFF/, '')).getSegment('PID');
      const born = read(pid, 7).slice(0, 8);
      await seedPatient(
        t.platform.resources,
        nhsNumber,
        born.length === 8 ? `${born.slice(0, 4)}-${born.slice(4, 6)}-${born.slice(6)}` : undefined,
      );
      const visit = `VISIT-${n}`;
      const adapt = (text: string, id: string, ...more: [string, number, string][]): string =>
        withFields(withNhsNumber(text, nhsNumber), ['MSH', 10, id], ['PV1', 19, visit], ...more);
      // What a cancellation cancels comes first, from the same facility.
      const before: string[] = [];
      if (event === 'A11' || event === 'A12' || event === 'A13') {
        before.push(adapt(published, `${controlId}-${n}-a01`, ['MSH', 9, 'ADT^A01^ADT_A01']));
      }
      if (event === 'A12') {
        before.push(
          adapt(published, `${controlId}-${n}-a02`, ['MSH', 9, 'ADT^A02^ADT_A02'], ['PV1', 3, 'ELSEWHERE^1^1']),
        );
      }
      if (event === 'A13') {
        before.push(adapt(published, `${controlId}-${n}-a03`, ['MSH', 9, 'ADT^A03^ADT_A03']));
      }
      for (const text of before) {
        expect(readAck(await client.send(text)), `${name} (before)`).toMatchObject({ code: 'AA' });
      }
      const adapted = adapt(published, `${controlId}-${n}`);
      const ack = readAck(await client.send(adapted));
      expect(ack, name).toEqual({ code: 'AA', controlId: `${controlId}-${n}`, text: '' });
      const found = await t.fhir('GET', `Encounter?identifier=${encodeURIComponent(visit)}`);
      expect(found.body.total ?? found.body.entry?.length, name).toBe(1);
      const encounter = found.body.entry[0].resource as Encounter;
      const expected: Record<string, Encounter['status']> = {
        A01: 'in-progress',
        A02: 'in-progress',
        A03: 'finished',
        A04: 'arrived',
        A05: 'planned',
        A11: 'entered-in-error',
        A12: 'in-progress',
        A13: 'in-progress',
      };
      if (event !== 'A08') {
        expect(encounter.status, name).toBe(expected[event]);
      }
    }
    expect(n).toBeGreaterThanOrEqual(20);
  });
});
