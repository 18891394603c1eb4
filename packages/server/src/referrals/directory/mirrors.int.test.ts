/**
 * The directory's slot mirror follows every write of the slots it mirrors (docs/REFERRALS.md,
 * "Searching"): each slot's free or held row, through free → busy → free → deleted.
 */
import type { Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { seedTestDirectory } from '../testing/directory-fixtures.ts';
import type { ReferralDirectory } from './index.ts';

let t: TestApp;
let directory: ReferralDirectory;

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  await seedTestDirectory(t.platform.resources);
  directory = t.app.modules.use('referrals').directory;
});
afterAll(async () => t?.close());

const read = async <T>(type: string, id: string): Promise<T> =>
  JSON.parse((await t.platform.resources.read(type, id)).json ?? '{}') as T;

describe('the slot mirror', () => {
  it('follows one slot through free, busy, free again and deleted', async () => {
    const mirror = async (id: string) => ({
      free: (await t.platform.db.query('select 1 from referrals_free_slot where slot_id = $1', [id])).length,
      holder: (
        await t.platform.db.query<{ appointment_id: string }>(
          'select appointment_id from referrals_slot_holder where slot_id = $1',
          [id],
        )
      ).map((r) => r.appointment_id),
    });
    const [free] = await directory.freeSlots(ACTORS.gp, 'hs-ref-physio-skelmersdale', { limit: 1 });
    const id = free!.id!;
    expect(await mirror(id)).toEqual({ free: 1, holder: [] });

    const booked = await directory.book(ACTORS.gp, { slotId: id, patientId: 'p1' });
    expect(await mirror(id)).toEqual({ free: 0, holder: [booked.id] });
    expect((await read<Slot>('Slot', id)).status).toBe('busy');

    await directory.cancel(ACTORS.gp, booked.id!);
    expect(await mirror(id)).toEqual({ free: 1, holder: [] });

    await t.platform.resources.delete('Slot', id);
    expect(await mirror(id)).toEqual({ free: 0, holder: [] });
  });
});
