/**
 * The directory search (docs/REFERRALS.md, "Directory"; H-192..H-195): services of a specialty with
 * waits from real free slots, distances from the patient's postcode and eligibility; free slots; the
 * `$find-services` operation and `/api/referrals/services`; a patient the caller may not see is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient, diagnostics } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { seedTestDirectory } from '../testing/directory-fixtures.ts';
import type { ReferralDirectory } from './index.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
let directory: ReferralDirectory;

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  await seedTestDirectory(t.platform.resources);
  client = actorClient(t);
  directory = t.app.modules.use('referrals').directory;
});
afterAll(async () => t?.close());

describe('search', () => {
  it('lists a specialty’s services with waits from free slots, distances and eligibility, best first', async () => {
    const options = await directory.search(ACTORS.gp, { specialty: 'msk', patientId: 'p1' });
    expect(options.map((o) => o.serviceId)).toEqual([
      'hs-ref-physio-skelmersdale',
      'hs-ref-physio-burscough',
      'hs-ref-msk-cats',
    ]);
    const [physio] = options;
    expect(physio).toMatchObject({
      name: 'Community physiotherapy, Skelmersdale',
      provider: { id: 'org-8wl01' },
      location: { id: 'loc-ref-skelmersdale', postcode: 'WN8 6NN' },
      directlyBookable: true,
      triage: false,
      eligible: true,
    });
    // The first free slot is on the first weekday on or after six days from now.
    expect(physio!.indicativeWaitDays).toBeGreaterThanOrEqual(6);
    expect(physio!.indicativeWaitDays).toBeLessThanOrEqual(8);
    // Ormskirk (L39 2) to Skelmersdale (WN8 6): about 7 km.
    expect(physio!.distanceKm).toBeGreaterThan(5);
    expect(physio!.distanceKm).toBeLessThan(10);
    expect(options.find((o) => o.serviceId === 'hs-ref-msk-cats')).toMatchObject({ triage: true });
  });

  it('moves the wait when the first free slot is booked', async () => {
    const [before] = await directory.search(ACTORS.gp, { specialty: 'msk', limit: 1 });
    const slots = await directory.freeSlots(ACTORS.gp, before!.serviceId, { limit: 100 });
    expect(slots[0]!.id).toBe(before!.firstFreeSlot!.id);
    // Book the whole first day.
    const firstDay = slots.filter((s) => s.start.slice(0, 10) === slots[0]!.start.slice(0, 10));
    for (const slot of firstDay) {
      await directory.book(ACTORS.gp, { slotId: slot.id!, patientId: 'p1' });
    }
    const [after] = await directory.search(ACTORS.gp, { specialty: 'msk', limit: 1 });
    expect(after!.firstFreeSlot!.start > before!.firstFreeSlot!.start).toBe(true);
    expect(after!.indicativeWaitDays).toBeGreaterThan(before!.indicativeWaitDays!);
  });

  it.each([
    ['a routine referral to a 2WW clinic', 'p1', 'routine', 'hs-ref-derm-2ww', /two-week wait/],
    [
      'a 2WW referral to a routine clinic',
      'p1',
      'two-week-wait',
      'hs-ref-derm-southport',
      /Does not take two-week-wait/,
    ],
    [
      'someone living outside the commissioned area',
      'p2',
      'routine',
      'hs-ref-derm-ras',
      /Not commissioned for where the patient lives/,
    ],
  ] as const)('marks %s ineligible, with why', async (_case, patientId, priority, serviceId, reason) => {
    const options = await directory.search(ACTORS.gp, { specialty: 'dermatology', patientId, priority });
    const option = options.find((o) => o.serviceId === serviceId);
    expect(option).toMatchObject({ eligible: false });
    expect(option!.ineligibleReason).toMatch(reason);
    // Eligible services come first.
    expect(options.findIndex((o) => !o.eligible)).toBeGreaterThanOrEqual(options.filter((o) => o.eligible).length);
  });

  it('filters by clinic type and refuses an unknown specialty or priority', async () => {
    const triage = await directory.search(ACTORS.gp, { specialty: 'dermatology', clinicType: 'referral-assessment' });
    expect(triage.map((o) => o.serviceId)).toEqual(['hs-ref-derm-ras']);
    await expect(directory.search(ACTORS.gp, { specialty: 'astrology' })).rejects.toMatchObject({ status: 400 });
    await expect(
      directory.search(ACTORS.gp, { specialty: 'msk', priority: 'whenever' as 'routine' }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('answers a patient the caller may not see as absent (404), and lets a patient search for themselves', async () => {
    await expect(directory.search(ACTORS.patient1, { specialty: 'msk', patientId: 'p2' })).rejects.toMatchObject({
      status: 404,
    });
    await expect(directory.search(ACTORS.patient1, { specialty: 'msk', patientId: 'nobody' })).rejects.toMatchObject({
      status: 404,
    });
    const own = await directory.search(ACTORS.patient1, { specialty: 'msk', patientId: 'p1' });
    expect(own.length).toBe(3);
  });
});

describe('the API', () => {
  it('offers $find-services as Parameters', async () => {
    const res = await client.as(ACTORS.gp, 'GET', 'HealthcareService/$find-services?specialty=msk&patient=Patient/p1');
    expect(res.status, diagnostics(res)).toBe(200);
    const first = res.body.parameter[0];
    expect(first.name).toBe('option');
    const part = (name: string) => first.part.find((p: { name: string }) => p.name === name);
    expect(part('service').valueReference.reference).toBe('HealthcareService/hs-ref-physio-skelmersdale');
    expect(part('eligible').valueBoolean).toBe(true);
    expect(part('indicativeWaitDays').valueInteger).toBeGreaterThanOrEqual(6);
    expect(part('distanceKm').valueDecimal).toBeGreaterThan(0);
  });

  it('offers /api/referrals/services and a service’s free slots', async () => {
    const token = await client.tokenFor(ACTORS.gp);
    const get = (url: string) =>
      t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } }).then((r) => ({
        status: r.statusCode,
        body: JSON.parse(r.body) as { services?: { serviceId: string }[]; slots?: { status: string }[] },
      }));
    const services = await get('/api/referrals/services?specialty=dermatology&priority=two-week-wait');
    expect(services.status).toBe(200);
    expect(services.body.services![0]!.serviceId).toBe('hs-ref-derm-2ww');
    const slots = await get('/api/referrals/services/hs-ref-derm-2ww/slots?limit=3');
    expect(slots.body.slots).toHaveLength(3);
    expect(slots.body.slots!.every((s) => s.status === 'free')).toBe(true);
    expect((await get('/api/referrals/services/nope/slots')).status).toBe(404);
  });
});
