import path from 'node:path';
import type { ImportProgress, ImportSummary } from './types.ts';

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

function relative(file: string, cwd?: string): string {
  if (!cwd) {
    return file;
  }
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') && rel.split(path.sep).filter((p) => p === '..').length > 2 ? file : rel;
}

/** One line of progress, for logs (no terminal). */
export function formatProgressLine(p: ImportProgress): string {
  const percent = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
  const where = `${percent}% of ${mb(p.bytesTotal)} MB, file ${Math.min(p.filesDone + 1, p.filesTotal)}/${p.filesTotal}`;
  if (p.phase === 'scan') {
    return `[import] scanning: ${where}`;
  }
  const rate = Math.round(p.resources / Math.max(p.elapsedMs / 1000, 0.001));
  return (
    `[import] importing: ${where}; ${p.resources} resources (${rate}/s): ` +
    `${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ${p.failed} failed`
  );
}

/** The summary table printed at the end of `careweave import`. */
export function formatSummary(s: ImportSummary, options: { failuresFile?: string; cwd?: string } = {}): string {
  const seconds = s.elapsedMs / 1000;
  const rows: [string, string, string?][] = [
    ['Files', String(s.files), s.skippedFiles.length ? `${s.skippedFiles.length} skipped (see below)` : undefined],
    ['Resources read', String(s.resources), `${mb(s.bytes)} MB`],
    ['  created', String(s.created)],
    ['  updated', String(s.updated)],
    ['  unchanged', String(s.unchanged), 'already stored with the same content: not written'],
    ['  failed', String(s.failed)],
  ];
  if (s.superseded) {
    rows.push(['  superseded', String(s.superseded), 'a later entry of the input has the same type and id']);
  }
  if (s.skipped) {
    rows.push(['Entries skipped', String(s.skipped), 'Bundle entries without a resource (e.g. DELETE)']);
  }
  if (s.unresolvedReferences) {
    rows.push([
      'Unresolved refs',
      String(s.unresolvedReferences),
      'urn: references matching no entry of their Bundle, kept as they were',
    ]);
  }
  rows.push(['Elapsed', `${seconds.toFixed(1)} s`]);
  rows.push([
    'Throughput',
    `${Math.round(s.resourcesPerSecond)} resources/s`,
    `${mb(s.bytes / Math.max(seconds, 0.001))} MB/s`,
  ]);

  const width = Math.max(...rows.map(([, v]) => v.length));
  const lines = ['', s.dryRun ? 'Import summary (dry run: nothing was written)' : 'Import summary'];
  for (const [label, value, note] of rows) {
    lines.push(`  ${label.padEnd(16)} ${value.padStart(width)}${note ? `   ${note}` : ''}`);
  }

  const types = Object.entries(s.byType).sort(([, a], [, b]) => b - a);
  if (types.length) {
    lines.push('', 'Stored by type (created + updated + unchanged)');
    const typeWidth = Math.max(...types.map(([t]) => t.length));
    for (const [type, count] of types) {
      lines.push(`  ${type.padEnd(typeWidth)} ${String(count).padStart(8)}`);
    }
  }

  if (s.skippedFiles.length) {
    lines.push('', 'Skipped files');
    for (const { file, reason } of s.skippedFiles) {
      lines.push(`  ${relative(file, options.cwd)}: ${reason}`);
    }
  }

  if (s.failed) {
    lines.push('', `Failures (${s.failed})`);
    for (const f of s.failures) {
      const what = f.resourceType ? ` ${f.resourceType}${f.id ? `/${f.id}` : ''}` : '';
      const more = f.issues > 1 ? ` (+${f.issues - 1} more issues)` : '';
      lines.push(`  ${relative(f.file, options.cwd)} ${f.location}${what}: ${f.message}${more}`);
    }
    if (s.failed > s.failures.length) {
      lines.push(
        `  ... and ${s.failed - s.failures.length} more` +
          (options.failuresFile ? ` (all are in ${options.failuresFile})` : ' (use --failures <file> to get them all)'),
      );
    } else if (options.failuresFile) {
      lines.push(`  (also written to ${options.failuresFile})`);
    }
  }
  if (s.aborted) {
    lines.push('', 'Stopped early: --max-failures was reached.');
  }
  lines.push('');
  return lines.join('\n');
}
