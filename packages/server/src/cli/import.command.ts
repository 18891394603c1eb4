import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { openDatabase } from '../db/open.ts';
import { createPlatform } from '../http/app.ts';
import { importFiles } from '../import/importer.ts';
import { formatProgressLine, formatSummary } from '../import/report.ts';
import type { ImportFailure, ImportProgress } from '../import/types.ts';

interface ImportCommandOptions {
  batchSize: number;
  validate: boolean;
  dryRun?: boolean;
  allowFailures?: boolean;
  maxFailures?: number;
  failures?: string;
  progress: boolean;
}

const HELP_AFTER = `
Inputs
  Files or directories (searched recursively, hidden entries skipped):
    *.json                a Bundle (transaction, batch, collection, searchset: each entry is
                          imported) or a single resource; document and message Bundles are
                          stored whole
    *.ndjson, *.jsonl     one resource per line (FHIR Bulk Data export files)
    *.json.gz, *.ndjson.gz  the same, gzip-compressed
  Files are streamed, so they may be larger than memory. Files that hold no FHIR resources
  (e.g. a bulk export's log.ndjson) are skipped and listed in the summary.

What is written
  Each resource keeps its own id. A Bundle entry without one takes the uuid of its
  'urn:uuid:' fullUrl (or the id of a 'PUT Type/id' request), and every reference to that
  fullUrl is rewritten to 'Type/id'. Anything else gets an id derived from the file path and
  entry position, so importing the same files again addresses the same resources.
  Resources whose stored content is already the same (ignoring meta.versionId and
  meta.lastUpdated) are not written again: re-running an import creates no new versions.
  If the input holds the same Type/id more than once, only its last occurrence is written.
  Resources are written in batches, one database transaction per batch.
  A transaction Bundle is written whole or not at all: never split across batches, and not
  written if one of its entries is invalid; a stopped or killed import leaves each Bundle whole
  or absent. A resource it holds whose last occurrence comes later (a shared Organization) is
  created with it if missing, so its references always resolve.

Exit status
  0  everything was imported (or was already there)
  1  some resources failed (invalid, or could not be written) and --allow-failures was not
     given, or --max-failures stopped the import; the valid resources were still imported
  2  the import could not run (configuration, missing input, database unavailable)

Database
  Uses the configured database (CAREWEAVE_DATABASE_URL for PostgreSQL, else the embedded
  database in CAREWEAVE_DATA_DIR). The embedded database can be opened by one process only:
  stop the server before importing into it, or use PostgreSQL to import while it runs.

Examples
  careweave import ../shared/data/synthea/bundles
  careweave import --no-validate export/*.ndjson.gz
  careweave import --dry-run --failures problems.ndjson data/
  CAREWEAVE_DATABASE_URL=postgres://localhost/careweave careweave import --batch-size 1000 bundles/
`;

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .summary('Import FHIR Bundles and NDJSON files (also .gz) into the database')
    .description(
      'Import FHIR resources from Bundles (.json) and NDJSON files (.ndjson, .jsonl), also gzip-compressed (.gz).\n' +
        'Validates each resource, writes them in batches, and skips resources that are already stored unchanged.',
    )
    .argument('<paths...>', 'files or directories to import')
    .option('--batch-size <n>', 'resources per database transaction (whole transaction Bundles)', positiveInteger, 500)
    .option('--no-validate', 'skip FHIR validation, checking only resourceType and id (faster; for trusted data)')
    .option('--dry-run', 'read, validate and compare with the database, but write nothing')
    .option('--allow-failures', 'exit with status 0 even if some resources failed (they are still reported)')
    .option(
      '--max-failures <n>',
      'stop reading input after <n> failures (what was read before is still written)',
      positiveInteger,
    )
    .option('--failures <file>', 'write every failure to <file>, one JSON object per line')
    .option('--no-progress', 'no progress bar or progress lines, only the summary')
    .addHelpText('after', HELP_AFTER)
    .action(async (paths: string[], options: ImportCommandOptions) => {
      process.exitCode = await runImport(paths, options);
    });
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('must be a positive integer');
  }
  return n;
}

