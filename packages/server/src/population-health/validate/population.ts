/**
 * The histories a validation or fit reads: from the database's record (the population loaded there),
 * or generated in memory from the synthetic seed (docs/SEED.md) for a larger population.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/database.ts';
import { HistoryRepository } from '../history/history.repository.ts';
import { historyFromResources, type PatientHistory } from '../history/history.ts';

const CHUNK = 500;

export async function historiesFromDatabase(
  db: Queryable,
  onProgress?: (done: number, total: number) => void,
): Promise<PatientHistory[]> {
  const repository = new HistoryRepository(db);
  const total = await repository.countPatients();
  const histories: PatientHistory[] = [];
  let after = '';
  for (;;) {
    const ids = await repository.patientIds(after, CHUNK);
    if (ids.length === 0) {
      break;
    }
    histories.push(...(await repository.historiesFromRecord(ids)));
    after = ids[ids.length - 1]!;
    onProgress?.(histories.length, total);
  }
  return histories;
}

export function historiesFromGenerator(
  patients: Iterable<readonly Resource[]>,
  total: number,
  onProgress?: (done: number, total: number) => void,
): PatientHistory[] {
  const histories: PatientHistory[] = [];
  for (const resources of patients) {
    histories.push(historyFromResources(resources));
    if (histories.length % 1000 === 0) {
      onProgress?.(histories.length, total);
    }
  }
  onProgress?.(histories.length, total);
  return histories;
}

/** The day after the latest contact in the record: where the record ends. */
export function recordEnd(histories: readonly PatientHistory[]): Date {
  let latest = '';
  for (const h of histories) {
    for (const event of h.events) {
      if (event.date > latest) {
        latest = event.date;
      }
    }
  }
  if (!latest) {
    throw new Error('the record holds no contacts with services: nothing to validate against');
  }
  return new Date(Date.parse(`${latest}T00:00:00Z`) + 86_400_000);
}
