import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeedPopulation } from '../seed/load.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { CHANNEL_SYSTEM, generateSlots, seedDemoSlots } from './slots.ts';
import { registerWebApp } from '../http/web-app.ts';

let t: TestApp;
const from = new Date(Date.now() + 86_400_000);

beforeAll(async () => {
  t = await createTestApp();
  await loadSeedPopulation(t.platform.resources, { patients: 40, seed: 1 });
  await seedDemoSlots(t.platform.resources, { seed: 1, from, weeks: 1 });
});
afterAll(async () => t.close());

const fhir = (method: 'GET' | 'POST', path: string, body?: unknown) => t.fhir(method, path, body);

const parameters = (...parameter: object[]) => ({ resourceType: 'Parameters', parameter });
const slotParam = (id: string) => ({ name: 'slot', valueReference: { reference: `Slot/${id}` } });
const patientParam = (id: string) => ({ name: 'patient', valueReference: { reference: `Patient/${id}` } });

async function freeSlot(): Promise<string> {
  const res = await fhir('GET', `Slot?status=free&start=ge${new Date().toISOString()}&_count=50`);
  const ids: string[] = res.body.entry.map((e: any) => e.resource.id);
  return ids[Math.floor(Math.random() * ids.length)]!;
}

describe('generateSlots', () => {
  it('is deterministic and publishes weekday slots for every practice', () => {
    const a = generateSlots({ seed: 1, from: new Date('2026-11-02'), weeks: 4 });
    const b = generateSlots({ seed: 1, from: new Date('2026-11-02'), weeks: 4 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const schedules = a.filter((r) => r.resourceType === 'Schedule');
    expect(schedules.length).toBe(42); // 21 practices × (GP + nurse)
    const slots = a.filter((r) => r.resourceType === 'Slot') as any[];
    expect(slots.length).toBe(21 * 20 * (10 + 7));
    expect(new Set(slots.map((s) => new Date(s.start).getUTCDay()))).not.toContain(0);
    // 08:30 in November is GMT; in July it is BST (07:30 UTC).
    expect(slots[0].start).toBe('2026-11-02T08:30:00.000Z');
    const summer = generateSlots({ seed: 1, from: new Date('2026-07-06'), weeks: 1 }) as any[];
    expect(summer.find((r) => r.resourceType === 'Slot').start).toBe('2026-07-06T07:30:00.000Z');
    expect(slots.filter((s) => s.status === 'busy').length).toBeGreaterThan(0);
    // Each slot says how it is held: the GP's first and last times by telephone, the nurse's face to face.
    const channel = (s: any) =>
      s.serviceType.flatMap((c: any) => c.coding).find((c: any) => c.system === CHANNEL_SYSTEM);
    expect(channel(slots[0])).toMatchObject({ code: 'telephone' });
    expect(new Set(slots.filter((s) => s.id.includes('-gp-')).map((s) => channel(s).code))).toEqual(
      new Set(['telephone', 'face-to-face']),
    );
    expect(new Set(slots.filter((s) => s.id.includes('-nurse-')).map((s) => channel(s).code))).toEqual(
      new Set(['face-to-face']),
    );
  });

  it('seeds once: a second call keeps bookings', async () => {
    expect(await seedDemoSlots(t.platform.resources, { seed: 1, from, weeks: 1 })).toBe(0);
  });
});

describe('Appointment/$book and $cancel', () => {
  it('books a free slot, marks it busy and cancels it again', async () => {
    const slot = await freeSlot();
    const booked = await fhir('POST', 'Appointment/$book', parameters(slotParam(slot), patientParam('pat-000001')));
    expect(booked.status).toBe(201);
    expect(booked.body.status).toBe('booked');
    expect(booked.body.slot[0].reference).toBe(`Slot/${slot}`);
    expect(booked.body.participant[0].actor.reference).toBe('Patient/pat-000001');
    expect(booked.body.meta.source).toMatch(/Organization\/org-p/);
    expect((await fhir('GET', `Slot/${slot}`)).body.status).toBe('busy');
    // How the appointment is held (phone or face to face) comes with the slot.
    expect(booked.body.serviceType.flatMap((c: any) => c.coding).map((c: any) => c.system)).toContain(CHANNEL_SYSTEM);

    const again = await fhir('POST', 'Appointment/$book', parameters(slotParam(slot), patientParam('pat-000002')));
    expect(again.status).toBe(409);
    expect(again.body.issue[0].diagnostics).toMatch(/no longer available/);

    const cancelled = await fhir('POST', `Appointment/${booked.body.id}/$cancel`, parameters());
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await fhir('GET', `Slot/${slot}`)).body.status).toBe('free');
    expect((await fhir('POST', `Appointment/${booked.body.id}/$cancel`, parameters())).status).toBe(409);
  });

  it('lets exactly one of many concurrent bookings of one slot succeed', async () => {
    const slot = await freeSlot();
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fhir('POST', 'Appointment/$book', parameters(slotParam(slot), patientParam(`pat-00000${i + 1}`))),
      ),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const appointments = await fhir('GET', `Appointment?slot=Slot/${slot}&status=booked`);
    expect(appointments.body.entry).toHaveLength(1);
  });

  it('explains bad input', async () => {
    expect((await fhir('POST', 'Appointment/$book', parameters(patientParam('pat-000001')))).status).toBe(400);
    const unknown = await fhir('POST', 'Appointment/$book', parameters(slotParam('nope'), patientParam('pat-000001')));
    expect(unknown.status).toBe(404);
    const notParameters = await fhir('POST', 'Appointment/$book', { resourceType: 'Patient' });
    expect(notParameters.status).toBe(400);
  });
});

