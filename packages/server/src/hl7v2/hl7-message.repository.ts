/** SQL for `hl7_message` (migration 013): every message received, and the worklist. */
import type { Queryable } from '../db/database.ts';
import { jsonbValue } from '../db/jsonb.ts';
import type { AckCode } from './ack.ts';

export type Hl7MessageStatus = 'accepted' | 'error' | 'rejected' | 'duplicate';

/** What is known of a message when it arrives. */
export interface ReceivedMessage {
  raw: string;
  rawBytes: number;
  sendingApplication?: string;
  sendingFacility?: string;
  controlId?: string;
  messageType?: string;
  triggerEvent?: string;
  version?: string;
}

/** What became of it. */
export interface MessageOutcome {
  status: Exclude<Hl7MessageStatus, 'duplicate'>;
  ackCode: AckCode;
  ack: string;
  error?: string;
  resources?: string[];
  organizationId?: string;
  patientId?: string;
}

export interface Hl7MessageRow {
  id: string;
  receivedAt: string;
  sendingApplication: string | null;
  sendingFacility: string | null;
  controlId: string | null;
  messageType: string | null;
  triggerEvent: string | null;
  version: string | null;
  status: Hl7MessageStatus;
  ackCode: AckCode | null;
  error: string | null;
  resources: string[];
  organizationId: string | null;
  patientId: string | null;
  duplicateOf: string | null;
  processedAt: string | null;
  attempts: number;
  retriedAt: string | null;
  retriedBy: Record<string, unknown> | null;
  /** Only when asked for. */
  raw?: string;
  ack?: string | null;
}

interface Row {
  id: string | number;
  received_at: Date | string;
  sending_application: string | null;
  sending_facility: string | null;
  control_id: string | null;
  message_type: string | null;
  trigger_event: string | null;
  version: string | null;
  status: Hl7MessageStatus;
  ack_code: AckCode | null;
  error: string | null;
  resource_refs: string[];
  organization_id: string | null;
  patient_id: string | null;
  duplicate_of: string | number | null;
  processed_at: Date | string | null;
  attempts: number;
  retried_at: Date | string | null;
  retried_by: Record<string, unknown> | string | null;
  raw?: string;
  ack?: string | null;
}

const COLUMNS = `id, received_at, sending_application, sending_facility, control_id, message_type, trigger_event,
  version, status, ack_code, error, resource_refs, organization_id, patient_id, duplicate_of, processed_at, attempts,
  retried_at, retried_by`;

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

function toRow(row: Row): Hl7MessageRow {
  return {
    id: String(row.id),
    receivedAt: iso(row.received_at)!,
    sendingApplication: row.sending_application,
    sendingFacility: row.sending_facility,
    controlId: row.control_id,
    messageType: row.message_type,
    triggerEvent: row.trigger_event,
    version: row.version,
    status: row.status,
    ackCode: row.ack_code,
    error: row.error,
    resources: row.resource_refs,
    organizationId: row.organization_id,
    patientId: row.patient_id,
    duplicateOf: row.duplicate_of === null ? null : String(row.duplicate_of),
    processedAt: iso(row.processed_at),
    attempts: Number(row.attempts),
    retriedAt: iso(row.retried_at),
    retriedBy: jsonbValue(row.retried_by),
    ...(row.raw !== undefined ? { raw: row.raw } : {}),
    ...(row.ack !== undefined ? { ack: row.ack } : {}),
  };
}

// PostgreSQL text cannot hold NUL; a message carrying one is kept with U+FFFD in its place.
const storable = (text: string): string => text.replaceAll('\u0000', '\uFFFD');

