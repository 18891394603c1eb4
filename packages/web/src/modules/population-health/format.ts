import { formatNhsNumber } from '../../lib/nhs-number.ts';
import type { Band, Count } from './api.ts';

/** The bands in words, and what each means (docs/RISK-MODEL.md): the colour only repeats the word. */
export const BAND_TEXT: Record<Band, { label: string; tag: string; meaning: string }> = {
  'very-high': {
    label: 'Very high',
    tag: 'nhsuk-tag--red',
    meaning: 'the top 0.5% of the population the model was fitted on',
  },
  high: { label: 'High', tag: 'nhsuk-tag--orange', meaning: 'the top 5%' },
  moderate: { label: 'Moderate', tag: 'nhsuk-tag--yellow', meaning: 'the top 20%' },
  low: { label: 'Low', tag: 'nhsuk-tag--grey', meaning: 'everyone else' },
};

const FRAILTY_TEXT: Record<string, string> = {
  fit: 'Fit',
  mild: 'Mild frailty',
  moderate: 'Moderate frailty',
  severe: 'Severe frailty',
};

/** 0.1234 → "12.3%"; under 1% with two decimals so low scores do not all read "0%". */
export function percent(probability: number): string {
  const value = probability * 100;
  return `${value < 1 ? value.toFixed(2) : value.toFixed(1)}%`;
}

/** "Up from 8.0%" for a rising score, or the plain change when it did not rise by enough to count. */
export function changeText(probability: number, previous: number | undefined, rising: boolean): string {
  if (previous === undefined) {
    return 'No earlier score';
  }
  if (rising) {
    return `Rising: up from ${percent(previous)}`;
  }
  return probability >= previous ? `Was ${percent(previous)}` : `Down from ${percent(previous)}`;
}

const pounds = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', maximumFractionDigits: 0 });

/** 1234.5 → "£1,235". */
export const money = (value: number): string => pounds.format(Math.round(value));

/** A count that may be suppressed: '<5' → "fewer than 5". */
export const countText = (count: Count | undefined): string => (count === '<5' ? 'fewer than 5' : String(count ?? 0));

/** "1 person", "12 people", "fewer than 5 people". */
export function peopleText(count: Count): string {
  if (count === 1) {
    return '1 person';
  }
  return `${countText(count)} people`;
}

/** A suppressed age band (null) is said so, not left blank. */
export const ageBandText = (band: string | null): string => band ?? 'Suppressed (fewer than 5)';

export const frailtyText = (frailty: string): string => FRAILTY_TEXT[frailty] ?? frailty;

/** "Female" / "Male" / as given. */
export function sexText(sex: string): string {
  return sex ? sex.charAt(0).toUpperCase() + sex.slice(1) : 'Not recorded';
}

/** "NHS number 943 476 5919", or "No NHS number" so the column is never silently blank. */
export const nhsNumberText = (nhsNumber: string | undefined): string =>
  nhsNumber ? `NHS number ${formatNhsNumber(nhsNumber)}` : 'No NHS number';

/** Conditions as one phrase: "COPD, heart failure", or "None recorded". */
export const listText = (items: readonly string[], none = 'None recorded'): string =>
  items.length ? items.join(', ') : none;

/** "Showing 51 to 100 of 240". */
export function rangeText(page: number, pageSize: number, shown: number, total: Count): string {
  if (shown === 0) {
    return `None shown of ${countText(total)}`;
  }
  const first = (page - 1) * pageSize + 1;
  return `Showing ${first} to ${first + shown - 1} of ${countText(total)}`;
}

/** How many pages a total fills (a suppressed total is one page at most). */
export const pageCount = (total: Count, pageSize: number): number =>
  total === '<5' ? 1 : Math.max(1, Math.ceil(total / pageSize));
