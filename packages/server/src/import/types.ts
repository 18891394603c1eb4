/** Options of {@link importFiles}. */
export interface ImportOptions {
  /** Resources per database transaction (default 500). */
  batchSize?: number;
  /**
   * Batches written at the same time, each in its own transaction (default 2: one being committed
   * while the next is written; PGlite runs them one after the other anyway).
   */
  concurrency?: number;
  /** Validate every resource with the FHIR validator (default true). Envelope checks always run. */
  validate?: boolean;
  /**
   * Worker threads for validation (0: validate on the main thread). Default: one fewer than the
   * CPU cores (at least 1, at most 4) when the input is 16 MiB or more, else 0.
   */
  validationWorkers?: number;
  /** Compare and count, but write nothing (default false). */
  dryRun?: boolean;
  /** Called after every batch written and every file, and at most every 200 ms while reading. */
  onProgress?: (progress: ImportProgress) => void;
  /** Called for every failed resource or unreadable file, as it happens. */
  onFailure?: (failure: ImportFailure) => void;
  /** Stop reading input once this many failures were seen (default: never). */
  maxFailures?: number;
  /**
   * Uncompressed `.json` files up to this size are read whole and parsed with JSON.parse (about
   * ten times faster than the streaming parser); bigger ones, and all gzip `.json` files, are
   * streamed. Default 32 MiB; 0 streams everything.
   */
  streamThresholdBytes?: number;
  /** How many failures the summary keeps (all are counted and passed to onFailure). Default 1000. */
  keepFailures?: number;
}

export type ImportPhase = 'scan' | 'import';

export interface ImportCounts {
  /** Resources read from the input (including failed and superseded ones). */
  resources: number;
  /** Written as a new resource (not stored before, or stored as deleted). */
  created: number;
  /** Written as a new version of a stored resource whose content differed. */
  updated: number;
  /** Stored already with the same content (ignoring meta.versionId / meta.lastUpdated): not written. */
  unchanged: number;
  /** Invalid or unwritable resources (see failures), plus unreadable files. */
  failed: number;
  /** Resources not written because a later entry of this import has the same type and id. */
  superseded: number;
  /** Bundle entries that carry no resource (e.g. DELETE entries): not imported. */
  skipped: number;
}

export interface ImportProgress extends ImportCounts {
  /** 'scan': the first, read-only pass over every file; 'import': the pass that writes. */
  phase: ImportPhase;
  /** Bytes of the input files (as stored, i.e. compressed for .gz) read in this phase. */
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  currentFile?: string;
  elapsedMs: number;
}

export interface ImportFailure {
  file: string;
  /** Where in the file: `entry 12` (Bundle entry index, from 0), `line 7` (NDJSON, from 1), `file`. */
  location: string;
  resourceType?: string;
  id?: string;
  /** The first error, e.g. the first validation issue with its FHIRPath. */
  message: string;
  /** Number of validation errors for this resource (1 for other failures). */
  issues: number;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ImportSummary extends ImportCounts {
  /** Files read (resource files, not counting skipped ones). */
  files: number;
  /** Files that were not imported because they hold no FHIR resources (e.g. a bulk export log). */
  skippedFiles: SkippedFile[];
  /** The first `keepFailures` failures, in order. */
  failures: ImportFailure[];
  /** Distinct resources per type that are now stored as in the input (created + updated + unchanged). */
  byType: Record<string, number>;
  /** `urn:uuid:` / `urn:oid:` references that matched no entry of their Bundle, left as they were. */
  unresolvedReferences: number;
  /** True when reading stopped early because of maxFailures. */
  aborted: boolean;
  dryRun: boolean;
  bytes: number;
  elapsedMs: number;
  resourcesPerSecond: number;
}
