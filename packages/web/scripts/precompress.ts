import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Text assets worth compressing (fonts and images are compressed already). */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|webmanifest)$/;
/** Below this a compressed copy saves less than its headers cost. */
const MIN_BYTES = 1024;

/**
 * Writes `file.br` (Brotli, quality 11) and `file.gz` (gzip, level 9) beside every compressible
 * file of at least 1 KiB, when it makes the file smaller. Compressed once at build time, at the
 * highest settings, instead of on every response: the server sends the copy the browser accepts
 * (`@fastify/static`'s `preCompressed`). Returns the files written, for the build log and tests.
 */
export function precompressDirectory(dir: string): string[] {
  const written: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) {
      continue;
    }
    const bytes = fs.readFileSync(file);
    if (bytes.length < MIN_BYTES) {
      continue;
    }
    const copies: [string, Buffer][] = [
      [`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })],
      [`${file}.gz`, gzipSync(bytes, { level: 9 })],
    ];
    for (const [name, compressed] of copies) {
      if (compressed.length < bytes.length) {
        fs.writeFileSync(name, compressed);
        written.push(name);
      }
    }
  }
  return written;
}

/** Vite plugin: precompresses the build's output once it is written. */
export function precompress(): Plugin {
  return {
    name: 'careweave-precompress',
    apply: 'build',
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        const dir = path.resolve(this.environment.config.build.outDir);
        precompressDirectory(dir);
      },
    },
  };
}
