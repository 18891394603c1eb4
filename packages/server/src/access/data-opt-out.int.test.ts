import type { Consent } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql as migration } from '../db/migrations/012-data-opt-out.ts';
import { ResourceService } from '../fhir/store/resource.service.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { NDOO_POLICY_URI } from './data-opt-out.ts';
import { accessHooks } from './index.ts';

const BASE = 'http://careweave.test/fhir/R4';
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.dispose();
});

const consent = (id: string, patient: string, change: Partial<Consent> = {}): Consent => ({
  resourceType: 'Consent',
  id,
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: `Patient/${patient}` },
  policy: [{ uri: NDOO_POLICY_URI }],
  provision: { type: 'deny' },
  ...change,
});

describe('migration 012 (access_data_opt_out)', () => {
  it('takes over the Consents written before it exactly as the write-time derivation does', async () => {
    const resources = new ResourceService(database.db, {
      fhirBase: BASE,
      defaultPageSize: 20,
      maxPageSize: 100,
      hooks: accessHooks(BASE),
    });
    for (const p of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']) {
      await resources.update('Patient', p, { resourceType: 'Patient', id: p });
    }
    await resources.update('Consent', 'open', consent('open', 'p1'));
    await resources.update(
      'Consent',
      'dated',
      consent('dated', 'p2', { provision: { type: 'deny', period: { start: '2025-02-01', end: '2025-03-31' } } }),
    );
    await resources.update(
      'Consent',
      'timed',
      consent('timed', 'p3', {
        provision: { type: 'deny', period: { start: '2025-02-01T10:00:00+01:00', end: '2030-01-01T00:00:00Z' } },
      }),
    );
    await resources.update('Consent', 'withdrawn', consent('withdrawn', 'p4', { status: 'inactive' }));
    await resources.update('Consent', 'permit', consent('permit', 'p5', { provision: { type: 'permit' } }));
    await resources.update('Consent', 'other', consent('other', 'p6', { policy: [{ uri: 'https://example.org' }] }));
    await resources.update('Consent', 'gone', consent('gone', 'p6'));
    await resources.delete('Consent', 'gone');

    const read = () =>
      database.db.query<{ consent_id: string; patient_id: string; valid_from: string | null; valid_to: string | null }>(
        `select consent_id, patient_id, to_char(valid_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as valid_from,
                to_char(valid_to at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as valid_to
           from access_data_opt_out order by consent_id`,
      );
    const derived = await read();
    expect(derived.map((r) => r.consent_id)).toEqual(['dated', 'open', 'timed']);
    await database.db.query('drop table access_data_opt_out');
    await database.db.transaction(async (tx) => {
      await tx.exec("set local timezone = 'America/New_York'");
      await tx.exec(migration);
    });
    // The exact end of a date-time differs below a second (FHIR precision); compare to the second.
    const second = (rows: typeof derived) => rows.map((r) => ({ ...r, valid_to: r.valid_to?.slice(0, 19) ?? null }));
    expect(second(await read())).toEqual(second(derived));
  });
});
