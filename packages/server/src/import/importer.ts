import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { isOperationOutcomeError } from '../fhir/outcome.ts';
import { ResourceRepository } from '../fhir/store/resource.repository.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { sameContent } from './compare.ts';
import {
  addFullUrl,
  bundleHandling,
  detach,
  finalResource,
  planEntry,
  planResource,
  type EntryPlan,
} from './entries.ts';
import { expandInputs, type InputFile } from './files.ts';
import { readLines, readWholeFile, streamJsonObject } from './sources.ts';
import { defaultValidationWorkers, validateHere, ValidatorPool, type ValidationResult } from './validation.ts';
import type {
  ImportCounts,
  ImportFailure,
  ImportOptions,
  ImportPhase,
  ImportProgress,
  ImportSummary,
  SkippedFile,
} from './types.ts';

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_STREAM_THRESHOLD = 32 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 200;
/** Below this much input, starting validation workers costs more than it saves. */
const WORKERS_FROM_BYTES = 16 * 1024 * 1024;

/**
 * Imports FHIR resources from files and directories: `.json` (a Bundle, whose entries are
 * imported, or a single resource) and `.ndjson` / `.jsonl` (one resource per line), each also
 * gzip-compressed (`.gz`). Directories are searched recursively.
 *
 * Two passes over the input:
 * 1. **scan** (read-only): for every resource, its final `Type/id` (see {@link planEntry}), and
 *    for every Bundle read by streaming its `fullUrl -> Type/id` map. The map has to be complete
 *    before the first entry is written, because an entry may refer to an entry further down the
 *    file (`urn:uuid:...`), and the `Type` of a reference target is known only from the target
 *    entry itself. The scan also records where each `Type/id` occurs last, so when the input
 *    holds the same resource more than once (Synthea repeats Organizations and Practitioners in
 *    many bundles, with differing content) only the last occurrence is written: the result is the
 *    same as writing them in order, without flip-flopping versions on every re-import.
 *    Memory: one small map entry per distinct resource, never the content.
 * 2. **import**: reads again, rewrites references, validates and writes in batches of
 *    `batchSize`, each one transaction (`ResourceService.writeMany`). Before writing, a batch reads
 *    the stored content of its resources and skips those whose content is the same (ignoring
 *    meta.versionId / meta.lastUpdated), so re-importing the same files writes nothing.
 *
 * Invalid resources are reported (file, entry index / line, first issue) and not written; the
 * rest continue. Large files are streamed (stream-json for Bundles, readline for NDJSON);
 * `.json` files up to `streamThresholdBytes` are parsed whole, which is much faster.
 */
