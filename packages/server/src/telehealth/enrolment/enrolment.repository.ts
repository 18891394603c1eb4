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
  /** When to remind the patient of the prompt awaited (null: no reminder due). */
  remindAt: Date | null;
  /** The Organization the texts are sent for (the patient's practice): its staff see them. */
  senderOrganizationId: string | null;
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
  remind_at: string | Date | null;
  sender_organization_id: string | null;
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
    remindAt: date(row.remind_at),
    senderOrganizationId: row.sender_organization_id,
  };
}

const COLUMNS = `care_plan_id, patient_id, protocol_id, protocol_version, phone, status, problems, thresholds,
  started_at, ends_at, next_prompt_at, awaiting, misses, remind_at, sender_organization_id`;
const COLUMN_TYPES = `care_plan_id text, patient_id text, protocol_id text, protocol_version integer, phone text,
  status text, problems jsonb, thresholds jsonb, started_at timestamptz, ends_at timestamptz,
  next_prompt_at timestamptz, awaiting jsonb, misses integer, remind_at timestamptz, sender_organization_id text`;

function toRow(enrolment: Enrolment): Row {
  return {
    care_plan_id: enrolment.carePlanId,
    patient_id: enrolment.patientId,
    protocol_id: enrolment.protocolId,
    protocol_version: enrolment.protocolVersion,
    phone: enrolment.phone,
    status: enrolment.status,
    problems: enrolment.problems,
    thresholds: enrolment.thresholds,
    started_at: enrolment.startedAt.toISOString(),
    ends_at: enrolment.endsAt?.toISOString() ?? null,
    next_prompt_at: enrolment.nextPromptAt?.toISOString() ?? null,
    awaiting: enrolment.awaiting,
    misses: enrolment.misses,
    remind_at: enrolment.remindAt?.toISOString() ?? null,
    sender_organization_id: enrolment.senderOrganizationId,
  };
}

/** SQL for the enrolments (operational state; the CarePlan in the record is the enrolment itself). */
export class EnrolmentRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async save(enrolment: Enrolment): Promise<void> {
    await this.saveMany([enrolment]);
  }

  /** Inserts or updates enrolments in one statement (a round of prompts saves hundreds at once). */
  async saveMany(enrolments: readonly Enrolment[]): Promise<void> {
    if (!enrolments.length) {
      return;
    }
    await this.db.query(
      `insert into telehealth_enrolment (${COLUMNS})
       select ${COLUMNS} from jsonb_to_recordset($1::jsonb) as r(${COLUMN_TYPES})
       on conflict (care_plan_id) do update set patient_id = excluded.patient_id, protocol_id = excluded.protocol_id,
         protocol_version = excluded.protocol_version, phone = excluded.phone, status = excluded.status,
         problems = excluded.problems, thresholds = excluded.thresholds, started_at = excluded.started_at,
         ends_at = excluded.ends_at, next_prompt_at = excluded.next_prompt_at, awaiting = excluded.awaiting,
         misses = excluded.misses, remind_at = excluded.remind_at,
         sender_organization_id = excluded.sender_organization_id, updated_at = now()`,
      [JSON.stringify(enrolments.map(toRow))],
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
   * Claims enrolments whose next prompt or reminder is due, skipping rows another instance holds:
   * each prompt is sent by exactly one instance, in its transaction.
   */
  async claimDue(now: Date, limit: number): Promise<Enrolment[]> {
    const rows = await this.db.query<Row>(
      `select * from telehealth_enrolment
        where status = 'active' and (next_prompt_at <= $1 or remind_at <= $1)
        order by least(next_prompt_at, remind_at) limit $2 for update skip locked`,
      [now.toISOString(), limit],
    );
    return rows.map(fromRow);
  }

  async list(filter: { patientId?: string; status?: string; protocolId?: string }, limit = 200): Promise<Enrolment[]> {
    const rows = await this.db.query<Row>(
      `select * from telehealth_enrolment where ($1::text is null or patient_id = $1) and ($2::text is null or status = $2)
          and ($4::text is null or protocol_id = $4)
        order by updated_at desc limit $3`,
      [filter.patientId ?? null, filter.status ?? null, limit, filter.protocolId ?? null],
    );
    return rows.map(fromRow);
  }
}
