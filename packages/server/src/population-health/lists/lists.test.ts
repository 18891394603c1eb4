import { describe, expect, it } from 'vitest';
import { riskListCsv } from './csv.ts';
import { listFilters } from './filters.ts';
import type { RiskList } from './list.service.ts';
import { ageBand, pseudonym, suppressed } from './pseudonym.ts';

describe('pseudonyms', () => {
  it('are stable for a purpose and differ between purposes and keys', () => {
    const key = 'k'.repeat(32);
    const a = pseudonym(key, 'commissioning', 'pat-000001');
    expect(a).toMatch(/^PX-[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect(pseudonym(key, 'commissioning', 'pat-000001')).toBe(a);
    expect(pseudonym(key, 'research', 'pat-000001')).not.toBe(a);
    expect(pseudonym('j'.repeat(32), 'commissioning', 'pat-000001')).not.toBe(a);
    expect(pseudonym(key, 'commissioning', 'pat-000002')).not.toBe(a);
  });
  it('band ages and suppress small numbers', () => {
    expect([0, 4, 5, 77, 89, 90, 104].map(ageBand)).toEqual(['0–4', '0–4', '5–9', '75–79', '85–89', '90+', '90+']);
    expect([0, 1, 4, 5, 12].map(suppressed)).toEqual([0, '<5', '<5', 5, 12]);
  });
});

describe('list filters', () => {
  it('accept what the list offers and name what is wrong', () => {
    expect(listFilters.parse({ band: 'high', minAge: '65', rising: 'true' })).toMatchObject({
      band: 'high',
      minAge: 65,
      rising: true,
      page: 1,
      pageSize: 50,
    });
    const bad = listFilters.safeParse({ band: 'purple', minAge: '80', maxAge: '70', practice: "x'; drop table" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path[0]).sort()).toEqual(['band', 'practice']);
    expect(listFilters.safeParse({ minAge: '80', maxAge: '70' }).success).toBe(false);
    expect(listFilters.safeParse({ sort: 'name' }).success).toBe(false);
  });
});

describe('riskListCsv', () => {
  const row = {
    sex: 'female',
    band: 'high',
    probability: 0.2345,
    rising: true,
    emergencyAdmissions12m: 1,
    aeAttendances12m: 2,
    outpatientAttendances12m: 0,
    repeatMedicines: 4,
    cost12m: 2435,
    conditions: ['COPD', 'heart failure'],
    frailty: 'mild',
    efi: 0.14,
    factors: ['COPD', '1 emergency admission in the last 12 months'],
    scoredAt: '2026-12-06T02:30:00.000Z',
  };
  it('writes an identifiable list with quoting, and neutralises spreadsheet formulas', () => {
    const list: RiskList = {
      mode: 'identifiable',
      modelVersion: 'ea12-v1',
      page: 1,
      pageSize: 50,
      total: 1,
      bands: {},
      rows: [
        {
          ...row,
          patient: {
            reference: 'Patient/p1',
            name: '=HYPERLINK("x")',
            nhsNumber: '9000000009',
            birthDate: '1950-01-01',
          },
          age: 76,
          practice: { id: 'o', name: 'Ormskirk, Medical Practice' },
        },
      ],
    };
    const csv = riskListCsv(list);
    const [header, line] = csv.trim().split('\n');
    expect(header).toMatch(/^NHS number,Name,Date of birth,Age,Practice/);
    expect(line).toContain(`"'=HYPERLINK(""x"")"`);
    expect(line).toContain('"Ormskirk, Medical Practice"');
    expect(line).toContain('23.5');
  });
  it('writes a pseudonymised list with no NHS number column', () => {
    const csv = riskListCsv({
      mode: 'pseudonymised',
      modelVersion: 'ea12-v1',
      page: 1,
      pageSize: 50,
      total: 5,
      bands: {},
      rows: [{ ...row, pseudonym: 'PX-AAAAA-BBBBB', ageBand: null }],
    });
    expect(csv.split('\n')[0]).toMatch(/^Pseudonym,Age band,Practice/);
    expect(csv).not.toMatch(/NHS number/);
    expect(csv).toContain('PX-AAAAA-BBBBB,suppressed');
  });
});
