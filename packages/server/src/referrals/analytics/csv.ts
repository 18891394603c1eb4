/** The dashboard's practice table as CSV (csv-stringify: RFC 4180 quoting; a leading ' on cells a spreadsheet would run). */
import { stringify } from 'csv-stringify/sync';
import type { Dashboard, PracticeRow } from './analytics.service.ts';

function safe(value: string | number | boolean | null): string | number {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const percent = (value: number | null): number | null => (value === null ? null : Math.round(value * 1000) / 10);

const HEADER = [
  'Practice',
  'Practice id',
  'Registered patients',
  'Referrals',
  'Electronic referrals',
  'Electronic share (%)',
  'Below 80% target',
  'Electronic funnel',
  'Referrals per 1,000 per year',
  'Standardised ratio (O/E)',
  'Standardised rate per 1,000 per year',
  'Referral rate funnel',
  'Advice and guidance requests',
  'Referrals avoided by advice',
  'Rejected',
  'Returned with advice',
  'Rejected or returned (%)',
  'Slot issues',
  'Slot issues (%)',
  'Median wait (days)',
  'Did not attend',
  'Did not attend (%)',
  'Period from',
  'Period to',
  'Specialty',
];

export function dashboardCsv(dashboard: Dashboard): string {
  const line = (r: PracticeRow) =>
    [
      r.name,
      r.id,
      r.listSize,
      r.referrals,
      r.electronic,
      percent(r.electronicShare),
      r.belowTarget,
      r.flags.electronic,
      r.ratePer1000 === null ? null : Math.round(r.ratePer1000 * 10) / 10,
      r.standardisedRatio,
      r.standardisedRatePer1000 === null ? null : Math.round(r.standardisedRatePer1000 * 10) / 10,
      r.flags.referralRate,
      r.adviceRequests,
      r.adviceAvoided,
      r.rejected,
      r.returned,
      percent(r.rejectionRate),
      r.slotIssues,
      percent(r.slotIssueRate),
      r.medianWaitDays,
      r.dna,
      percent(r.dnaRate),
      dashboard.period.from,
      dashboard.period.to,
      dashboard.specialty ?? 'all',
    ].map(safe);
  return stringify([HEADER, line(dashboard.area), ...dashboard.practices.map(line)]);
}
