/**
 * What each contact costs, for the running cost per patient (docs/RISK-MODEL.md, "Tariff"). Prices are
 * illustrative averages, rounded, in the shape of the NHS Payment Scheme and the PSSRU unit costs of
 * health and social care (2023/24); a commissioner replaces them with local prices. Versioned with the
 * model: a price change is a new table, never a silent change to past figures.
 */
import type { EventKind } from '../vocabulary.ts';

export const TARIFF_VERSION = 'illustrative-2024';

/** Pounds per contact. */
export const TARIFF: Readonly<Record<EventKind, number>> = {
  'emergency-admission': 2_250,
  'elective-admission': 1_350,
  ae: 185,
  outpatient: 155,
  gp: 42,
  'practice-nurse': 14,
  'district-nurse': 52,
  'social-care': 240,
  'mental-health': 125,
  other: 0,
};

/** The cost of the contacts in [from, to) (dates as yyyy-mm-dd), in whole pounds. */
export function costBetween(events: readonly { kind: EventKind; date: string }[], from: string, to: string): number {
  let total = 0;
  for (const event of events) {
    if (event.date >= from && event.date < to) {
      total += TARIFF[event.kind];
    }
  }
  return Math.round(total);
}