describe('repeat prescriptions', () => {
  async function aRepeat(): Promise<any> {
    const res = await fhir('GET', 'MedicationRequest?intent=order&status=active&_count=200');
    return res.body.entry
      .map((e: any) => e.resource)
      .find((r: any) => r.courseOfTherapyType?.coding?.[0]?.code === 'continuous' && !r.basedOn);
  }

  it('orders a repeat once, and the practice approves it', async () => {
    const repeat = await aRepeat();
    const ordered = await fhir('POST', `MedicationRequest/${repeat.id}/$order-repeat`, parameters());
    expect(ordered.status).toBe(201);
    expect(ordered.body).toMatchObject({ intent: 'proposal', status: 'active', subject: repeat.subject });
    expect(ordered.body.basedOn[0].reference).toBe(`MedicationRequest/${repeat.id}`);
    expect(ordered.body.meta.source).toBe(repeat.meta.source);

    const twice = await fhir('POST', `MedicationRequest/${repeat.id}/$order-repeat`, parameters());
    expect(twice.status).toBe(409);

    const approved = await fhir('POST', `MedicationRequest/${ordered.body.id}/$approve`, parameters());
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({ intent: 'order', status: 'active' });
    expect(approved.body.basedOn[0].reference).toBe(`MedicationRequest/${ordered.body.id}`);
    expect((await fhir('GET', `MedicationRequest/${ordered.body.id}`)).body.status).toBe('completed');
    expect((await fhir('POST', `MedicationRequest/${ordered.body.id}/$approve`, parameters())).status).toBe(409);
  });

  it('rejects with a reason the patient can read', async () => {
    const repeat = await aRepeat();
    const ordered = await fhir('POST', `MedicationRequest/${repeat.id}/$order-repeat`, parameters());
    expect(ordered.status).toBe(201);
    expect((await fhir('POST', `MedicationRequest/${ordered.body.id}/$reject`, parameters())).status).toBe(400);
    const rejected = await fhir(
      'POST',
      `MedicationRequest/${ordered.body.id}/$reject`,
      parameters({ name: 'reason', valueString: 'Please book a medication review first' }),
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('cancelled');
    expect(rejected.body.statusReason.text).toBe('Please book a medication review first');
  });

  it('refuses to order something that is not a repeat', async () => {
    const res = await fhir('GET', 'MedicationRequest?status=completed&_count=1');
    const acute = res.body.entry[0].resource;
    expect((await fhir('POST', `MedicationRequest/${acute.id}/$order-repeat`, parameters())).status).toBe(422);
  });
});

describe('web app', () => {
  it('serves files, falls back to index.html for app paths and keeps API 404s', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>CareWeave</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'app-123.js'), 'console.log(1)');
    const app = Fastify();
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ resourceType: 'OperationOutcome' }));
    await registerWebApp(app, dist);
    const get = (url: string) => app.inject({ method: 'GET', url });
    expect((await get('/')).body).toContain('<title>CareWeave');
    const deep = await get('/patients/pat-000001?tab=timeline');
    expect(deep.statusCode).toBe(200);
    expect(deep.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await get('/assets/app-123.js')).headers['cache-control']).toContain('immutable');
    expect((await get('/assets/missing.js')).statusCode).toBe(404);
    expect((await get('/fhir/R4/Patient/x/y/z')).statusCode).toBe(404);
    expect((await get('/api/nothing')).statusCode).toBe(404);
    expect((await get('/../../etc/passwd')).body).not.toContain('root:');
    await app.close();
  });

  it('is registered in the platform app without disturbing the API', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient/pat-000001/extra/path' });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body).resourceType).toBe('OperationOutcome');
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
