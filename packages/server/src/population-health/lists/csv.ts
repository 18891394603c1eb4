/** A risk list as CSV (csv-stringify: RFC 4180 quoting, and a leading ' on cells a spreadsheet would run as formulas). */
import { stringify } from 'csv-stringify/sync';
import type { RiskList } from './list.service.ts';

/** Spreadsheet formula injection: a cell starting with = + - @ (or a tab / CR) is prefixed with '. */
function safe(value: string | number | undefined | null): string | number {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return value;
  }
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function riskListCsv(list: RiskList): string {
  const identifiable = list.mode === 'identifiable';
  const header = [
    ...(identifiable ? ['NHS number', 'Name', 'Date of birth', 'Age'] : ['Pseudonym', 'Age band']),
    'Practice',
    'Sex',
    'Risk band',
    'Probability (%)',
    'Rising',
    'Emergency admissions (12 months)',
    'A&E attendances (12 months)',
    'Outpatient attendances (12 months)',
    'Repeat medicines',
    'Frailty (eFI)',
    'Cost (12 months, £)',
    'Long-term conditions',
    'What raised the risk',
    'Model',
    'Scored',
  ];
  const rows = list.rows.map((r) =>
    [
      ...(identifiable
        ? [r.patient?.nhsNumber, r.patient?.name, r.patient?.birthDate, r.age]
        : [r.pseudonym, r.ageBand ?? 'suppressed']),
      r.practice?.name,
      r.sex,
      r.band,
      Math.round(r.probability * 1000) / 10,
      r.rising ? 'yes' : 'no',
      r.emergencyAdmissions12m,
      r.aeAttendances12m,
      r.outpatientAttendances12m,
      r.repeatMedicines,
      `${r.efi} (${r.frailty})`,
      r.cost12m,
      r.conditions.join('; '),
      r.factors.join('; '),
      list.modelVersion,
      r.scoredAt,
    ].map(safe),
  );
  return stringify([header, ...rows]);
}
