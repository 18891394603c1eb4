import type { Flag, Shown } from './api.ts';

/** 0.834 → "83.4%"; null (not shown, or nothing to divide by) → "–". */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
}

/** A count as the server gives it ("<5" when suppressed). */
export function count(value: Shown): string {
  return typeof value === 'number' ? value.toLocaleString('en-GB') : 'fewer than 5';
}

export function decimal(value: number | null | undefined, places = 1): string {
  return value === null || value === undefined ? '–' : value.toFixed(places);
}

/** How a practice sits on the funnel, in words a commissioner can act on. */
export const FLAG_TEXT: Record<Flag, { label: string; tag: string }> = {
  'high-alarm': { label: 'Well above the area (beyond 99.8% limits)', tag: 'nhsuk-tag--red' },
  'high-alert': { label: 'Above the area (beyond 95% limits)', tag: 'nhsuk-tag--orange' },
  within: { label: 'Within the expected range', tag: 'nhsuk-tag--grey' },
  'low-alert': { label: 'Below the area (beyond 95% limits)', tag: 'nhsuk-tag--yellow' },
  'low-alarm': { label: 'Well below the area (beyond 99.8% limits)', tag: 'nhsuk-tag--blue' },
};

/** "2026-03" → "Mar 2026". */
export function monthText(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m - 1, 1)).toLocaleDateString('en-GB', {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

export const REASON_TEXT: Record<string, string> = {
  'criteria-not-met': 'Referral criteria not met',
  'wrong-service': 'Sent to the wrong service',
  'insufficient-information': 'Not enough information',
  'manage-in-primary-care': 'Can be managed in primary care',
  'tests-first': 'Tests needed first',
  'not-recorded': 'Reason not recorded',
};

export const MEASURE_TEXT = {
  electronic: { title: 'Share of referrals made electronically', axis: 'Electronic share', x: 'Referrals' },
  referralRate: {
    title: 'Referral rate, age/sex standardised (observed ÷ expected)',
    axis: 'Standardised ratio',
    x: 'Expected referrals',
  },
  rejection: { title: 'Referrals rejected or returned', axis: 'Rejected or returned', x: 'Referrals sent' },
  dna: { title: 'Did not attend', axis: 'Did not attend', x: 'Appointments' },
} as const;

/** A specialty code in words. */
export const SPECIALTY_WORDS = (code: string): string =>
  ({
    msk: 'MSK and physiotherapy',
    'trauma-orthopaedics': 'trauma and orthopaedics',
    dermatology: 'dermatology',
    cardiology: 'cardiology',
    gynaecology: 'gynaecology',
    breast: 'breast',
  })[code] ?? code;
