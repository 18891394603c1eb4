/**
 * What a reading means under a protocol: the first matching red rule, else the first amber, else
 * green; a patient's own thresholds (set by their clinician) replace the protocol's for that measure.
 * Trend rules compare the reading with the patient's earlier ones.
 */
import type { Reading } from '../replies/parse.ts';
import type { Level, LevelRule, Protocol, RuleMeasure, TrendRule } from './model.ts';

export interface PatientThresholds {
  /** Rules that replace the protocol's rules for the same measure (e.g. a COPD target of 88–92 %). */
  overrides?: readonly LevelRule[];
  /** For asthma: the patient's best peak flow (L/min), for `peakflow-percent-best`. */
  personalBestPeakFlow?: number;
}

export interface LevelResult {
  level: Level;
  /** The reasons of the rules that matched at that level (empty for green). */
  reasons: string[];
}

const ORDER: Record<Level, number> = { green: 0, amber: 1, red: 2 };

/** The values a reading gives the rules. */
export function ruleValues(reading: Reading, thresholds: PatientThresholds = {}): Partial<Record<RuleMeasure, number>> {
  const values: Partial<Record<RuleMeasure, number>> = { ...reading.values };
  const best = thresholds.personalBestPeakFlow;
  if (reading.values.peakflow !== undefined && best) {
    values['peakflow-percent-best'] = Math.round((reading.values.peakflow / best) * 100);
  }
  return values;
}

/** The rules in force for a patient: theirs for any measure they have, the protocol's otherwise. */
export function rulesFor(protocol: Protocol, thresholds: PatientThresholds = {}): LevelRule[] {
  const overridden = new Set((thresholds.overrides ?? []).map((rule) => rule.measure));
  return [...(thresholds.overrides ?? []), ...protocol.levels.filter((rule) => !overridden.has(rule.measure))];
}

function matches(rule: LevelRule, value: number): boolean {
  if (rule.below !== undefined) {
    return value < rule.below;
  }
  if (rule.atLeast !== undefined) {
    return value >= rule.atLeast;
  }
  return value === rule.equals;
}

/** The level of a set of values under the rules in force. */
export function levelOfValues(rules: readonly LevelRule[], values: Partial<Record<RuleMeasure, number>>): LevelResult {
  for (const level of ['red', 'amber'] as const) {
    const reasons = rules
      .filter((rule) => rule.level === level)
      .filter((rule) => values[rule.measure] !== undefined && matches(rule, values[rule.measure]!))
      .map((rule) => rule.reason);
    if (reasons.length) {
      return { level, reasons };
    }
  }
  return { level: 'green', reasons: [] };
}

/** The level of one reading for a patient on a protocol. */
export function levelOf(protocol: Protocol, reading: Reading, thresholds: PatientThresholds = {}): LevelResult {
  return levelOfValues(rulesFor(protocol, thresholds), ruleValues(reading, thresholds));
}

export interface PastValue {
  measure: RuleMeasure;
  value: number;
  /** When it was taken. */
  at: Date;
}

/**
 * The trend rules a new value breaks: a change of at least `change` (a rise when positive, a fall
 * when negative) from any value of the same measure within `withinDays` before it.
 */
export function trendsBroken(
  rules: readonly TrendRule[],
  current: PastValue,
  history: readonly PastValue[],
): TrendRule[] {
  return rules.filter((rule) => {
    if (rule.measure !== current.measure) {
      return false;
    }
    const since = current.at.getTime() - rule.withinDays * 86_400_000;
    return history.some((past) => {
      if (past.measure !== rule.measure || past.at.getTime() < since || past.at >= current.at) {
        return false;
      }
      const change = current.value - past.value;
      return rule.change >= 0 ? change >= rule.change : change <= rule.change;
    });
  });
}

/** The worse of two levels. */
export function worse(a: Level, b: Level): Level {
  return ORDER[a] >= ORDER[b] ? a : b;
}
