import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Actor } from '../../access/actor.ts';
import type { JobQueue, RunningJob } from '../../jobs/queue.ts';
import { isOperationOutcomeError, notFound } from '../outcome.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { typesSearchedBy } from './type-filter.ts';
import { assertMayExport, ownerKey } from './caller.ts';
import { ExportGone, Exporter, type ExporterOptions } from './exporter.ts';
import { ExportJobRepository, type ExportJob } from './jobs.repository.ts';
import type { ExportRequest } from './request.ts';

export const EXPORT_QUEUE = 'fhir-bulk-export';
export const EXPIRE_QUEUE = 'fhir-bulk-export-expire';

/** What a status request finds. */
export type ExportState =
  | { status: 'running'; progress: string }
  | { status: 'failed'; error: string }
  | { status: 'completed'; manifest: ExportManifest; expiresAt: Date };

export interface ExportManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: true;
  output: { type: string; url: string; count: number }[];
  error: never[];
}

export type BulkExportOptions = Omit<ExporterOptions, 'pageSize' | 'fileSize'> & {
  queue: JobQueue;
  pageSize?: number;
  fileSize?: number;
};

/**
 * FHIR Bulk Data export (Bulk Data Access IG v2): kick-off stores the request with the caller's
 * actor and queues a job; any instance sharing the database runs it and any can answer for it.
 */
export class BulkExportService {
  private readonly options: BulkExportOptions;
  private readonly jobs: ExportJobRepository;
  private readonly exporter: Exporter;

  constructor(options: BulkExportOptions) {
    this.options = options;
    this.jobs = new ExportJobRepository(options.db);
    this.exporter = new Exporter({ pageSize: 1000, fileSize: 10_000, ...options });
    options.queue.define<{ jobId: string }>({
      name: EXPORT_QUEUE,
      // A job outlives a 15-minute default on a large record; the heartbeat finds a dead instance sooner.
      options: { retryLimit: 2, retryDelay: 5, expireInSeconds: 6 * 3600, heartbeatSeconds: 30 },
      handler: (job) => this.runJob(job),
    });
    options.queue.define({
      name: EXPIRE_QUEUE,
      schedule: { cron: '*/10 * * * *' },
      options: { retryLimit: 0 },
      handler: async () => void (await this.jobs.deleteExpired()),
    });
  }

  /**
   * Starts an export for `actor`. `caller` is the request's ResourceService (bound to the actor):
   * a Group must be visible to the caller. Returns the job id.
   */
  async kickOff(actor: Actor, caller: ResourceService, request: ExportRequest, requestUrl: string): Promise<string> {
    assertMayExport(actor, request.types);
    if (request.typeFilters.length) {
      // A filter searches its type (and any _has type): the token must allow searching them.
      assertMayExport(actor, request.typeFilters.flatMap(typesSearchedBy));
    }
    if (request.level === 'group') {
      await caller.read('Group', request.groupId!);
    }
    const id = randomUUID();
    await this.options.db.transaction(async (tx) => {
      await new ExportJobRepository(tx).insert({
        id,
        ownerKey: ownerKey(actor),
        actor,
        level: request.level,
        types: request.types,
        typeFilters: request.typeFilters,
        requestUrl,
        expiryHours: this.options.expiryHours,
        ...(request.groupId ? { groupId: request.groupId } : {}),
        ...(request.since ? { since: request.since } : {}),
      });
      await this.options.queue.send(EXPORT_QUEUE, { jobId: id }, { id, tx });
    });
    return id;
  }

  async state(actor: Actor, id: string): Promise<ExportState> {
    const job = await this.owned(actor, id);
    switch (job.status) {
      case 'accepted':
      case 'in-progress':
        return { status: 'running', progress: job.progress ?? 'Queued' };
      case 'failed':
        return { status: 'failed', error: job.error ?? 'The export failed' };
      case 'completed':
        return { status: 'completed', manifest: await this.manifest(job), expiresAt: job.expiresAt };
    }
  }

  /** Cancels a running export or deletes a finished one's files. */
  async cancel(actor: Actor, id: string): Promise<void> {
    await this.owned(actor, id);
    await this.jobs.delete(id);
    // A finished pg-boss job cannot be cancelled; one still running sees its signal aborted.
    await this.options.queue.cancel(EXPORT_QUEUE, id).catch(() => undefined);
  }

  /** One output file as a stream of its stored chunks, read one at a time. */
  async file(actor: Actor, id: string, fileNo: number): Promise<Readable> {
    const job = await this.owned(actor, id);
    if (job.status !== 'completed' || !Number.isInteger(fileNo) || !(await this.jobs.fileExists(id, fileNo))) {
      return notFound(`Export ${id} has no file ${fileNo}`);
    }
    return Readable.from(this.jobs.chunks(id, fileNo));
  }

  /** Deletes expired exports now (the queue also does it every 10 minutes). */
  deleteExpired(): Promise<number> {
    return this.jobs.deleteExpired();
  }

  private async runJob(job: RunningJob<{ jobId: string }>): Promise<void> {
    const { jobId } = job.data;
    try {
      await this.exporter.run(jobId, job.signal);
    } catch (error) {
      if (error instanceof ExportGone || !(await this.jobs.find(jobId))) {
        return; // cancelled or expired while running: nothing to report
      }
      if (!job.lastAttempt || job.signal.aborted) {
        throw error; // pg-boss runs it again (here or in another instance)
      }
      // A client sees why only when it is theirs to fix (e.g. the Group is gone); pg-boss keeps the error.
      await this.jobs.fail(
        jobId,
        isOperationOutcomeError(error) ? error.message : 'The export failed on the server; start a new one',
      );
      throw error;
    }
  }

  /** The job, when it exists and belongs to this caller; otherwise 404 (another's job is not revealed). */
  private async owned(actor: Actor, id: string): Promise<ExportJob> {
    const job = await this.jobs.find(id);
    if (!job || job.ownerKey !== ownerKey(actor)) {
      return notFound(`No bulk export ${id} of yours is known (it may have expired)`);
    }
    return job;
  }

  private async manifest(job: ExportJob): Promise<ExportManifest> {
    const files = await this.jobs.files(job.id);
    return {
      transactionTime: job.transactionTime.toISOString(),
      request: job.requestUrl,
      requiresAccessToken: true,
      output: files.map((file) => ({
        type: file.resourceType,
        url: `${this.options.fhirBase}/$export-file/${job.id}/${file.fileNo}`,
        count: file.count,
      })),
      error: [],
    };
  }
}
