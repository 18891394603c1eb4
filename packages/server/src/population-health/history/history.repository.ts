/**
 * Reads patients' records for the risk model and keeps the history cache (population_history). The
 * reads are the module's background work over the whole population, done in SQL over the current
 * versions: no request's actor is involved and nothing read here is shown to anyone.
 */
import type { Resource } from '@medplum/fhirtypes';
import { SENSITIVE_CATEGORIES } from '../../access/actor.ts';
import type { Queryable } from '../../db/database.ts';
import { jsonbValue } from '../../db/jsonb.ts';
import { decodeHistory, encodeHistory, type StoredHistory, type StoredHistoryRow } from './codec.ts';
import { HISTORY_TYPES, historyFromResources, type PatientHistory } from './history.ts';

export class HistoryRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /** Up to `limit` patient ids after `after` (in id order), living or not. */
  async patientIds(after: string, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `select id from resource where resource_type = 'Patient' and not deleted and id collate "C" > $1
        order by id collate "C" limit $2`,
      [after, limit],
    );
    return rows.map((r) => r.id);
  }

  async countPatients(): Promise<number> {
    const [row] = await this.db.query<{ n: string }>(
      `select count(*) as n from resource where resource_type = 'Patient' and not deleted`,
    );
    return Number(row?.n ?? 0);
  }

  /**
   * The histories of these patients, built from their current records (patients not found are
   * skipped). Entries in a sensitive category (mental health, sexual health, safeguarding, social
   * care: docs/ACCESS.md) are left out: a score, its reasons and the list's columns are read by
   * whoever may read the RiskAssessment, who may not see those (H-148).
   */
  async historiesFromRecord(patientIds: readonly string[]): Promise<PatientHistory[]> {
    if (patientIds.length === 0) {
      return [];
    }
    const rows = await this.db.query<{ patient_id: string; content: unknown }>(
      `select patient_id, content from current_resource
        where patient_id = any($1::text[]) and resource_type = any($2::text[]) and not deleted
          and (category is null or not (category = any($3::text[])))`,
      [patientIds, [...HISTORY_TYPES], [...SENSITIVE_CATEGORIES]],
    );
    const byPatient = new Map<string, Resource[]>();
    for (const row of rows) {
      const list = byPatient.get(row.patient_id) ?? [];
      list.push(jsonbValue<Resource>(row.content as Resource | string));
      byPatient.set(row.patient_id, list);
    }
    const histories: PatientHistory[] = [];
    for (const resources of byPatient.values()) {
      if (resources.some((r) => r.resourceType === 'Patient')) {
        histories.push(historyFromResources(resources));
      }
    }
    return histories;
  }

  /** Stores histories (one statement for the lot). */
  async save(histories: readonly PatientHistory[]): Promise<void> {
    if (histories.length === 0) {
      return;
    }
    await this.db.query(
      `insert into population_history (patient_id, practice_id, history, updated_at)
       select t.patient_id, t.practice_id, t.history, now()
         from jsonb_to_recordset($1::jsonb) as t(patient_id text, practice_id text, history jsonb)
       on conflict (patient_id) do update
         set practice_id = excluded.practice_id, history = excluded.history, updated_at = now()`,
      [
        JSON.stringify(
          histories.map((h) => ({
            patient_id: h.patientId,
            practice_id: h.practiceId ?? null,
            history: encodeHistory(h),
          })),
        ),
      ],
    );
  }

  /**
   * Stored histories after `after` in id order, `limit` at a time. The order is the primary key's own
   * (the database's collation), so each page is a short walk of its index: ordering by another
   * collation (`collate "C"`) made every page a sort of the whole table, and a run of a million
   * histories quadratic.
   */
  async stored(after: string, limit: number): Promise<PatientHistory[]> {
    const rows = await this.storedRows(after, limit);
    return rows.map((r) => decodeHistory(r.patient_id, r.practice_id, jsonbValue<StoredHistory>(r.history)));
  }

  /** The same rows undecoded (a scoring run decodes them on its worker threads). */
  async storedRows(after: string, limit: number): Promise<StoredHistoryRow[]> {
    return this.db.query<StoredHistoryRow>(
      `select patient_id, practice_id, history from population_history
        where patient_id > $1 order by patient_id limit $2`,
      [after, limit],
    );
  }

  async countStored(): Promise<number> {
    const [row] = await this.db.query<{ n: string }>('select count(*) as n from population_history');
    return Number(row?.n ?? 0);
  }
}
