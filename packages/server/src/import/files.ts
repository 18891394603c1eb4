import fs from 'node:fs/promises';
import path from 'node:path';

export type InputFormat = 'json' | 'ndjson';

export interface InputFile {
  /** Absolute path. */
  path: string;
  format: InputFormat;
  gzip: boolean;
  /** Size on disk (compressed size for .gz). */
  size: number;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** Named explicitly but not importable (unknown extension). */
  ignored: { file: string; reason: string }[];
}

/** The format of a file from its name, or undefined when it is not an import file. */
export function formatOf(file: string): { format: InputFormat; gzip: boolean } | undefined {
  const name = file.toLowerCase();
  const gzip = name.endsWith('.gz');
  const base = gzip ? name.slice(0, -3) : name;
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl')) {
    return { format: 'ndjson', gzip };
  }
  if (base.endsWith('.json')) {
    return { format: 'json', gzip };
  }
  return undefined;
}

/**
 * Expands files and directories (recursively) into the files to import, in a stable order:
 * arguments in the order given, directory contents sorted by name (code point order), hidden
 * files and directories skipped. A file reached twice is imported once.
 */
export async function expandInputs(inputs: readonly string[]): Promise<ExpandedInputs> {
  const files: InputFile[] = [];
  const ignored: { file: string; reason: string }[] = [];
  const seen = new Set<string>();

  const addFile = async (file: string, explicit: boolean): Promise<void> => {
    const format = formatOf(file);
    if (!format) {
      if (explicit) {
        ignored.push({ file, reason: 'not a .json, .ndjson or .jsonl file (optionally .gz)' });
      }
      return;
    }
    const real = await fs.realpath(file);
    if (seen.has(real)) {
      return;
    }
    seen.add(real);
    const stat = await fs.stat(real);
    files.push({ path: path.resolve(file), ...format, size: stat.size });
  };

  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) {
        continue;
      }
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const stat = await fs.stat(full).catch(() => undefined);
        if (stat?.isDirectory()) {
          await walk(full);
        } else if (stat?.isFile()) {
          await addFile(full, false);
        }
      }
    }
  };

  for (const input of inputs) {
    const resolved = path.resolve(input);
    let stat;
    try {
      stat = await fs.stat(resolved);
    } catch {
      throw new Error(`No such file or directory: ${input}`);
    }
    if (stat.isDirectory()) {
      await walk(resolved);
    } else {
      await addFile(resolved, true);
    }
  }
  return { files, ignored };
}
