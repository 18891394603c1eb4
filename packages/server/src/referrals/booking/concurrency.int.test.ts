/**
 * 200 concurrent bookings of one slot from three app processes on one PostgreSQL (H-190): exactly one
 * `201 Created`, 199 `409 Conflict` OperationOutcomes, one Appointment holding the slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.ts';
import { createPlatform } from '../../http/app.ts';
import { clientCredentials, TEST_BOOTSTRAP } from '../../auth/testing/server.ts';
import { seedAuthFixtures } from '../../auth/testing/fixtures.ts';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../../testing/database.ts';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.ts';

const ATTEMPTS = 200;
const start = new Date(Date.now() + 7 * 86_400_000).toISOString();
const end = new Date(Date.parse(start) + 20 * 60_000).toISOString();

describe.skipIf(testDatabaseKind() !== 'postgres')('one slot, 200 bookings, three app processes', () => {
  let database: TestDatabase;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const platform = createPlatform(loadConfig({ CAREWEAVE_BASE_URL: 'http://careweave.test' }), database.db);
    await seedAuthFixtures(platform);
    await platform.resources.update('Schedule', 'sch-race', {
      resourceType: 'Schedule',
      id: 'sch-race',
      active: true,
      actor: [{ reference: 'Organization/org-practice' }],
    });
    await platform.resources.update('Slot', 'slot-race', {
      resourceType: 'Slot',
      id: 'slot-race',
      schedule: { reference: 'Schedule/sch-race' },
      status: 'free',
      start,
      end,
    });
    const env = {
      CAREWEAVE_DATABASE_URL: database.url!,
      CAREWEAVE_DEMO_DATA: 'false',
      CAREWEAVE_BASE_URL: 'http://careweave.test',
      CAREWEAVE_BOOTSTRAP_CLIENT_ID: TEST_BOOTSTRAP.id,
      CAREWEAVE_BOOTSTRAP_CLIENT_SECRET: TEST_BOOTSTRAP.secret,
      CAREWEAVE_LOG_LEVEL: 'error',
    };
    // One after another (the first runs the module migrations; on a loaded machine three starting at
    // once can miss the start-up timeout).
    for (let i = 0; i < 3; i++) {
      servers.push(await startServerProcess(env));
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await database?.dispose();
  });

  it('books it once and refuses the other 199 with 409', async () => {
    const token = await clientCredentials(servers[0]!.baseUrl, 'system/Appointment.cruds system/Slot.rs');
    expect(token.status).toBe(200);
    const headers = { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/fhir+json' };
    const attempts = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        fetch(`${servers[i % servers.length]!.baseUrl}/fhir/R4/Appointment`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            resourceType: 'Appointment',
            status: 'booked',
            start,
            end,
            slot: [{ reference: 'Slot/slot-race' }],
            participant: [{ actor: { reference: 'Patient/pat-1' }, status: 'accepted' }],
            comment: `attempt ${i}`,
          }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { resourceType: string; id?: string } })),
      ),
    );
    const statuses = attempts.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(ATTEMPTS - 1);
    expect(attempts.filter((a) => a.status === 409).every((a) => a.body.resourceType === 'OperationOutcome')).toBe(
      true,
    );

    const winner = attempts.find((a) => a.status === 201)!.body.id;
    const slot = await fetch(`${servers[1]!.baseUrl}/fhir/R4/Slot/slot-race`, { headers }).then(
      (r) => r.json() as Promise<{ status: string; extension: { valueReference: { reference: string } }[] }>,
    );
    expect(slot.status).toBe('busy');
    expect(slot.extension[0]!.valueReference.reference).toBe(`Appointment/${winner}`);
    const booked = await fetch(`${servers[2]!.baseUrl}/fhir/R4/Appointment?slot=Slot/slot-race&_summary=count`, {
      headers,
    }).then((r) => r.json() as Promise<{ total: number }>);
    expect(booked.total).toBe(1);
  }, 120_000);
});
