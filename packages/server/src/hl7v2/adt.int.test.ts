/** ADT into the record over MLLP: the event rules, idempotency, labels, audit, and the attack angles. */
import type { Encounter, Organization, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { visitNumberSystem } from './adt.ts';
import { mllpFrame } from './mllp.ts';
import { adt, sample, seedOrganisation, seedPatient, testNhsNumber } from './testing/fixtures.ts';
import { MllpClient, readAck } from './testing/mllp-client.ts';

let t: TestApp;
let port: number;
let client: MllpClient;
let hospital: Organization;
let patient: Patient;
let nhsNumber: string;
let serial = 1000;
const FEED = 'HL7 feed from RVY01';

/** A fresh visit number and control id per test, so tests do not share visits. */
const next = (): string => String(serial++);

async function encounterOf(visit: string, facility = 'RVY01'): Promise<Encounter[]> {
  const system = visitNumberSystem(facility);
  const found = await t.fhir('GET', `Encounter?identifier=${encodeURIComponent(`${system}|${visit}`)}`);
  return (found.body.entry ?? []).map((e: { resource: Encounter }) => e.resource);
}

async function send(text: string): Promise<ReturnType<typeof readAck>> {
  return readAck(await client.send(text));
}

beforeAll(async () => {
  t = await createTestApp({ CAREWEAVE_MLLP_PORT: '0', CAREWEAVE_MLLP_MAX_MESSAGE_BYTES: '65536' });
  await t.app.ready();
  port = t.app.modules.use('hl7v2').listener!.address()!.port;
  hospital = await seedOrganisation(t.platform.resources, 'RVY01', 'Ormskirk Hospital');
  nhsNumber = testNhsNumber(1);
  patient = await seedPatient(t.platform.resources, nhsNumber, '1970-01-01');
  client = await MllpClient.connect(port);
});

afterAll(async () => {
  await client?.close();
  await t?.close();
});

describe('events', () => {
  test('A01 then A03: one Encounter, admitted then discharged, from the hospital as source', async () => {
    const visit = next();
    expect(await send(adt({ event: 'A01', controlId: `a01-${visit}`, nhsNumber, visit }))).toEqual({
      code: 'AA',
      controlId: `a01-${visit}`,
      text: '',
    });
    const [admitted] = await encounterOf(visit);
    expect(admitted).toMatchObject({
      status: 'in-progress',
      class: { code: 'IMP' },
      subject: { reference: `Patient/${patient.id}` },
      serviceProvider: { reference: `Organization/${hospital.id}` },
      period: { start: '2025-03-01T10:00:00+00:00' },
      location: [{ location: { display: 'WARD4, BAY2, BED1' }, status: 'active' }],
      meta: { source: `${t.fhirBase}/Organization/${hospital.id}` },
    });
    const discharge = adt({
      event: 'A03',
      controlId: `a03-${visit}`,
      nhsNumber,
      visit,
      discharged: '20250305143000',
      eventTime: '20250305143000',
    });
    expect((await send(discharge)).code).toBe('AA');
    const encounters = await encounterOf(visit);
    expect(encounters).toHaveLength(1);
    expect(encounters[0]).toMatchObject({
      id: admitted!.id,
      status: 'finished',
      period: { start: '2025-03-01T10:00:00+00:00', end: '2025-03-05T14:30:00+00:00' },
      meta: { versionId: '2' },
    });
    // Both messages kept, with what they wrote.
    const rows = await t.platform.db.query<{ status: string; ack_code: string; resource_refs: string[] }>(
      `select status, ack_code, resource_refs from hl7_message where control_id = any($1::text[]) order by id`,
      [[`a01-${visit}`, `a03-${visit}`]],
    );
    expect(rows).toEqual([
      { status: 'accepted', ack_code: 'AA', resource_refs: [`Encounter/${admitted!.id}`] },
      { status: 'accepted', ack_code: 'AA', resource_refs: [`Encounter/${admitted!.id}`] },
    ]);
  });

  test('the audit trail names the feed: its searches and its writes, as HL7 feed from <facility>', async () => {
    const visit = next();
    await send(adt({ event: 'A01', controlId: `audit-${visit}`, nhsNumber, visit }));
    const [encounter] = await encounterOf(visit);
    const rows = await t.platform.db.query<{
      actor: { kind: string; clientId: string };
      interaction: string;
      query: string | null;
      purpose: string;
    }>(
      `select actor, interaction, query, purpose from audit_log
        where actor->>'clientId' = $1 and ($2 = any(resource_refs) or query like '%' || $3 || '%') order by seq`,
      [FEED, `Encounter/${encounter!.id}`, visit],
    );
    expect(rows.map((r) => r.interaction)).toEqual(['search', 'create']);
    expect(rows[0]!.actor).toEqual({ kind: 'system', clientId: FEED });
    expect(rows.every((r) => r.purpose === 'integration')).toBe(true);
    const write = await t.platform.db.query<{ patient_ids: string[] }>(
      `select patient_ids from audit_log where actor->>'clientId' = $1 and interaction = 'create' and $2 = any(resource_refs)`,
      [FEED, `Encounter/${encounter!.id}`],
    );
    expect(write[0]!.patient_ids).toEqual([patient.id]);
  });

  test('A02 transfers, A12 cancels the transfer, A08 corrects, A11 cancels the admission', async () => {
    const visit = next();
    const base = { nhsNumber, visit };
    expect((await send(adt({ ...base, event: 'A01', controlId: `1-${visit}` }))).code).toBe('AA');
    const transfer = adt({
      ...base,
      event: 'A02',
      controlId: `2-${visit}`,
      location: 'WARD7^^',
      eventTime: '20250302090000',
    });
    expect((await send(transfer)).code).toBe('AA');
    let [encounter] = await encounterOf(visit);
    expect(encounter!.location!.map((l) => [l.location.display, l.status])).toEqual([
      ['WARD4, BAY2, BED1', 'completed'],
      ['WARD7', 'active'],
    ]);
    expect((await send(adt({ ...base, event: 'A12', controlId: `3-${visit}` }))).code).toBe('AA');
    [encounter] = await encounterOf(visit);
    expect(encounter!.location!.map((l) => [l.location.display, l.status])).toEqual([['WARD4, BAY2, BED1', 'active']]);
    const update = adt({ ...base, event: 'A08', controlId: `4-${visit}`, patientClass: 'E', location: 'AE^CUBICLE3' });
    expect((await send(update)).code).toBe('AA');
    [encounter] = await encounterOf(visit);
    expect(encounter).toMatchObject({ status: 'in-progress', class: { code: 'EMER' } });
    expect(encounter!.location!.map((l) => l.location.display)).toEqual(['AE, CUBICLE3']);
    expect((await send(adt({ ...base, event: 'A11', controlId: `5-${visit}` }))).code).toBe('AA');
    [encounter] = await encounterOf(visit);
    expect(encounter!.status).toBe('entered-in-error');
    // A cancelled visit takes nothing more.
    const late = await send(adt({ ...base, event: 'A08', controlId: `6-${visit}` }));
    expect(late).toMatchObject({ code: 'AE', text: expect.stringMatching(/was cancelled/) });
  });

  test('A13 cancels a discharge; an admission after a discharge is refused for a person to look at', async () => {
    const visit = next();
    const base = { nhsNumber, visit };
    await send(adt({ ...base, event: 'A01', controlId: `1-${visit}` }));
    await send(adt({ ...base, event: 'A03', controlId: `2-${visit}`, discharged: '20250302100000' }));
    const again = await send(adt({ ...base, event: 'A01', controlId: `3-${visit}` }));
    expect(again).toMatchObject({ code: 'AE', text: expect.stringMatching(/discharged/) });
    expect((await send(adt({ ...base, event: 'A13', controlId: `4-${visit}` }))).code).toBe('AA');
    const [encounter] = await encounterOf(visit);
    expect(encounter!.status).toBe('in-progress');
    expect(encounter!.period?.end).toBeUndefined();
  });
});

describe('idempotency', () => {
  test('a repeated control id gets the same ACK again and changes nothing', async () => {
    const visit = next();
    const message = adt({ event: 'A01', controlId: `dup-${visit}`, nhsNumber, visit });
    const first = await client.send(message);
    const second = await client.send(message);
    expect(second).toBe(first);
    const encounters = await encounterOf(visit);
    expect(encounters).toHaveLength(1);
    expect(encounters[0]!.meta?.versionId).toBe('1');
    const rows = await t.platform.db.query<{ status: string; duplicate_of: string | null }>(
      `select status, duplicate_of::text from hl7_message where control_id = $1 order by id`,
      [`dup-${visit}`],
    );
    expect(rows.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
  });

  test('the same message on two connections at once: one original, one duplicate, one Encounter', async () => {
    const visit = next();
    const message = adt({ event: 'A01', controlId: `race-${visit}`, nhsNumber, visit });
    const other = await MllpClient.connect(port);
    const [a, b] = await Promise.all([client.send(message), other.send(message)]);
    await other.close();
    expect(a).toBe(b);
    expect(await encounterOf(visit)).toHaveLength(1);
  });

  test('events of one visit on several connections at once still make one Encounter', async () => {
    const visit = next();
    const clients = await Promise.all([0, 1, 2, 3].map(() => MllpClient.connect(port)));
    const acks = await Promise.all(
      clients.map((c, i) =>
        c.send(adt({ event: i ? 'A08' : 'A01', controlId: `par-${visit}-${i}`, nhsNumber, visit })),
      ),
    );
    await Promise.all(clients.map((c) => c.close()));
    expect(acks.map((ack) => readAck(ack).code)).toEqual(['AA', 'AA', 'AA', 'AA']);
    const encounters = await encounterOf(visit);
    expect(encounters).toHaveLength(1);
    expect(encounters[0]!.meta?.versionId).toBe('4');
  });
});

describe('refusals', () => {
  test('an unknown patient is AE with the reason, and nothing is written', async () => {
    const visit = next();
    const ack = await send(adt({ event: 'A01', controlId: `unk-${visit}`, nhsNumber: testNhsNumber(999), visit }));
    expect(ack).toMatchObject({
      code: 'AE',
      controlId: `unk-${visit}`,
      text: expect.stringMatching(/No patient with NHS number/),
    });
    expect(await encounterOf(visit)).toHaveLength(0);
    // The feed's search stays in the audit trail although the message's writes were undone.
    const searched = await t.platform.db.query<{ query: string }>(
      `select query from audit_log where actor->>'clientId' = $1 and interaction = 'search' and query like $2`,
      [FEED, `Patient?%${testNhsNumber(999)}%`],
    );
    expect(searched).toHaveLength(1);
  });

  test.each([
    ['not an NHS number (Modulus 11)', '9434765918', /not a valid NHS number/],
    ['a date of birth that does not match', undefined, /date of birth does not match/],
  ])('AE for %s', async (_name, number, reason) => {
    const visit = next();
    const ack = await send(
      adt({ event: 'A01', controlId: `bad-${visit}`, nhsNumber: number ?? nhsNumber, visit, born: '19800505' }),
    );
    expect(ack).toMatchObject({ code: 'AE', text: expect.stringMatching(reason) });
    expect(await encounterOf(visit)).toHaveLength(0);
  });

  test('an ADT without its PV1 segment is AR, kept as rejected', async () => {
    const visit = next();
    const message = adt({ event: 'A01', controlId: `nopv1-${visit}`, nhsNumber, visit }).replace(/\rPV1.*$/, '');
    expect(await send(message)).toMatchObject({ code: 'AR', text: 'The PV1 segment is missing' });
    const [row] = await t.platform.db.query<{ status: string }>(
      `select status from hl7_message where control_id = $1`,
      [`nopv1-${visit}`],
    );
    expect(row!.status).toBe('rejected');
  });

  test('garbage is AR', async () => {
    expect(await send('this is not HL7')).toEqual({ code: 'AR', controlId: '', text: expect.stringMatching(/MSH/) });
  });

  test('an unsupported message type is AR 200, echoing the control id', async () => {
    const oru = sample('ORU-R01-01.hl7');
    const ack = await client.send(oru);
    expect(readAck(ack)).toMatchObject({ code: 'AR', controlId: '2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325' });
    expect(ack).toContain('200^Unsupported message type^HL70357');
  });

  test('an unsupported version is AR 203', async () => {
    const message = adt({ event: 'A01', controlId: `v22-${next()}`, nhsNumber }).replace('|2.5.1', '|2.2');
    expect(await client.send(message)).toContain('MSH^1^12^203&Unsupported version id');
  });

  test('a message from an unknown facility is refused (AR) and writes nothing', async () => {
    const visit = next();
    const ack = await send(adt({ event: 'A01', controlId: `fac-${visit}`, nhsNumber, visit, facility: 'EVIL1' }));
    expect(ack).toMatchObject({ code: 'AR', text: expect.stringMatching(/EVIL1' is not a known organisation/) });
    expect(await encounterOf(visit, 'EVIL1')).toHaveLength(0);
    const [row] = await t.platform.db.query<{ status: string; organization_id: string | null }>(
      `select status, organization_id from hl7_message where control_id = $1`,
      [`fac-${visit}`],
    );
    expect(row).toEqual({ status: 'rejected', organization_id: null });
  });
});

describe('attack angles', () => {
  test('naming a patient by NHS number reads nothing else: the ACK carries no patient data', async () => {
    const visit = next();
    const ack = await client.send(adt({ event: 'A01', controlId: `leak-${visit}`, nhsNumber, visit }));
    expect(ack).not.toContain(patient.id!);
    expect(ack).not.toContain('Hl7');
    expect(ack.split('\r').map((s) => s.slice(0, 3))).toEqual(['MSH', 'MSA']);
    // The feed only searched the patient by NHS number and its own visit, and wrote the Encounter.
    const rows = await t.platform.db.query<{ interaction: string; query: string | null }>(
      `select interaction, query from audit_log where actor->>'clientId' = $1 and recorded_at > now() - interval '1 minute'
         and (query like '%' || $2 || '%' or query like 'Patient?%')`,
      [FEED, visit],
    );
    const searches = rows.filter((r) => r.interaction === 'search').map((r) => r.query!.split('?')[0]);
    expect(new Set(searches)).toEqual(new Set(['Patient', 'Encounter']));
  });

  test("a visit number of another patient's visit does not move that visit", async () => {
    const visit = next();
    await send(adt({ event: 'A01', controlId: `own-${visit}`, nhsNumber, visit }));
    const otherNumber = testNhsNumber(2);
    await seedPatient(t.platform.resources, otherNumber, '1970-01-01');
    const ack = await send(adt({ event: 'A08', controlId: `steal-${visit}`, nhsNumber: otherNumber, visit }));
    expect(ack).toMatchObject({ code: 'AE', text: expect.stringMatching(/belongs to a different patient/) });
    const [encounter] = await encounterOf(visit);
    expect(encounter!.subject?.reference).toBe(`Patient/${patient.id}`);
    expect(encounter!.meta?.versionId).toBe('1');
  });

  test("one facility cannot change another facility's visits", async () => {
    const visit = next();
    await seedOrganisation(t.platform.resources, 'RRF01', 'Wigan');
    await send(adt({ event: 'A01', controlId: `home-${visit}`, nhsNumber, visit }));
    const ack = await send(adt({ event: 'A03', controlId: `away-${visit}`, nhsNumber, visit, facility: 'RRF01' }));
    expect(ack.code).toBe('AA');
    const [ours] = await encounterOf(visit);
    const [theirs] = await encounterOf(visit, 'RRF01');
    expect(ours!.status).toBe('in-progress');
    expect(theirs!.id).not.toBe(ours!.id);
  });
});

describe('framing over TCP', () => {
  test('two messages in one write get two ACKs, in order', async () => {
    const [a, b] = [next(), next()];
    const acks = [client.nextAck(), client.nextAck()];
    client.write(
      Buffer.concat([
        mllpFrame(adt({ event: 'A01', controlId: `one-${a}`, nhsNumber, visit: a })),
        mllpFrame(adt({ event: 'A01', controlId: `two-${b}`, nhsNumber, visit: b })),
      ]),
    );
    expect((await Promise.all(acks)).map((ack) => readAck(ack).controlId)).toEqual([`one-${a}`, `two-${b}`]);
  });

  test('a message sent a few bytes at a time', async () => {
    const visit = next();
    const frame = mllpFrame(adt({ event: 'A01', controlId: `drip-${visit}`, nhsNumber, visit }));
    const ack = client.nextAck();
    for (let i = 0; i < frame.length; i += 7) {
      client.write(frame.subarray(i, i + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(readAck(await ack)).toMatchObject({ code: 'AA', controlId: `drip-${visit}` });
  });

  test('a message over the limit is refused with AR, its head kept, and the connection goes on', async () => {
    const visit = next();
    const big = `${adt({ event: 'A01', controlId: `big-${visit}`, nhsNumber, visit })}\rNTE|1||${'x'.repeat(70_000)}`;
    const ack = await send(big);
    expect(ack).toMatchObject({ code: 'AR', controlId: `big-${visit}`, text: expect.stringMatching(/limit is 65536/) });
    const [row] = await t.platform.db.query<{ status: string; raw_bytes: number; raw: string }>(
      `select status, raw_bytes, raw from hl7_message where raw like $1`,
      [`%big-${visit}%`],
    );
    expect(row!.status).toBe('rejected');
    expect(row!.raw_bytes).toBe(Buffer.byteLength(big));
    expect(row!.raw.length).toBeLessThan(5000);
    expect(await encounterOf(visit)).toHaveLength(0);
    const after = next();
    expect((await send(adt({ event: 'A01', controlId: `after-${after}`, nhsNumber, visit: after }))).code).toBe('AA');
  });
});