export class Hl7MessageRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /**
   * Records a message as being received, unless the same sender has already sent this control id:
   * then nothing is written and undefined returned. A repeat arriving while the original is still
   * being processed waits here until the original's transaction ends.
   */
  async claim(message: ReceivedMessage): Promise<string | undefined> {
    const rows = await this.db.query<{ id: string | number }>(
      `insert into hl7_message (sending_application, sending_facility, control_id, message_type, trigger_event,
              version, raw, raw_bytes, status)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'received')
       on conflict (sending_facility, control_id)
         where duplicate_of is null and control_id is not null and sending_facility is not null
       do nothing
       returning id`,
      [
        message.sendingApplication || null,
        message.sendingFacility || null,
        message.controlId || null,
        message.messageType || null,
        message.triggerEvent || null,
        message.version || null,
        storable(message.raw),
        message.rawBytes,
      ],
    );
    return rows[0] ? String(rows[0].id) : undefined;
  }

  /** The first message from this sender with this control id. */
  async original(sendingFacility: string, controlId: string): Promise<(Hl7MessageRow & { ack: string }) | undefined> {
    const rows = await this.db.query<Row>(
      `select ${COLUMNS}, ack from hl7_message
        where sending_facility = $1 and control_id = $2 and duplicate_of is null`,
      [sendingFacility, controlId],
    );
    return rows[0] ? (toRow(rows[0]) as Hl7MessageRow & { ack: string }) : undefined;
  }

  /** Keeps a repeat of `original`, answered with the original's ACK; it changes nothing else. */
  async recordDuplicate(message: ReceivedMessage, original: Hl7MessageRow & { ack: string }): Promise<string> {
    const rows = await this.db.query<{ id: string | number }>(
      `insert into hl7_message (sending_application, sending_facility, control_id, message_type, trigger_event,
              version, raw, raw_bytes, status, ack_code, ack, duplicate_of, organization_id, patient_id, processed_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'duplicate', $9, $10, $11, $12, $13, now())
       returning id`,
      [
        message.sendingApplication || null,
        message.sendingFacility || null,
        message.controlId || null,
        message.messageType || null,
        message.triggerEvent || null,
        message.version || null,
        storable(message.raw),
        message.rawBytes,
        original.ackCode,
        original.ack,
        original.id,
        original.organizationId,
        original.patientId,
      ],
    );
    return String(rows[0]!.id);
  }

  /** Records what became of a message (first processing or a retry). */
  async complete(id: string, outcome: MessageOutcome, retriedBy?: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `update hl7_message
          set status = $2, ack_code = $3, ack = $4, error = $5, resource_refs = $6::text[],
              organization_id = coalesce($7, organization_id), patient_id = coalesce($8, patient_id),
              processed_at = now(),
              attempts = attempts + case when $9::jsonb is null then 0 else 1 end,
              retried_at = case when $9::jsonb is null then retried_at else now() end,
              retried_by = coalesce($9::jsonb, retried_by)
        where id = $1`,
      [
        id,
        outcome.status,
        outcome.ackCode,
        outcome.ack,
        outcome.error ?? null,
        outcome.resources ?? [],
        outcome.organizationId ?? null,
        outcome.patientId ?? null,
        retriedBy ? JSON.stringify(retriedBy) : null,
      ],
    );
  }

  /**
   * Records what became of several messages first processed in one transaction, in one statement
   * (a round trip per message was a tenth of a message's cost). The same as `complete` for each.
   */
  async completeMany(completions: readonly { id: string; outcome: MessageOutcome }[]): Promise<void> {
    if (completions.length === 0) {
      return;
    }
    const rows = completions.map(({ id, outcome }) => ({
      id,
      status: outcome.status,
      ackCode: outcome.ackCode,
      ack: outcome.ack,
      error: outcome.error ?? null,
      resources: outcome.resources ?? [],
      organizationId: outcome.organizationId ?? null,
      patientId: outcome.patientId ?? null,
    }));
    await this.db.query(
      `update hl7_message m
          set status = x->>'status', ack_code = x->>'ackCode', ack = x->>'ack', error = x->>'error',
              resource_refs = array(select json_array_elements_text(x->'resources')),
              organization_id = coalesce(x->>'organizationId', m.organization_id),
              patient_id = coalesce(x->>'patientId', m.patient_id),
              processed_at = now()
         from json_array_elements($1::json) as x
        where m.id = (x->>'id')::bigint`,
      [JSON.stringify(rows)],
    );
  }

  async get(id: string, options: { forUpdate?: boolean } = {}): Promise<(Hl7MessageRow & { raw: string }) | undefined> {
    if (!/^\d{1,18}$/.test(id)) {
      return undefined;
    }
    const rows = await this.db.query<Row>(
      `select ${COLUMNS}, raw, ack from hl7_message where id = $1 ${options.forUpdate ? 'for update' : ''}`,
      [id],
    );
    return rows[0] ? (toRow(rows[0]) as Hl7MessageRow & { raw: string }) : undefined;
  }

  /** Newest first; `organizationId` limits to one organisation's feed; `before` pages on id. */
  async list(filter: {
    statuses: readonly Hl7MessageStatus[];
    organizationId?: string;
    before?: string;
    count: number;
  }): Promise<Hl7MessageRow[]> {
    const rows = await this.db.query<Row>(
      `select ${COLUMNS} from hl7_message
        where status = any($1::text[])
          and ($2::text is null or organization_id = $2)
          and ($3::bigint is null or id < $3::bigint)
        order by id desc
        limit $4`,
      [filter.statuses, filter.organizationId ?? null, filter.before ?? null, filter.count],
    );
    return rows.map(toRow);
  }
}
