import type { Queryable } from '../../db/database.ts';
import { jsonbValue } from '../../db/jsonb.ts';
import type { LevelRule } from '../protocols/model.ts';
import type { EnrolmentStatus } from './careplan.ts';

export interface Awaiting {
  promptId: string;
  roundAt: string;
  sentAt: string;
  roundScores: Record<string, number>;
}

export interface Enrolment {
  carePlanId: string;
  patientId: string;
  protocolId: string;
  protocolVersion: number;
  phone: string | null;
  status: EnrolmentStatus | 'refused';
  problems: string[];
  thresholds: { overrides?: LevelRule[]; personalBestPeakFlow?: number };
  startedAt: Date;
  endsAt: Date | null;
  nextPromptAt: Date | null;
  awaiting: Awaiting | null;
  misses: number;
}

interface Row {
  care_plan_id: string;
  patient_id: string;
  protocol_id: string;
  protocol_version: number;
  phone: string | null;
  status: Enrolment['status'];
  problems: string[] | string;
  thresholds: Enrolment['thresholds'] | string;
  started_at: string | Date;
  ends_at: string | Date | null;
  next_prompt_at: string | Date | null;
  awaiting: Awaiting | string | null;
  misses: number;
}

const date = (value: string | Date | null): Date | null => (value === null ? null : new Date(value));

function fromRow(row: Row): Enrolment {
  return {
    carePlanId: row.care_plan_id,
    patientId: row.patient_id,
    protocolId: row.protocol_id,
    protocolVersion: Number(row.protocol_version),
    phone: row.phone,
    status: row.status,
    problems: jsonbValue(row.problems),
    thresholds: jsonbValue(row.thresholds),
    startedAt: new Date(row.started_at),
    endsAt: date(row.ends_at),
    nextPromptAt: date(row.next_prompt_at),
    awaiting: row.awaiting === null ? null : jsonbValue(row.awaiting),
    misses: Number(row.misses),
  };
}

/** SQL for the enrolments (operational state; the CarePlan in the record is the enrolment itself). */
export class EnrolmentRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async save(enrolment: Enrolment): Promise<void> {
    await this.db.query(
      `insert into telehealth_enrolment (care_plan_id, patient_id, protocol_id, protocol_version, phone, status,
         problems, thresholds, started_at, ends_at, next_prompt_at, awaiting, misses)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12::jsonb, $13)
       on conflict (care_plan_id) do update set patient_id = excluded.patient_id, protocol_id = excluded.protocol_id,
         protocol_version = excluded.protocol_version, phone = excluded.phone, status = excluded.status,
         problems = excluded.problems, thresholds = excluded.thresholds, started_at = excluded.started_at,
         ends_at = excluded.ends_at, next_prompt_at = excluded.next_prompt_at, awaiting = excluded.awaiting,
         misses = excluded.misses, updated_at = now()`,
      [
        enrolment.carePlanId,
        enrolment.patientId,
        enrolment.protocolId,
        enrolment.protocolVersion,
        enrolment.phone,
        enrolment.status,
        JSON.stringify(enrolment.problems),
        JSON.stringify(enrolment.thresholds),
        enrolment.startedAt.toISOString(),
        enrolment.endsAt?.toISOString() ?? null,
        enrolment.nextPromptAt?.toISOString() ?? null,
        enrolment.awaiting ? JSON.stringify(enrolment.awaiting) : null,
        enrolment.misses,
      ],
    );
  }

  async get(carePlanId: string, options: { lock?: boolean } = {}): Promise<Enrolment | undefined> {
    const rows = await this.db.query<Row>(
      `select * from telehealth_enrolment where care_plan_id = $1 ${options.lock ? 'for update' : ''}`,
      [carePlanId],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** The live enrolments of a phone number, locked for the reply being handled (newest first). */
  async byPhone(phone: string): Promise<Enrolment[]> {
    const rows = await this.db.query<Row>(
      `select * from telehealth_enrolment where phone = $1 and status in ('active', 'paused')
        order by (awaiting is not null) desc, updated_at desc for update`,
      [phone],
    );
    return rows.map(fromRow);
  }

  /**
   * Claims enrolments whose next prompt is due, skipping rows another instance holds: each prompt is
   * sent by exactly one instance, in its transaction.
   */
  async claimDue(now: Date, limit: number): Promise<Enrolment[]> {
    const rows = await this.db.query<Row>(
      `select * from telehealth_enrolment where status = 'active' and next_prompt_at <= $1
        order by next_prompt_at limit $2 for update skip locked`,
      [now.toISOString(), limit],
    );
    return rows.map(fromRow);
  }

  async list(filter: { patientId?: string; status?: string }, limit = 200): Promise<Enrolment[]> {
    const rows = await this.db.query<Row>(
      `select * from telehealth_enrolment where ($1::text is null or patient_id = $1) and ($2::text is null or status = $2)
        order by updated_at desc limit $3`,
      [filter.patientId ?? null, filter.status ?? null, limit],
    );
    return rows.map(fromRow);
  }
}
