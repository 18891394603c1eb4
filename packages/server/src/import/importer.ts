import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { isConnectionLost } from '../db/errors.ts';
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
 * 2. **import**: reads again, rewrites references, validates and writes in batches of about
 *    `batchSize`, each one transaction (`ResourceService.writeMany`). Before writing, a batch reads
 *    the stored content of its resources and skips those whose content is the same (ignoring
 *    meta.versionId / meta.lastUpdated), so re-importing the same files writes nothing.
 *
 * A `transaction` Bundle lands whole or not at all (issue 15): its entries are never split across
 * batches (a batch holds whole Bundles; a Bundle larger than `batchSize` is a batch of its own), an
 * invalid entry keeps the whole Bundle out, and a killed import leaves every Bundle either whole or
 * absent. Its references never point at what is not there yet: a resource the Bundle holds whose
 * last occurrence is in a later file is created with the Bundle if it does not exist (with the
 * content of its last occurrence, known from the scan, so the record ends the same and a first
 * import writes one version of it), and left alone if it does.
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
  | { kind: 'entries'; fullUrls?: Map<string, string>; transaction: boolean }
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
  /** Written together or not at all: a transaction Bundle's entries share one (other items: one each). */
  group: number;
  /**
   * Not the resource's last occurrence, but in a transaction Bundle: created with the Bundle when it
   * does not exist, so the Bundle's references resolve; never changes a stored one.
   */
  ensure?: boolean;
  /** `ensure` with the content of the last occurrence (else the content here). */
  final?: boolean;
  /** Why an `ensure` item cannot be written (it is not counted as a failure of its own). */
  error?: string;
}

