import type { Group } from '@medplum/fhirtypes';
import type { Database } from '../../db/database.ts';
import type { AccessModule } from '../../access/index.ts';
import { targetId } from '../../access/references.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { mayExport } from './caller.ts';
import { ExportRepository, type ExportRow, type ExportScope, type ExportSelection } from './export.repository.ts';
import { ExportJobRepository, type ExportJob } from './jobs.repository.ts';
import type { SqlParams } from '../search/sql-params.ts';
import { filtersByType, typeFilterCondition } from './type-filter.ts';

export interface ExporterOptions {
  db: Database;
  /** Unrestricted: bound to the job's actor for the Group read. */
  resources: ResourceService;
  access: AccessModule;
  fhirBase: string;
  expiryHours: number;
  /** Resources per database page (one stored chunk). */
  pageSize: number;
  /** Resources per output file. */
  fileSize: number;
}

/** Thrown when the job was deleted (cancelled) or expired while it ran: nothing to report. */
export class ExportGone extends Error {}

/** Patient first (clients usually want it first), then alphabetical. */
function exportOrder(a: string, b: string): number {
  return a === 'Patient' ? -1 : b === 'Patient' ? 1 : a.localeCompare(b);
}

/** One line per resource: the stored text may be pretty-printed. */
function ndjson(rows: readonly ExportRow[]): string {
  return rows.map((row) => `${JSON.stringify(JSON.parse(row.content))}\n`).join('');
}

/**
 * Runs one export job: rebuilds the caller's access from the stored actor (the job may run in
 * another instance than the kick-off), then writes each type's resources, a page at a time, as
 * NDJSON chunks of files of at most `fileSize` resources. One audit row names every patient whose
 * data was exported.
 */
export class Exporter {
  private readonly options: ExporterOptions;
  private readonly jobs: ExportJobRepository;
  private readonly rows: ExportRepository;

  constructor(options: ExporterOptions) {
    this.options = options;
    this.jobs = new ExportJobRepository(options.db);
    this.rows = new ExportRepository(options.db);
  }

  async run(jobId: string, signal: AbortSignal): Promise<void> {
    const job = await this.jobs.find(jobId);
    if (!job || !(await this.jobs.begin(jobId, this.options.expiryHours))) {
      return;
    }
    const scope = await this.scopeOf(job);
    // The caller's whole access (including the platform's additions, such as who may see a
    // Subscription), exactly as their searches get it.
    const restrict = this.options.access.accessFor(job.actor, { audit: false }).restrict;
    const selection: ExportSelection = {
      scope,
      ...(job.since ? { since: job.since } : {}),
      ...(restrict ? { restrict } : {}),
    };
    const patients = new Set<string>();
    let fileNo = 0;
    let exported = 0;
    const filters = filtersByType(job.typeFilters);
    for (const type of await this.typesOf(job, scope)) {
      const typeFilters = filters.get(type);
      const filter = typeFilters
        ? (alias: string, params: SqlParams) =>
            typeFilterCondition(typeFilters, {
              alias,
              params,
              fhirBase: this.options.fhirBase,
              ...(restrict ? { restrict } : {}),
              distributed: this.options.db.distributed,
            })
        : undefined;
      const typeSelection = filter ? { ...selection, filter } : selection;
      const written = await this.exportType(job, type, typeSelection, fileNo, { signal, patients });
      fileNo = written.fileNo;
      exported += written.count;
      await this.progress(job.id, `Exported ${exported} resources; finished ${type}`);
    }
    await this.options.access.audit.recordEvent(job.actor, {
      interaction: 'bulk-export',
      patients: [...patients].sort(),
      decision: 'permit',
      query: job.requestUrl,
    });
    if (!(await this.jobs.complete(job.id, this.options.expiryHours))) {
      throw new ExportGone();
    }
  }

  /** Writes one type's files, numbering on from `fileNo`; returns the last file number used and the count. */
  private async exportType(
    job: ExportJob,
    type: string,
    selection: ExportSelection,
    fileNo: number,
    run: { signal: AbortSignal; patients: Set<string> },
  ): Promise<{ fileNo: number; count: number }> {
    const { pageSize, fileSize } = this.options;
    let after: string | undefined;
    let count = 0;
    let inFile = fileSize;
    let chunkNo = 0;
    for (;;) {
      run.signal.throwIfAborted();
      // A page never crosses into the next file, so every file but a type's last is full.
      const limit = Math.min(pageSize, inFile < fileSize ? fileSize - inFile : fileSize);
      const rows = await this.rows.page(type, selection, after, limit);
      if (!rows.length) {
        return { fileNo, count };
      }
      if (inFile >= fileSize) {
        fileNo++;
        inFile = 0;
        chunkNo = 0;
        await this.jobs.addFile(job.id, { fileNo, resourceType: type, count: 0 });
      }
      await this.jobs.addChunk(job.id, fileNo, ++chunkNo, ndjson(rows), rows.length);
      for (const row of rows) {
        if (row.patientId) {
          run.patients.add(row.patientId);
        }
      }
      inFile += rows.length;
      count += rows.length;
      after = rows.at(-1)!.id;
      await this.progress(job.id, `Exporting ${type}: ${count} so far`);
      if (rows.length < limit) {
        return { fileNo, count };
      }
    }
  }

  private async progress(jobId: string, text: string): Promise<void> {
    if (!(await this.jobs.setProgress(jobId, text))) {
      throw new ExportGone();
    }
  }

  /** A Group export covers the Group's Patient members, read as the caller (404 if they may not see it). */
  private async scopeOf(job: ExportJob): Promise<ExportScope> {
    if (job.level !== 'group') {
      return { level: job.level };
    }
    const { resources, access, fhirBase } = this.options;
    const caller = resources.forCaller(access.accessFor(job.actor, { audit: false }));
    const stored = await caller.read('Group', job.groupId!);
    const group = JSON.parse(stored.json!) as Group;
    const patients = (group.member ?? [])
      .map((member) => targetId(member.entity, 'Patient', fhirBase))
      .filter((id): id is string => id !== undefined);
    return { level: 'group', patients: [...new Set(patients)] };
  }

  /** The requested types, or every type in scope; either way only those the token may search. */
  private async typesOf(job: ExportJob, scope: ExportScope): Promise<string[]> {
    const types = job.types.length ? job.types : await this.rows.typesInScope(scope);
    return types.filter((type) => mayExport(job.actor, type)).sort(exportOrder);
  }
}
