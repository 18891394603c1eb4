import type { Queryable } from '../../db/database.ts';
import { jsonbValue } from '../../db/jsonb.ts';
import type { Actor } from '../../access/actor.ts';
import type { ExportLevel } from './request.ts';

export type ExportStatus = 'accepted' | 'in-progress' | 'completed' | 'failed';

export interface ExportJob {
  id: string;
  ownerKey: string;
  actor: Actor;
  level: ExportLevel;
  groupId: string | null;
  types: string[];
  /** `_typeFilter` values (migration 018). */
  typeFilters: string[];
  since: Date | null;
  requestUrl: string;
  status: ExportStatus;
  progress: string | null;
  error: string | null;
  transactionTime: Date;
  expiresAt: Date;
}

export interface ExportFile {
  fileNo: number;
  resourceType: string;
  count: number;
}

export interface NewExportJob {
  id: string;
  ownerKey: string;
  actor: Actor;
  level: ExportLevel;
  groupId?: string;
  types: string[];
  typeFilters?: string[];
  since?: Date;
  requestUrl: string;
  expiryHours: number;
}

interface JobRow {
  id: string;
  owner_key: string;
  actor: Actor | string;
  level: ExportLevel;
  group_id: string | null;
  types: string[];
  type_filters: string[] | null;
  since: Date | string | null;
  request_url: string;
  status: ExportStatus;
  progress: string | null;
  error: string | null;
  transaction_time: Date | string;
  expires_at: Date | string;
}

function toJob(row: JobRow): ExportJob {
  return {
    id: row.id,
    ownerKey: row.owner_key,
    actor: jsonbValue(row.actor),
    level: row.level,
    groupId: row.group_id,
    types: row.types,
    typeFilters: row.type_filters ?? [],
    since: row.since === null ? null : new Date(row.since),
    requestUrl: row.request_url,
    status: row.status,
    progress: row.progress,
    error: row.error,
    transactionTime: new Date(row.transaction_time),
    expiresAt: new Date(row.expires_at),
  };
}

const EXPIRES = `now() + make_interval(secs => $1::double precision * 3600)`;

/** The export jobs and their NDJSON output (migration 004). Expired jobs are invisible before they are swept. */
export class ExportJobRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async insert(job: NewExportJob): Promise<void> {
    await this.db.query(
      `insert into bulk_export_job (id, owner_key, actor, level, group_id, types, since, request_url, transaction_time,
         expires_at, type_filters)
       values ($2, $3, $4::jsonb, $5, $6, $7::text[], $8::timestamptz, $9, now(), ${EXPIRES}, $10::text[])`,
      [
        job.expiryHours,
        job.id,
        job.ownerKey,
        JSON.stringify(job.actor),
        job.level,
        job.groupId ?? null,
        job.types,
        job.since?.toISOString() ?? null,
        job.requestUrl,
        job.typeFilters ?? [],
      ],
    );
  }

  /** The unexpired job, if it exists. */
  async find(id: string): Promise<ExportJob | undefined> {
    const [row] = await this.db.query<JobRow>('select * from bulk_export_job where id = $1 and expires_at > now()', [
      id,
    ]);
    return row ? toJob(row) : undefined;
  }

  /**
   * Starts (or restarts, on a retry) a run: output of an earlier attempt is dropped and the
   * transaction time is now. False when the job is gone (cancelled or expired).
   */
  async begin(id: string, expiryHours: number): Promise<boolean> {
    await this.db.query('delete from bulk_export_file where job_id = $1', [id]);
    const rows = await this.db.query(
      `update bulk_export_job set status = 'in-progress', progress = 'Started', error = null,
              transaction_time = now(), expires_at = ${EXPIRES}
        where id = $2 and expires_at > now() returning id`,
      [expiryHours, id],
    );
    return rows.length > 0;
  }

  /** False when the job is gone: the run should stop. */
  async setProgress(id: string, progress: string): Promise<boolean> {
    const rows = await this.db.query('update bulk_export_job set progress = $2 where id = $1 returning id', [
      id,
      progress,
    ]);
    return rows.length > 0;
  }

  async complete(id: string, expiryHours: number): Promise<boolean> {
    const rows = await this.db.query(
      `update bulk_export_job set status = 'completed', progress = 'Complete', completed_at = now(),
              expires_at = ${EXPIRES}
        where id = $2 returning id`,
      [expiryHours, id],
    );
    return rows.length > 0;
  }

  async fail(id: string, error: string): Promise<void> {
    await this.db.query(
      `update bulk_export_job set status = 'failed', error = $2, completed_at = now() where id = $1`,
      [id, error],
    );
  }

  /** Deletes the job and, by cascade, its files. False when there was none. */
  async delete(id: string): Promise<boolean> {
    const rows = await this.db.query('delete from bulk_export_job where id = $1 returning id', [id]);
    return rows.length > 0;
  }

  /** Deletes expired jobs and their files; returns how many. */
  async deleteExpired(): Promise<number> {
    const rows = await this.db.query('delete from bulk_export_job where expires_at <= now() returning id');
    return rows.length;
  }

  async addFile(id: string, file: ExportFile): Promise<void> {
    await this.db.query(
      'insert into bulk_export_file (job_id, file_no, resource_type, resource_count) values ($1, $2, $3, $4)',
      [id, file.fileNo, file.resourceType, file.count],
    );
  }

  /** Appends a chunk of NDJSON to a file and adds its resources to the file's count. */
  async addChunk(id: string, fileNo: number, chunkNo: number, content: string, count: number): Promise<void> {
    await this.db.query(
      `with chunk as (insert into bulk_export_chunk (job_id, file_no, chunk_no, content) values ($1, $2, $3, $4))
       update bulk_export_file set resource_count = resource_count + $5 where job_id = $1 and file_no = $2`,
      [id, fileNo, chunkNo, content, count],
    );
  }

  async files(id: string): Promise<ExportFile[]> {
    const rows = await this.db.query<{ file_no: number; resource_type: string; resource_count: number }>(
      'select file_no, resource_type, resource_count from bulk_export_file where job_id = $1 order by file_no',
      [id],
    );
    return rows.map((row) => ({ fileNo: row.file_no, resourceType: row.resource_type, count: row.resource_count }));
  }

  async fileExists(id: string, fileNo: number): Promise<boolean> {
    const rows = await this.db.query('select 1 from bulk_export_file where job_id = $1 and file_no = $2', [id, fileNo]);
    return rows.length > 0;
  }

  /** A file's content, one stored chunk (one page of resources) at a time. */
  async *chunks(id: string, fileNo: number): AsyncGenerator<string> {
    for (
      let chunk = await this.nextChunk(id, fileNo, 0);
      chunk;
      chunk = await this.nextChunk(id, fileNo, chunk.chunkNo)
    ) {
      yield chunk.content;
    }
  }

  /** The chunk after `afterChunk` of a file, or undefined at its end. */
  async nextChunk(
    id: string,
    fileNo: number,
    afterChunk: number,
  ): Promise<{ chunkNo: number; content: string } | undefined> {
    const [row] = await this.db.query<{ chunk_no: number; content: string }>(
      `select chunk_no, content from bulk_export_chunk
        where job_id = $1 and file_no = $2 and chunk_no > $3 order by chunk_no limit 1`,
      [id, fileNo, afterChunk],
    );
    return row ? { chunkNo: row.chunk_no, content: row.content } : undefined;
  }
}
