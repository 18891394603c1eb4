import fs from 'node:fs';
import readline from 'node:readline';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { AuditLog } from '../access/audit.ts';
import { toAuditEvent } from '../access/audit-event.ts';
import { namedRefs } from '../access/audit-operations.ts';
import { dateBounds, type AuditFilter } from '../access/audit-query.ts';
import type { VerifyResult } from '../access/audit-verify.ts';
import { verifyExportedEvents } from '../access/audit-export-verify.ts';
import { refusal, runOnBackend, type Backends } from './backend.ts';

/** How the audit commands reach the trail: the database itself, or a running server's API. */
interface AuditBackend {
  verify(): Promise<VerifyResult>;
  /** AuditEvents as NDJSON lines, oldest first. */
  exportLines(filter: AuditFilter): AsyncIterable<string>;
}

const CLI_ACTOR = { kind: 'system', clientId: 'careweave-cli', scopes: [] } as const;

export function registerAuditCommand(program: Command): void {
  const audit = program
    .command('audit')
    .description('The audit trail: check its hash chains, export it as FHIR AuditEvents (docs/ACCESS.md, Audit)');

  audit
    .command('verify')
    .description('Recompute every hash chain and checkpoint; exit 1 if any row was changed or removed')
    .option('--json', 'print the result as JSON')
    .option('--server <url>', 'go through this running server’s API')
    .option('--file <ndjson>', 'check an export (careweave audit export) instead, without the database')
    .option('--partial', 'with --file: the export was filtered (--patient/--since), so check each event alone')
    .addHelpText(
      'after',
      '\nPrints the rows checked and the last row of each chain (keep these somewhere else: rows written\n' +
        'after the last checkpoint could be removed without trace), or the first broken row and why.\n' +
        'Exit status: 0 intact, 1 broken, 2 could not check.\n\n' +
        'Examples:\n  careweave audit verify\n  careweave audit verify --json\n' +
        '  careweave audit export --out audit.ndjson && careweave audit verify --file audit.ndjson\n',
    )
    .action(async (options: { json?: boolean; server?: string; file?: string; partial?: boolean }) => {
      const report = (result: VerifyResult): void => {
        process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result));
        if (!result.ok) {
          process.exitCode = 1;
        }
      };
      const file = options.file;
      if (file) {
        try {
          report(await verifyExportedEvents(() => readLines(file), { complete: !options.partial }));
        } catch (error) {
          process.stderr.write(`Cannot check ${file}: ${(error as Error).message}\n`);
          process.exitCode = 2;
        }
        return;
      }
      await withBackend(loadConfig(), 'audit verify', options.server, async (backend) => {
        report(await backend.verify());
      });
    });

  audit
    .command('export')
    .description('Write the audit trail as FHIR AuditEvents, one per line (NDJSON), oldest first')
    .option('--patient <id>', 'only accesses to this patient (id or Patient/id)')
    .option('--since <date>', 'only events recorded on or after this date (YYYY-MM-DD or a dateTime)')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--server <url>', 'go through this running server’s API')
    .addHelpText(
      'after',
      '\nProgress goes to standard error. Each AuditEvent carries its chain position and the text its\n' +
        'hash covers (extension https://careweave.example/fhir/StructureDefinition/audit-chain).\n\n' +
        'Examples:\n' +
        '  careweave audit export --out audit.ndjson\n' +
        '  careweave audit export --patient 9000000009 --since 2026-01-01 | jq .agent[0].who\n',
    )
    .action(async (options: { patient?: string; since?: string; out?: string; server?: string }) => {
      await withBackend(loadConfig(), 'audit export', options.server, async (backend) => {
        const filter: AuditFilter = {
          ...(options.patient ? { patient: options.patient.replace(/^Patient\//, '') } : {}),
          ...(options.since ? dateBounds([`ge${options.since}`]) : {}),
        };
        const written = await writeLines(backend.exportLines(filter), options.out);
        process.stderr.write(`audit export: ${written} events${options.out ? ` written to ${options.out}` : ''}\n`);
      });
    });
}

function describe(result: VerifyResult): string {
  if (!result.ok) {
    return `BROKEN after ${result.checked} rows: row ${result.firstBrokenSeq} (chain ${result.chain}): ${result.reason}\n`;
  }
  const heads = Object.entries(result.heads ?? {}).map(
    ([chain, head]) => `  chain ${chain.padStart(2)}: row ${head.seq}  ${head.hash}`,
  );
  return [
    `OK: ${result.checked} rows on ${heads.length} chains verified.`,
    'Last row of each chain:',
    ...heads,
    '',
  ].join('\n');
}

async function writeLines(lines: AsyncIterable<string>, out: string | undefined): Promise<number> {
  const stream = out ? fs.createWriteStream(out) : process.stdout;
  let count = 0;
  let reported = Date.now();
  for await (const line of lines) {
    if (!stream.write(line)) {
      await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    }
    count++;
    if (Date.now() - reported > 2000) {
      reported = Date.now();
      process.stderr.write(`audit export: ${count} events…\n`);
    }
  }
  if (out) {
    (stream as fs.WriteStream).end();
    await finished(stream);
  }
  return count;
}

/** Runs `work` on the database directly when it can, else through the server holding the embedded database (exit 2 when refused). */
function withBackend(
  config: Config,
  command: string,
  serverUrl: string | undefined,
  work: (backend: AuditBackend) => Promise<void>,
): Promise<void> {
  return runOnBackend(config, command, serverUrl, AUDIT_BACKENDS, work, 2);
}

function databaseBackend(db: Database, config: Config): AuditBackend {
  const audit = new AuditLog(db);
  const fhirBase = `${config.baseUrl}/fhir/R4`;
  return {
    verify: () => audit.verify(),
    async *exportLines(filter) {
      // An export is itself an access to the trail: recorded like the API's $audit-log export.
      await audit.recordEvent(CLI_ACTOR, {
        interaction: 'audit-log-export',
        patients: filter.patient ? [filter.patient] : [],
        decision: 'permit',
        query: `careweave audit export ${JSON.stringify(filter)}`,
      });
      let page = [];
      for await (const entry of audit.stream(filter)) {
        page.push(entry);
        if (page.length === 500) {
          const names = await audit.displayNames(page.flatMap(namedRefs));
          yield page.map((e) => `${JSON.stringify(toAuditEvent(e, { fhirBase, names }))}\n`).join('');
          page = [];
        }
      }
      const names = await audit.displayNames(page.flatMap(namedRefs));
      yield* page.map((e) => `${JSON.stringify(toAuditEvent(e, { fhirBase, names }))}\n`);
    },
  };
}

function httpBackend(baseUrl: string, token: string): AuditBackend {
  const get = async (path: string, accept: string): Promise<Response> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept } });
    return response.ok ? response : refusal(response, path);
  };
  return {
    verify: async () => (await (await get('/api/access/audit/$verify', 'application/json')).json()) as VerifyResult,
    async *exportLines(filter) {
      const query = new URLSearchParams({ _format: 'ndjson' });
      if (filter.patient) {
        query.set('patient', filter.patient);
      }
      if (filter.from) {
        query.set('date', `ge${filter.from}`);
      }
      const response = await get(`/fhir/R4/$audit-log?${query.toString()}`, 'application/fhir+ndjson');
      yield* splitLines(response);
    },
  };
}

const AUDIT_BACKENDS: Backends<AuditBackend> = { database: databaseBackend, server: httpBackend };

function readLines(file: string): AsyncIterable<string> {
  return readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
}

/** The response body's lines, each with its newline. */
async function* splitLines(response: Response): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  const body: AsyncIterable<Uint8Array> = response.body ?? (async function* () {})();
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line) {
        yield `${line}\n`;
      }
    }
  }
  if (rest.trim()) {
    yield `${rest}\n`;
  }
}
