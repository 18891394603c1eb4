/** The score rows as the column arrays of the upsert (ScoresRepository.saveColumns). */
import { numberArray, textArray } from './pg-arrays.ts';
import type { ScoreRow } from './score-history.ts';

/**
 * The score rows as sixteen column arrays, each already an array literal: node-postgres would
 * otherwise serialise every element through its generic value path, a visible share of a run's CPU.
 */
export function scoreColumns(rows: readonly ScoreRow[]): string[] {
  const column = <T>(f: (r: ScoreRow) => T): T[] => rows.map(f);
  return [
    textArray(column((r) => r.patientId)),
    textArray(column((r) => r.practiceId ?? null)),
    numberArray(column((r) => r.probability)),
    textArray(column((r) => r.band)),
    numberArray(column((r) => r.facts.age)),
    textArray(column((r) => r.facts.sex)),
    numberArray(column((r) => r.facts.imdDecile ?? null)),
    textArray(column((r) => r.facts.conditions.join(','))),
    numberArray(column((r) => r.facts.emergencyAdmissions12m)),
    numberArray(column((r) => r.facts.aeAttendances12m)),
    numberArray(column((r) => r.facts.outpatientAttendances12m)),
    numberArray(column((r) => r.facts.repeatMedicines)),
    numberArray(column((r) => r.facts.efi)),
    textArray(column((r) => r.facts.frailty)),
    numberArray(column((r) => r.facts.cost12m)),
    textArray(column((r) => JSON.stringify(r.factors))),
  ];
}