export async function importFiles(
  service: ResourceService,
  paths: readonly string[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const run = new ImportRun(service, options);
  return run.run(paths);
}

/** What the scan learnt about a file. */
type FilePlan =
  | { kind: 'skip'; reason: string }
  | { kind: 'failed' }
  | { kind: 'ndjson' }
  | { kind: 'entries'; fullUrls?: Map<string, string> }
  | { kind: 'single' };

interface WriteItem {
  resource: Resource;
  key: string;
  file: string;
  location: string;
  /** The stored version found with the same content before the batch's transaction. */
  sameAs?: number;
  validated?: boolean;
  invalid?: boolean;
}

/** Thrown out of the reading loop when a batch could not be written: ends the import. */
class BatchWriteError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

class ImportRun {
  private readonly service: ResourceService;
  private readonly batchSize: number;
  private readonly validate: boolean;
  private readonly dryRun: boolean;
  private readonly streamThreshold: number;
  private readonly keepFailures: number;
  private readonly options: ImportOptions;

  private readonly counts: ImportCounts = {
    resources: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
    superseded: 0,
    skipped: 0,
  };
  private readonly failures: ImportFailure[] = [];
  private readonly skippedFiles: SkippedFile[] = [];
  private readonly byType = new Map<string, number>();
  private unresolved = 0;
  private aborted = false;

  /** `Type/id` -> position (file index * 2^32 + entry index or line) of its last occurrence. */
  private readonly lastSeen = new Map<string, number>();
  private readonly filePlans: (FilePlan | undefined)[] = [];

  private files: InputFile[] = [];
  private phase: ImportPhase = 'scan';
  private bytesDone = 0;
  private bytesTotal = 0;
  private filesDone = 0;
  private currentFile?: string;
  private started = 0;
  private lastProgress = 0;

  private pending: WriteItem[] = [];
  /** Batches being written (at most `concurrency`), each in its own transaction. */
  private inFlight: Promise<void>[] = [];
  private readonly concurrency: number;
  /** Started on first use: a re-import of unchanged data validates nothing. */
  private pool?: ValidatorPool;
  private poolSize = 0;

  constructor(service: ResourceService, options: ImportOptions) {
    this.service = service;
    this.options = options;
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.validate = options.validate ?? true;
    this.dryRun = options.dryRun ?? false;
    this.streamThreshold = options.streamThresholdBytes ?? DEFAULT_STREAM_THRESHOLD;
    this.keepFailures = options.keepFailures ?? 1000;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
  }

  async run(paths: readonly string[]): Promise<ImportSummary> {
    this.started = performance.now();
    const { files, ignored } = await expandInputs(paths);
    this.files = files;
    this.skippedFiles.push(...ignored);
    this.bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
    try {
      return await this.runPasses();
    } finally {
      await this.pool?.close();
    }
  }

  private async runPasses(): Promise<ImportSummary> {
    const files = this.files;
    this.poolSize = this.validate
      ? (this.options.validationWorkers ?? (this.bytesTotal >= WORKERS_FROM_BYTES ? defaultValidationWorkers() : 0))
      : 0;

    for (let i = 0; i < files.length && !this.aborted; i++) {
      this.startFile(files[i]!);
      this.filePlans.push(await this.scanFile(files[i]!, i));
      this.finishFile();
    }

    this.phase = 'import';
    this.bytesDone = 0;
    this.filesDone = 0;
    this.emit(true);
    try {
      for (let i = 0; i < files.length && !this.aborted; i++) {
        this.startFile(files[i]!);
        await this.importFile(files[i]!, i, this.filePlans[i]!);
        this.filePlans[i] = undefined; // releases the file's fullUrl map
        this.finishFile();
      }
      await this.flush();
      await this.settle();
    } catch (error) {
      await Promise.allSettled(this.inFlight.splice(0));
      throw error instanceof BatchWriteError ? (error.cause ?? error) : error;
    }
    this.currentFile = undefined;
    this.emit(true);
    return this.summary();
  }

  // ---- pass 1: scan ----------------------------------------------------------------------

  private async scanFile(file: InputFile, fileIndex: number): Promise<FilePlan> {
    const onBytes = (n: number): void => this.addBytes(n);
    try {
      if (file.format === 'ndjson') {
        let first = true;
        for await (const { line, text } of readLines(file, onBytes)) {
          if (!text.trim()) {
            continue;
          }
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch {
            first = false;
            continue; // reported in the import pass
          }
          if (first && !hasResourceType(value)) {
            return this.skipFile(file, `not FHIR NDJSON: line ${line} has no resourceType`);
          }
          first = false;
          this.seen(planResource(value, file.path, line), fileIndex, line);
        }
        return { kind: 'ndjson' };
      }

      if (!file.gzip && file.size <= this.streamThreshold) {
        const value: unknown = JSON.parse(await readWholeFile(file, onBytes));
        const plan = this.planJson(file, value);
        if (plan.kind === 'entries') {
          entriesOf(value).forEach((entry, index) => this.seen(planEntry(entry, file.path, index), fileIndex, index));
        } else if (plan.kind === 'single') {
          this.seen(planResource(value, file.path, 0), fileIndex, 0);
        }
        return plan;
      }

      // Streamed: keep the top-level fields and the entries' identities, never the entries.
      const fields = new Map<string, unknown>();
      const fullUrls = new Map<string, string>();
      const found: [EntryPlan, number][] = [];
      for await (const event of streamJsonObject(file, onBytes)) {
        if (event.kind === 'field') {
          if (!fields.has(event.key)) {
            fields.set(event.key, event.value);
          }
        } else {
          const plan = planEntry(event.value, file.path, event.index);
          addFullUrl(fullUrls, plan);
          if (plan.kind === 'resource') {
            found.push([
              { kind: 'resource', resourceType: plan.resourceType, id: detach(plan.id), resource: {} },
              event.index,
            ]);
          }
          // Usually resourceType and type come first: then the identities need not wait for the end.
          if (
            found.length >= 10_000 &&
            fields.get('resourceType') === 'Bundle' &&
            fields.has('type') &&
            bundleHandling(fields.get('type')) === 'entries'
          ) {
            found.splice(0).forEach(([p, index]) => this.seen(p, fileIndex, index));
          }
        }
      }
      const plan = this.planJson(file, { resourceType: fields.get('resourceType'), type: fields.get('type') });
      if (plan.kind === 'entries') {
        found.forEach(([p, index]) => this.seen(p, fileIndex, index));
        return { kind: 'entries', fullUrls };
      }
      if (plan.kind === 'single') {
        this.seen(
          planResource({ resourceType: fields.get('resourceType'), id: fields.get('id') }, file.path, 0),
          fileIndex,
          0,
        );
      }
      return plan;
    } catch (error) {
      this.fail({
        file: file.path,
        location: 'file',
        message: `Cannot read the file: ${errorMessage(error)}`,
        issues: 1,
      });
      return { kind: 'failed' };
    }
  }

  /** How a `.json` file is imported, from its top-level object (or just its top-level fields). */
  private planJson(file: InputFile, value: unknown): FilePlan {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail({ file: file.path, location: 'file', message: 'The file does not hold a JSON object', issues: 1 });
      return { kind: 'failed' };
    }
    const { resourceType, type } = value as Record<string, unknown>;
    if (typeof resourceType !== 'string') {
      return this.skipFile(file, 'not a FHIR resource (no resourceType)');
    }
    if (resourceType !== 'Bundle') {
      return { kind: 'single' };
    }
    const handling = bundleHandling(type);
    if (typeof handling === 'object') {
      this.fail({ file: file.path, location: 'file', resourceType, message: handling.error, issues: 1 });
      return { kind: 'failed' };
    }
    return handling === 'whole' ? { kind: 'single' } : { kind: 'entries' };
  }

  private seen(plan: EntryPlan, fileIndex: number, index: number): void {
    if (plan.kind === 'resource') {
      this.lastSeen.set(detach(`${plan.resourceType}/${plan.id}`), position(fileIndex, index));
    }
  }

  private skipFile(file: InputFile, reason: string): FilePlan {
    this.skippedFiles.push({ file: file.path, reason });
    return { kind: 'skip', reason };
  }

  // ---- pass 2: import --------------------------------------------------------------------

  private async importFile(file: InputFile, fileIndex: number, plan: FilePlan): Promise<void> {
    if (plan.kind === 'skip' || plan.kind === 'failed') {
      this.addBytes(file.size);
      return;
    }
    const onBytes = (n: number): void => this.addBytes(n);
    let where = 'file';
    try {
      if (plan.kind === 'ndjson') {
        for await (const { line, text } of readLines(file, onBytes)) {
          if (this.aborted) {
            break;
          }
          where = `line ${line}`;
          if (!text.trim()) {
            continue;
          }
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (error) {
            this.counts.resources++;
            this.fail({ file: file.path, location: where, message: `Invalid JSON: ${errorMessage(error)}`, issues: 1 });
            continue;
          }
          await this.handle(planResource(value, file.path, line), file, where, position(fileIndex, line));
        }
      } else if (plan.kind === 'single') {
        const value: unknown = JSON.parse(await readWholeFile(file, onBytes));
        where = 'resource';
        await this.handle(planResource(value, file.path, 0), file, where, position(fileIndex, 0));
      } else if (plan.fullUrls) {
        for await (const event of streamJsonObject(file, onBytes)) {
          if (this.aborted) {
            break;
          }
          if (event.kind === 'entry') {
            where = `entry ${event.index}`;
            await this.handle(
              planEntry(event.value, file.path, event.index),
              file,
              where,
              position(fileIndex, event.index),
              plan.fullUrls,
            );
          }
        }
      } else {
        const entries = entriesOf(JSON.parse(await readWholeFile(file, onBytes)));
        const plans = entries.map((entry, index) => planEntry(entry, file.path, index));
        const fullUrls = new Map<string, string>();
        plans.forEach((p) => addFullUrl(fullUrls, p));
        for (let index = 0; index < plans.length && !this.aborted; index++) {
          where = `entry ${index}`;
          await this.handle(plans[index]!, file, where, position(fileIndex, index), fullUrls);
        }
      }
    } catch (error) {
      if (error instanceof BatchWriteError) {
        throw error;
      }
      this.fail({
        file: file.path,
        location: where,
        message: `Cannot read the file: ${errorMessage(error)}`,
        issues: 1,
      });
    }
  }

  private async handle(
    plan: EntryPlan,
    file: InputFile,
    location: string,
    at: number,
    fullUrls?: ReadonlyMap<string, string>,
  ): Promise<void> {
    if (plan.kind === 'skip') {
      this.counts.skipped++;
      return;
    }
    this.counts.resources++;
    if (plan.kind === 'error') {
      this.fail({
        file: file.path,
        location,
        resourceType: plan.resourceType,
        id: plan.id,
        message: plan.message,
        issues: 1,
      });
      return;
    }
    const key = `${plan.resourceType}/${plan.id}`;
    if (this.lastSeen.get(key) !== at) {
      this.counts.superseded++;
      return;
    }
    const { resource, unresolved } = finalResource(plan, fullUrls);
    this.unresolved += unresolved;
    this.pending.push({ resource, key, file: file.path, location });
    if (this.pending.length >= this.batchSize) {
      await this.flush();
    }
  }

  /**
   * Starts writing the pending batch, first waiting for the oldest batch being written when
   * `concurrency` are. Reading and validating the next batch overlaps with the writes. Batches of
   * one import never share a resource (see the scan), so concurrent ones cannot conflict.
   */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) {
      return;
    }
    const batch = this.pending;
    this.pending = [];
    while (this.inFlight.length >= this.concurrency) {
      await this.settleOne();
    }
    const writing = this.writeBatch(batch);
    writing.catch(() => undefined); // observed by settleOne()
    this.inFlight.push(writing);
  }

  private async settleOne(): Promise<void> {
    const writing = this.inFlight.shift();
    try {
      await writing;
    } catch (error) {
      throw new BatchWriteError(error);
    }
  }

  /** Waits for every batch being written; throws the first failure. */
  private async settle(): Promise<void> {
    while (this.inFlight.length) {
      await this.settleOne();
    }
  }

  private async writeBatch(items: WriteItem[]): Promise<void> {
    try {
      const batch = await this.prepare(items);
      if (batch.length) {
        await this.writeIsolating(batch);
      }
    } finally {
      this.emit(true);
    }
  }

  /**
   * Finds the resources stored already with the same content (outside the transaction: reads
   * only), and validates the others. Content that is already stored is not validated again, which
   * makes re-imports fast; the transaction then confirms that those versions are still current.
   */
  private async prepare(batch: WriteItem[]): Promise<WriteItem[]> {
    const stored = await new ResourceRepository(this.service.searchContext().db).currentVersions(batch.map(keyOf), {
      content: true,
    });
    const toValidate: WriteItem[] = [];
    for (const item of batch) {
      const current = stored.get(item.key);
      if (current && !current.deleted && current.json !== null && sameContent(current.json, item.resource)) {
        item.sameAs = current.versionId;
      } else if (this.validate) {
        toValidate.push(item);
      }
    }
    if (toValidate.length) {
      const resources = toValidate.map((item) => item.resource);
      if (this.poolSize > 0) {
        this.pool ??= new ValidatorPool(this.poolSize);
      }
      const results = this.pool ? await this.pool.validate(resources) : resources.map(validateHere);
      toValidate.forEach((item, i) => this.recordValidation(item, results[i]));
    }
    return batch.filter((item) => !item.invalid);
  }

  /** Validates (once, on this thread); records the failure of an invalid resource. */
  private checkValid(item: WriteItem): boolean {
    if (this.validate && !item.validated) {
      this.recordValidation(item, validateHere(item.resource));
    }
    return !item.invalid;
  }

  private recordValidation(item: WriteItem, result: ValidationResult): void {
    item.validated = true;
    if (result) {
      item.invalid = true;
      const { resourceType, id } = item.resource;
      this.fail({
        file: item.file,
        location: item.location,
        resourceType,
        id,
        message: issueText(result.first),
        issues: result.count,
      });
    }
  }

  /** Writes a batch; if it fails, writes its resources one by one to find the ones that cannot be written. */
  private async writeIsolating(batch: WriteItem[]): Promise<void> {
    try {
      this.apply(await this.writeTransaction(batch));
    } catch (error) {
      if (batch.length === 1) {
        this.failItem(batch[0]!, error);
        return;
      }
      // Find the resources that cannot be written: one transaction each.
      const results: [WriteItem, Applied | Error][] = [];
      for (const item of batch.filter((i) => !i.invalid)) {
        try {
          results.push([item, await this.writeTransaction([item])]);
        } catch (itemError) {
          results.push([item, itemError instanceof Error ? itemError : new Error(String(itemError))]);
        }
      }
      if (results.every(([, r]) => r instanceof Error)) {
        throw error; // not the data: the database (connection, schema, ...)
      }
      for (const [item, result] of results) {
        if (result instanceof Error) {
          this.failItem(item, result);
        } else {
          this.apply(result);
        }
      }
    }
  }

  /**
   * One transaction: lock the batch's resources, read their current versions, write those that
   * differ. Returns what to count, applied only after the commit.
   */
  private async writeTransaction(batch: WriteItem[]): Promise<Applied> {
    return this.service.transaction(async (tx) => {
      const db = tx.searchContext().db;
      const repository = new ResourceRepository(db);
      if (!this.dryRun) {
        await repository.lock(batch.map((item) => item.key));
      }
      const current = await repository.currentVersions(batch.map(keyOf));
      const applied: Applied = { created: 0, updated: 0, unchanged: 0, stored: [] };
      const writes: { resource: Resource; method: 'create' | 'update' }[] = [];
      for (const item of batch) {
        const stored = current.get(item.key);
        const exists = stored !== undefined && !stored.deleted;
        if (exists && item.sameAs === stored.versionId) {
          applied.unchanged++;
        } else if (item.sameAs === undefined || this.checkValid(item)) {
          // (A resource found unchanged before the transaction but written meanwhile is validated now.)
          writes.push({ resource: item.resource, method: exists ? 'update' : 'create' });
          applied[exists ? 'updated' : 'created']++;
        } else {
          continue;
        }
        applied.stored.push(item.resource.resourceType);
      }
      if (writes.length && !this.dryRun) {
        await tx.writeMany(writes, current);
      }
      return applied;
    });
  }

  private apply(applied: Applied): void {
    this.counts.created += applied.created;
    this.counts.updated += applied.updated;
    this.counts.unchanged += applied.unchanged;
    for (const type of applied.stored) {
      this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
    }
  }

  private failItem(item: WriteItem, error: unknown): void {
    this.fail({
      file: item.file,
      location: item.location,
      resourceType: item.resource.resourceType,
      id: item.resource.id,
      message: `Not written: ${errorMessage(error)}`,
      issues: 1,
    });
  }

  private fail(failure: ImportFailure): void {
    this.counts.failed++;
    if (this.failures.length < this.keepFailures) {
      this.failures.push(failure);
    }
    this.options.onFailure?.(failure);
    if (this.options.maxFailures !== undefined && this.counts.failed >= this.options.maxFailures) {
      this.aborted = true;
    }
  }

  // ---- progress and summary ---------------------------------------------------------------

  private startFile(file: InputFile): void {
    this.currentFile = file.path;
    this.emit(true);
  }

  private finishFile(): void {
    this.filesDone++;
    this.emit(true);
  }

  private addBytes(n: number): void {
    this.bytesDone += n;
    this.emit(false);
  }

  private emit(force: boolean): void {
    const onProgress = this.options.onProgress;
    if (!onProgress) {
      return;
    }
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_INTERVAL_MS) {
      return;
    }
    this.lastProgress = now;
    const progress: ImportProgress = {
      ...this.counts,
      phase: this.phase,
      bytesDone: Math.min(this.bytesDone, this.bytesTotal),
      bytesTotal: this.bytesTotal,
      filesDone: this.filesDone,
      filesTotal: this.files.length,
      currentFile: this.currentFile,
      elapsedMs: now - this.started,
    };
    onProgress(progress);
  }

  private summary(): ImportSummary {
    const elapsedMs = performance.now() - this.started;
    const skippedPaths = new Set(this.skippedFiles.map((f) => f.file));
    return {
      ...this.counts,
      files: this.files.filter((f) => !skippedPaths.has(f.path)).length,
      skippedFiles: this.skippedFiles,
      failures: this.failures,
      byType: Object.fromEntries([...this.byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      unresolvedReferences: this.unresolved,
      aborted: this.aborted,
      dryRun: this.dryRun,
      bytes: this.bytesTotal,
      elapsedMs,
      resourcesPerSecond: elapsedMs > 0 ? this.counts.resources / (elapsedMs / 1000) : 0,
    };
  }
}

/** What a committed batch adds to the counts. */
interface Applied {
  created: number;
  updated: number;
  unchanged: number;
  /** Resource type of each resource now stored as in the input. */
  stored: string[];
}

const keyOf = ({ resource }: WriteItem): { resourceType: string; id: string } => ({
  resourceType: resource.resourceType,
  id: resource.id!,
});

function position(fileIndex: number, index: number): number {
  return fileIndex * 2 ** 32 + index;
}

function entriesOf(bundle: unknown): unknown[] {
  const entry = (bundle as { entry?: unknown }).entry;
  return Array.isArray(entry) ? entry : [];
}

function hasResourceType(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { resourceType?: unknown }).resourceType === 'string'
  );
}

/** The text of a validation issue, with its location. */
export function issueText(item: OperationOutcomeIssue): string {
  const text = item.diagnostics ?? item.details?.text ?? item.code;
  const expression = item.expression?.[0];
  return expression && !text.includes(expression) ? `${text} (${expression})` : text;
}

function errorMessage(error: unknown): string {
  if (isOperationOutcomeError(error)) {
    const first = error.outcome.issue?.[0];
    return first ? issueText(first) : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