async function runImport(paths: string[], options: ImportCommandOptions): Promise<number> {
  for (const input of paths) {
    if (!fs.existsSync(input)) {
      process.stderr.write(`careweave import: no such file or directory: ${input}\n`);
      return 2;
    }
  }
  const config = loadConfig();
  const db = await openConfiguredDatabase(config);
  if (!db) {
    return 2;
  }
  const failuresFile = options.failures ? fs.createWriteStream(options.failures) : undefined;
  const reporter = createReporter(options.progress);
  try {
    const platform = createPlatform(config, db);
    const summary = await importFiles(platform.resources, paths, {
      batchSize: options.batchSize,
      validate: options.validate,
      dryRun: options.dryRun ?? false,
      maxFailures: options.maxFailures,
      onProgress: (progress) => reporter.update(progress),
      onFailure: (failure: ImportFailure) => {
        failuresFile?.write(`${JSON.stringify(failure)}\n`);
      },
      keepFailures: 20,
    });
    reporter.stop();
    process.stdout.write(formatSummary(summary, { failuresFile: options.failures, cwd: process.cwd() }));
    if (summary.aborted) {
      return 1;
    }
    return summary.failed > 0 && !options.allowFailures ? 1 : 0;
  } catch (error) {
    reporter.stop();
    process.stderr.write(
      `careweave import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 2;
  } finally {
    await new Promise<void>((resolve) => (failuresFile ? failuresFile.end(resolve) : resolve()));
    await db.close();
  }
}

/**
 * Opens the configured database. The embedded database is used by one process at a time (its
 * lock, src/db/data-dir-lock.ts): when another holds it, say so and how to go on.
 */
async function openConfiguredDatabase(config: Config): Promise<Database | undefined> {
  try {
    return await openDatabase(config.database, { holder: 'import' });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (config.database.kind === 'postgres') {
      process.stderr.write(`careweave import: cannot connect to PostgreSQL (CAREWEAVE_DATABASE_URL): ${message}\n`);
      return undefined;
    }
    const reason = error instanceof DataDirInUseError ? error.message : `cannot open it: ${message}`;
    process.stderr.write(
      [
        `careweave import: the embedded database at ${config.database.dataDir}: ${reason}`,
        'The embedded database can only be used by one process at a time. Either:',
        '  - stop the CareWeave server, run the import, then start the server again; or',
        '  - use PostgreSQL (set CAREWEAVE_DATABASE_URL), which lets the import run while the server is up.',
        '',
      ].join('\n'),
    );
    return undefined;
  }
}

interface Reporter {
  update(progress: ImportProgress): void;
  stop(): void;
}

/** A progress bar over the input bytes on a terminal; otherwise a line every 5 seconds. */
function createReporter(enabled: boolean): Reporter {
  if (!enabled) {
    return { update: () => undefined, stop: () => undefined };
  }
  if (!process.stdout.isTTY) {
    let last = 0;
    let lastPhase = '';
    return {
      update(progress) {
        const now = Date.now();
        if (now - last >= 5000 || progress.phase !== lastPhase) {
          last = now;
          lastPhase = progress.phase;
          process.stdout.write(`${formatProgressLine(progress)}\n`);
        }
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stdout,
      format:
        '{phase} [{bar}] {percentage}% | {mb} | {resources} resources ({rate}/s) | {counts} | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase = '';
  return {
    update(progress) {
      const payload = {
        phase: progress.phase === 'scan' ? 'Scanning ' : 'Importing',
        mb: `${mb(progress.bytesDone)}/${mb(progress.bytesTotal)} MB`,
        resources: progress.phase === 'scan' ? '-' : progress.resources,
        rate:
          progress.phase === 'scan' ? '-' : Math.round(progress.resources / Math.max(progress.elapsedMs / 1000, 0.001)),
        counts:
          progress.phase === 'scan'
            ? `file ${Math.min(progress.filesDone + 1, progress.filesTotal)}/${progress.filesTotal}`
            : `${progress.created} new, ${progress.updated} updated, ${progress.unchanged} unchanged, ${progress.failed} failed`,
      };
      const total = Math.max(progress.bytesTotal, 1);
      if (!started || progress.phase !== phase) {
        if (started) {
          bar.stop();
        }
        bar.start(total, progress.bytesDone, payload);
        started = true;
        phase = progress.phase;
      } else {
        bar.update(progress.bytesDone, payload);
      }
    },
    stop() {
      if (started) {
        bar.stop();
        started = false;
      }
    },
  };
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