/** Resources kept with the content of their last occurrence (see ImportRun.finalContent). */
const MAX_FINAL_CONTENT = 20_000;

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
  /** `Type/id`s that occur in a transaction Bundle. */
  private readonly inTransaction = new Set<string>();
  /**
   * The content (references rewritten) of the last occurrence of a resource that also occurs in an
   * earlier transaction Bundle, which creates it with this content (at most MAX_FINAL_CONTENT;
   * past that, and for streamed files, with its own).
   */
  private readonly finalContent = new Map<string, Resource>();
  /** Resources created by this run for a Bundle (`ensure`): key -> version, and whether with the final content. */
  private readonly ensured = new Map<string, { versionId: number; final: boolean }>();
  /** The transaction Bundle being read: its items go to `pending` together when it is read to the end. */
  private group: WriteItem[] | undefined;
  private nextGroup = 0;
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
          this.seen(planResource(value, file.path, line), fileIndex, line, false, NO_URLS);
        }
        return { kind: 'ndjson' };
      }

      if (!file.gzip && file.size <= this.streamThreshold) {
        const value: unknown = JSON.parse(await readWholeFile(file, onBytes));
        const plan = this.planJson(file, value);
        if (plan.kind === 'entries') {
          const plans = entriesOf(value).map((entry, index) => planEntry(entry, file.path, index));
          const fullUrls = new Map<string, string>();
          plans.forEach((p) => addFullUrl(fullUrls, p));
          plans.forEach((p, index) => this.seen(p, fileIndex, index, plan.transaction, fullUrls));
        } else if (plan.kind === 'single') {
          this.seen(planResource(value, file.path, 0), fileIndex, 0, false, NO_URLS);
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
            const transaction = fields.get('type') === 'transaction';
            found.splice(0).forEach(([p, index]) => this.seen(p, fileIndex, index, transaction));
          }
        }
      }
      const plan = this.planJson(file, { resourceType: fields.get('resourceType'), type: fields.get('type') });
      if (plan.kind === 'entries') {
        found.forEach(([p, index]) => this.seen(p, fileIndex, index, plan.transaction));
        return { kind: 'entries', fullUrls, transaction: plan.transaction };
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
    return handling === 'whole' ? { kind: 'single' } : { kind: 'entries', transaction: type === 'transaction' };
  }

  /**
   * Records an occurrence. `fullUrls` (the file's complete map; not for a streamed Bundle, whose
   * entries are not kept): for keeping the content of a resource that an earlier transaction Bundle
   * also holds (see `finalContent`).
   */
  private seen(
    plan: EntryPlan,
    fileIndex: number,
    index: number,
    transaction = false,
    fullUrls?: ReadonlyMap<string, string>,
  ): void {
    if (plan.kind !== 'resource') {
      return;
    }
    const key = detach(`${plan.resourceType}/${plan.id}`);
    if (this.inTransaction.has(key)) {
      // A later occurrence of one an earlier transaction Bundle holds: it may be the last.
      if (fullUrls && (this.finalContent.has(key) || this.finalContent.size < MAX_FINAL_CONTENT)) {
        this.finalContent.set(key, finalResource(plan, fullUrls).resource);
      } else {
        this.finalContent.delete(key);
      }
    }
    if (transaction) {
      this.inTransaction.add(key);
    }
    this.lastSeen.set(key, position(fileIndex, index));
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
    // A transaction Bundle's entries are collected and written together once it is read to the end.
    this.group = plan.kind === 'entries' && plan.transaction ? [] : undefined;
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
      if (this.aborted) {
        this.dropGroup('Not written: the import stopped before the rest of its transaction Bundle was read');
      } else {
        await this.closeGroup();
      }
    } catch (error) {
      if (error instanceof BatchWriteError) {
        throw error;
      }
      this.dropGroup('Not written: the rest of its transaction Bundle could not be read');
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
      if (this.group) {
        // Written later, but the Bundle's references must resolve when it lands: see `ensure`.
        const final = this.finalContent.get(key);
        this.group.push({
          resource: final ? structuredClone(final) : finalResource(plan, fullUrls).resource,
          key,
          file: file.path,
          location,
          group: -1,
          ensure: true,
          final: final !== undefined,
        });
      }
      return;
    }
    const { resource, unresolved } = finalResource(plan, fullUrls);
    this.unresolved += unresolved;
    const item: WriteItem = { resource, key, file: file.path, location, group: -1 };
    if (this.group) {
      this.group.push(item);
      return;
    }
    item.group = this.nextGroup++;
    this.pending.push(item);
    if (this.pending.length >= this.batchSize) {
      await this.flush();
    }
  }

  /**
   * The transaction Bundle read to its end joins the pending batch as one group. An `ensure` of a
   * resource the Bundle also writes as its last occurrence, or ensured twice, is dropped.
   */
  private async closeGroup(): Promise<void> {
    const items = this.group;
    this.group = undefined;
    if (!items?.length) {
      return;
    }
    const written = new Set(items.filter((item) => !item.ensure).map((item) => item.key));
    const ensured = new Set<string>();
    const group = this.nextGroup++;
    for (const item of items) {
      if (item.ensure) {
        if (written.has(item.key) || ensured.has(item.key)) {
          continue;
        }
        ensured.add(item.key);
      }
      item.group = group;
      this.pending.push(item);
    }
    if (this.pending.length >= this.batchSize) {
      await this.flush();
    }
  }

  /** A transaction Bundle that cannot be read whole: none of it is written. */
  private dropGroup(message: string): void {
    const items = this.group ?? [];
    this.group = undefined;
    for (const item of items) {
      if (!item.ensure) {
        this.failItem(item, message, false);
      }
    }
  }

  /**
   * Starts writing the pending batch, first waiting for the oldest batch being written when
   * `concurrency` are. Reading and validating the next batch overlaps with the writes. Concurrent
   * batches share a resource only through an `ensure`; each transaction locks its resources in one
   * order (ResourceRepository.lock), so they wait for each other and never deadlock.
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
    // An `ensure` of a resource that is there already has nothing to do: dropped here, so that
    // concurrent batches do not wait for each other's locks on shared resources.
    batch = batch.filter((item) => {
      const current = item.ensure ? stored.get(item.key) : undefined;
      return !current || current.deleted;
    });
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
    // A transaction Bundle with an invalid entry is not written at all.
    const refused = new Map<number, WriteItem>();
    for (const item of batch) {
      if (item.invalid && !refused.has(item.group)) {
        refused.set(item.group, item);
      }
    }
    if (refused.size === 0) {
      return batch;
    }
    for (const item of batch) {
      const cause = refused.get(item.group);
      if (cause && !item.invalid && !item.ensure) {
        this.failItem(item, bundleRefusal(cause), false);
      }
    }
    return batch.filter((item) => !refused.has(item.group));
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
    if (result && item.ensure) {
      // Reported through the Bundle's other entries (and where it occurs last).
      item.invalid = true;
      item.error = issueText(result.first);
    } else if (result) {
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

  /**
   * Writes a batch; if it fails, writes its groups (a transaction Bundle, or one resource) one by
   * one to find the ones that cannot be written. A lost database connection ends the import.
   */
  private async writeIsolating(batch: WriteItem[]): Promise<void> {
    try {
      this.apply(await this.writeTransaction(batch));
    } catch (error) {
      if (isConnectionLost(error)) {
        throw error;
      }
      const groups = groupsOf(batch);
      if (groups.length === 1) {
        groups[0]!.filter((item) => !item.ensure).forEach((item) => this.failItem(item, error));
        return;
      }
      // Find the groups that cannot be written: one transaction each.
      const results: [WriteItem[], Applied | Error][] = [];
      for (const group of groups) {
        try {
          results.push([group, await this.writeTransaction(group)]);
        } catch (groupError) {
          if (isConnectionLost(groupError)) {
            throw groupError;
          }
          results.push([group, groupError instanceof Error ? groupError : new Error(String(groupError))]);
        }
      }
      if (results.every(([, r]) => r instanceof Error)) {
        throw error; // not the data: the database (schema, ...)
      }
      for (const [group, result] of results) {
        if (result instanceof Error) {
          group.filter((item) => !item.ensure).forEach((item) => this.failItem(item, result));
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
    const ensuredHere: Applied['ensured'] = [];
    const writing = this.service.transaction(async (tx) => {
      const db = tx.searchContext().db;
      const repository = new ResourceRepository(db);
      if (!this.dryRun) {
        await repository.lock(batch.map((item) => item.key));
      }
      const current = await repository.currentVersions(batch.map(keyOf));
      const applied: Applied = { created: 0, updated: 0, unchanged: 0, stored: [], ensured: [] };
      // One write per resource: an `ensure` and a last occurrence of one resource may share a batch.
      const writes = new Map<string, { resource: Resource; method: 'create' | 'update' }>();
      for (const item of batch) {
        const stored = current.get(item.key);
        const exists = stored !== undefined && !stored.deleted;
        if (item.ensure) {
          if (!exists && !writes.has(item.key)) {
            if (!this.checkValid(item)) {
              throw new Error(bundleRefusal(item)); // (removed meanwhile, and not valid: rare)
            }
            writes.set(item.key, { resource: item.resource, method: 'create' });
            applied.ensured.push([item.key, { versionId: (stored?.versionId ?? 0) + 1, final: item.final === true }]);
          }
          continue;
        }
        // Created by this run for an earlier Bundle: counted as created here, where it occurs last.
        const ensured = exists ? this.ensured.get(item.key) : undefined;
        const byThisRun = ensured !== undefined && ensured.versionId === stored?.versionId;
        if (byThisRun && ensured.final) {
          applied.created++;
        } else if (exists && item.sameAs === stored.versionId) {
          applied.unchanged++;
        } else if (writes.has(item.key) && this.checkValid(item)) {
          // Ensured in this same batch: the last occurrence's content is what is written.
          writes.set(item.key, { resource: item.resource, method: 'create' });
          applied.created++;
        } else if (item.sameAs === undefined || this.checkValid(item)) {
          // (A resource found unchanged before the transaction but written meanwhile is validated now.)
          writes.set(item.key, { resource: item.resource, method: exists ? 'update' : 'create' });
          applied[exists && !byThisRun ? 'updated' : 'created']++;
        } else {
          continue;
        }
        applied.stored.push(item.resource.resourceType);
      }
      if (writes.size && !this.dryRun) {
        await tx.writeMany([...writes.values()], current);
        // Known before the commit: a concurrent batch waiting on these resources' locks reads them
        // as soon as this commits, possibly before `apply` runs, and must count them as this run's.
        for (const entry of applied.ensured) {
          this.ensured.set(...entry);
          ensuredHere.push(entry);
        }
      }
      return applied;
    });
    try {
      return await writing;
    } catch (error) {
      // Rolled back: what it ensured does not exist (unless another batch has since ensured it).
      for (const [key, version] of ensuredHere) {
        if (this.ensured.get(key) === version) {
          this.ensured.delete(key);
        }
      }
      throw error;
    }
  }

  private apply(applied: Applied): void {
    if (!this.dryRun) {
      for (const [key, version] of applied.ensured) {
        this.ensured.set(key, version);
      }
    }
    this.counts.created += applied.created;
    this.counts.updated += applied.updated;
    this.counts.unchanged += applied.unchanged;
    for (const type of applied.stored) {
      this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
    }
  }

  private failItem(item: WriteItem, error: unknown, prefix = true): void {
    this.fail({
      file: item.file,
      location: item.location,
      resourceType: item.resource.resourceType,
      id: item.resource.id,
      message: prefix ? `Not written: ${errorMessage(error)}` : String(error),
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
  /** Resources created for a Bundle before their last occurrence (`ensure`). */
  ensured: [string, { versionId: number; final: boolean }][];
}

/** The batch's groups (whole transaction Bundles, single resources), in order. */
function groupsOf(batch: readonly WriteItem[]): WriteItem[][] {
  const groups = new Map<number, WriteItem[]>();
  for (const item of batch) {
    const group = groups.get(item.group);
    if (group) {
      group.push(item);
    } else {
      groups.set(item.group, [item]);
    }
  }
  return [...groups.values()];
}

/** Why the rest of a transaction Bundle is not written. */
function bundleRefusal(cause: WriteItem): string {
  const what = `${cause.resource.resourceType}/${cause.resource.id ?? '?'}`;
  const why = cause.error ? `: ${cause.error}` : '';
  return (
    `Not written: a transaction Bundle is written whole or not at all, and its ${cause.location} ` +
    `(${what}) is invalid${why}`
  );
}

const keyOf = ({ resource }: WriteItem): { resourceType: string; id: string } => ({
  resourceType: resource.resourceType,
  id: resource.id!,
});

const NO_URLS: ReadonlyMap<string, string> = new Map();

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
