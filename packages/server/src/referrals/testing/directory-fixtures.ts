/**
 * A small directory for tests: a few of the demo services (a week or two of slots each) and the
 * scenario's patients given an address, a date of birth and a practice.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { DEMO_SERVICES, seedDirectory } from '../directory/seed.ts';

export const TEST_SERVICES = DEMO_SERVICES.filter((s) =>
  [
    'hs-ref-physio-skelmersdale',
    'hs-ref-physio-burscough',
    'hs-ref-msk-cats',
    'hs-ref-derm-2ww',
    'hs-ref-derm-southport',
    'hs-ref-derm-ras',
  ].includes(s.id),
);

/** Seeds TEST_SERVICES and gives `p1` (Ormskirk, 1950) and `p2` (age 12, outside the area) their facts. */
export async function seedTestDirectory(system: ResourceService, now = new Date()): Promise<void> {
  await seedDirectory(system, { now, weeks: 2, services: TEST_SERVICES });
  for (const [id, facts] of [
    ['p1', { birthDate: '1950-03-01', postalCode: 'L39 2AT' }],
    ['p2', { birthDate: `${now.getUTCFullYear() - 12}-01-01`, postalCode: 'PR1 8XJ' }],
  ] as const) {
    const patient = JSON.parse((await system.read('Patient', id)).json ?? '{}') as Patient;
    await system.update('Patient', id, {
      ...patient,
      birthDate: facts.birthDate,
      address: [{ use: 'home', line: ['1 Test Street'], postalCode: facts.postalCode }],
    });
  }
}
