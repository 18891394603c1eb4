/**
 * The audit group commit under attack (found by a review): one caller's reads must never make
 * another caller's reads fail, and no caller can make an audit row, or a group of them, huge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { AuditLog, MAX_AUDITED_QUERY } from './audit.ts';
import { ACTORS } from './testing/scenario.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('audit group commit isolation', () => {
  it('keeps 8 KiB of a huge POST _search, with its full length and digest', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/fhir/R4/Patient/_search',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `x=${'!'.repeat(1_000_000)}`,
    });
    expect(response.statusCode).toBe(200);
    const [row] = await t.database.db.query<{ query: string }>(
      `select query from audit_log where interaction = 'search' order by seq desc limit 1`,
    );
    expect(row!.query.length).toBeLessThan(MAX_AUDITED_QUERY + 100);
    expect(row!.query).toMatch(/^Patient\?x=%21%21/);
    expect(row!.query).toMatch(/… \[300001\d characters, sha256 [0-9a-f]{64}\]$/);
  });

  it('does not fail an innocent read because another row of its group cannot be written', async () => {
    const audit = new AuditLog(t.database.db);
    // The first read is written alone at once; what is recorded meanwhile forms the next group.
    const first = audit.record(ACTORS.gp, { interaction: 'read', resources: [], patients: ['p1'] });
    // PostgreSQL cannot store U+0000 in text: this row's insert fails.
    const poisoned = audit.record(ACTORS.system, {
      interaction: 'search',
      resources: [],
      patients: [],
      query: 'Patient?name=\u0000',
    });
    const victim = audit.record(ACTORS.patient2, {
      interaction: 'search',
      resources: [],
      patients: [],
      query: 'Observation?code=victim',
    });
    await first;
    const [attack, innocent] = await Promise.allSettled([poisoned, victim]);
    expect(attack.status).toBe('rejected');
    expect(innocent.status).toBe('fulfilled');
    const rows = await t.database.db.query(`select 1 from audit_log where query = 'Observation?code=victim'`);
    expect(rows).toHaveLength(1);
  });
});
