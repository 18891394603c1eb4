/**
 * Readings as the dashboard shows them: a telehealth Observation read into its measure, its values
 * (a blood pressure has two), a short display ("152/97 mmHg") and the level the service gave it.
 * The level is what the service wrote in `interpretation` ("red: …", "amber: …"); no interpretation
 * is green — the dashboard never re-judges a reading (the protocol's rules did, at the time).
 */
import type { Observation } from '@medplum/fhirtypes';

export type Level = 'green' | 'amber' | 'red';

/** Red first: the order of the dashboard and of its level filter. */
export const LEVEL_RANK: Record<Level | 'none', number> = { red: 0, amber: 1, green: 2, none: 3 };

export interface ReadingValue {
  label: string;
  value: number;
  unit: string;
}

export interface Reading {
  observation: string;
  /** The LOINC (or question) code, or the code's text: what groups readings into one series. */
  measure: string;
  label: string;
  at: string;
  values: ReadingValue[];
  /** "152/97 mmHg", "94 %", "yes". */
  display: string;
  level: Level;
  reason?: string;
}

/** Short names for the LOINC codes telehealth records (the LOINC displays are long for a table). */
const SHORT_LABELS: Record<string, string> = {
  '85354-9': 'Blood pressure',
  '8867-4': 'Pulse',
  '59408-5': 'Oxygen saturation',
  '8310-5': 'Temperature',
  '29463-7': 'Weight',
  '15074-8': 'Blood glucose',
  '19935-6': 'Peak flow',
};

/** The level and reason the service recorded in `interpretation` (green when there is none). */
export function levelOf(observation: Observation): { level: Level; reason?: string } {
  const text = observation.interpretation?.find((i) => i.text)?.text ?? '';
  const match = /^(red|amber):\s*(.*)$/s.exec(text);
  return match ? { level: match[1] as Level, reason: match[2] || undefined } : { level: 'green' };
}

function valuesOf(observation: Observation): ReadingValue[] {
  if (observation.component?.length) {
    return observation.component.flatMap((component) =>
      component.valueQuantity?.value !== undefined
        ? [
            {
              label: component.code.text ?? component.code.coding?.[0]?.display ?? 'Value',
              value: component.valueQuantity.value,
              unit: component.valueQuantity.unit ?? '',
            },
          ]
        : [],
    );
  }
  const label = observation.code.text ?? observation.code.coding?.[0]?.display ?? 'Value';
  if (observation.valueQuantity?.value !== undefined) {
    return [{ label, value: observation.valueQuantity.value, unit: observation.valueQuantity.unit ?? '' }];
  }
  if (observation.valueInteger !== undefined) {
    return [{ label, value: observation.valueInteger, unit: '' }];
  }
  if (observation.valueBoolean !== undefined) {
    return [{ label, value: observation.valueBoolean ? 1 : 0, unit: '' }];
  }
  return [];
}

function displayOf(observation: Observation, values: ReadingValue[]): string {
  if (observation.valueBoolean !== undefined) {
    return observation.valueBoolean ? 'yes' : 'no';
  }
  const unit = values[0]?.unit ?? '';
  const numbers = values.map((v) => String(Math.round(v.value * 10) / 10)).join('/');
  return unit ? `${numbers} ${unit}` : numbers;
}

/** The reading an Observation holds, or undefined when it holds no value the dashboard can show. */
export function readingOf(observation: Observation): Reading | undefined {
  const values = valuesOf(observation);
  const at = observation.effectiveDateTime ?? observation.issued;
  if (!values.length || !at || !observation.id) {
    return undefined;
  }
  const coding = observation.code.coding?.[0];
  return {
    observation: `Observation/${observation.id}`,
    measure: coding?.code ?? observation.code.text ?? 'value',
    label: SHORT_LABELS[coding?.code ?? ''] ?? observation.code.text ?? coding?.display ?? 'Reading',
    at,
    values,
    display: displayOf(observation, values),
    ...levelOf(observation),
  };
}

/** The worst of some levels (undefined for none). */
export function worstLevel(levels: readonly (Level | undefined)[]): Level | undefined {
  const known = levels.filter((level): level is Level => level !== undefined);
  return known.sort((a, b) => LEVEL_RANK[a] - LEVEL_RANK[b])[0];
}
