/**
 * A history stored compactly (population_history.history): contact dates grouped by kind, so a
 * million histories read back quickly for a scoring run.
 */
import type { EventKind } from '../vocabulary.ts';
import type { PatientHistory } from './history.ts';

export interface StoredHistory {
  b?: string;
  s: PatientHistory['sex'];
  d?: number;
  x?: 1;
  c: [string, string | null][];
  f: [string, string | null][];
  e: Partial<Record<EventKind, string[]>>;
  m: [string, string | null, string | null][];
  r: string[];
}

/** A population_history row as read (the history as its JSON text, or already parsed). */
export interface StoredHistoryRow {
  patient_id: string;
  practice_id: string | null;
  history: StoredHistory | string;
}

export function encodeHistory(h: PatientHistory): StoredHistory {
  const e: Partial<Record<EventKind, string[]>> = {};
  for (const event of h.events) {
    (e[event.kind] ??= []).push(event.date);
  }
  return {
    ...(h.birthDate ? { b: h.birthDate } : {}),
    s: h.sex,
    ...(h.imdDecile !== undefined ? { d: h.imdDecile } : {}),
    ...(h.deceased ? { x: 1 as const } : {}),
    c: h.conditions.map((c) => [c.key, c.onset ?? null]),
    f: h.deficits.map((c) => [c.key, c.onset ?? null]),
    e,
    m: h.repeatMedicines.map((m) => [m.code, m.start ?? null, m.end ?? null]),
    r: h.redAlerts,
  };
}

export function decodeHistory(patientId: string, practiceId: string | null, s: StoredHistory): PatientHistory {
  const events: PatientHistory['events'] = [];
  for (const [kind, dates] of Object.entries(s.e) as [EventKind, string[]][]) {
    for (const date of dates) {
      events.push({ kind, date });
    }
  }
  return {
    patientId,
    ...(practiceId ? { practiceId } : {}),
    ...(s.b ? { birthDate: s.b } : {}),
    sex: s.s,
    ...(s.d !== undefined ? { imdDecile: s.d } : {}),
    deceased: s.x === 1,
    conditions: s.c.map(
      ([key, onset]) => ({ key, ...(onset ? { onset } : {}) }) as PatientHistory['conditions'][number],
    ),
    deficits: s.f.map(([key, onset]) => ({ key, ...(onset ? { onset } : {}) }) as PatientHistory['deficits'][number]),
    events,
    repeatMedicines: s.m.map(([code, start, end]) => ({ code, ...(start ? { start } : {}), ...(end ? { end } : {}) })),
    redAlerts: s.r,
  };
}
