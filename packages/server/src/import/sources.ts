import fs from 'node:fs';
import readline from 'node:readline';
import { pipeline, Transform, type Duplex, type Readable, type TransformCallback } from 'node:stream';
import { text } from 'node:stream/consumers';
import zlib from 'node:zlib';
import { jsonParser, type Token } from 'stream-json/parser.js';
import Assembler from 'stream-json/assembler.js';
import type { InputFile } from './files.ts';

/** Counts the bytes flowing through (before decompression), for progress over the input size. */
class ByteCounter extends Transform {
  private readonly onBytes: (n: number) => void;

  constructor(onBytes: (n: number) => void) {
    super();
    this.onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.onBytes(chunk.length);
    callback(null, chunk);
  }
}

/**
 * The file's content as a stream of (decompressed) bytes, read 64 KiB at a time; errors of any
 * stage (missing file, corrupt gzip) surface on the returned stream.
 */
export function openInput(
  file: InputFile,
  onBytes: (n: number) => void = () => undefined,
  extra: Duplex[] = [],
): Readable {
  const stages: (Readable | Duplex)[] = [
    fs.createReadStream(file.path, { highWaterMark: 64 * 1024 }),
    new ByteCounter(onBytes),
  ];
  if (file.gzip) {
    stages.push(zlib.createGunzip());
  }
  stages.push(...extra);
  return pipeline(stages as [Readable, ...Duplex[]], () => undefined) as unknown as Readable;
}

/** The whole (decompressed) file as text: only for files known to be small, or single resources. */
export async function readWholeFile(file: InputFile, onBytes?: (n: number) => void): Promise<string> {
  return text(openInput(file, onBytes));
}

/** NDJSON: one line at a time (1-based line numbers, blank lines included in the numbering). */
export async function* readLines(
  file: InputFile,
  onBytes?: (n: number) => void,
): AsyncGenerator<{ line: number; text: string }> {
  const input = openInput(file, onBytes);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      yield { line, text };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

export type JsonEvent =
  /** A top-level property with a primitive value (e.g. resourceType, type, id). */
  | { kind: 'field'; key: string; value: string | number | boolean | null }
  /** One element of the top-level `entry` array, assembled. */
  | { kind: 'entry'; index: number; value: unknown };

/** stream-chain's "no value" marker (a registered symbol): flushes the tokenizer at the end. */
const NONE: unique symbol = Symbol.for('object-stream.none') as never;

/**
 * Streams a JSON file holding one object (a Bundle or a single resource) without holding it in
 * memory: yields its top-level primitive properties and, one by one, the elements of its `entry`
 * array. Other top-level objects and arrays are skipped token by token. Memory use is bounded by
 * the largest single entry.
 *
 * Uses stream-json's tokenizer directly on each decoded chunk (synchronously) and its Assembler
 * for entries: iterating tokens through a Node object stream costs an async step per token and
 * is several times slower.
 */
export async function* streamJsonObject(file: InputFile, onBytes?: (n: number) => void): AsyncGenerator<JsonEvent> {
  const input = openInput(file, onBytes);
  input.setEncoding('utf8'); // decodes characters split across chunks correctly
  const tokenize = jsonParser({ streamValues: false }) as unknown as (
    chunk: string | typeof NONE,
  ) => { values: Token[] } | typeof NONE;
  const assembler = new Assembler();
  let depth = 0;
  let key = '';
  let inEntries = false;
  let assembling = false;
  let index = 0;
  let started = false;
  let first = true;

  function* consume(tokens: readonly Token[]): Generator<JsonEvent> {
    for (const token of tokens) {
      if (assembling) {
        assembler.consume(token);
        if (assembler.done) {
          assembling = false;
          yield { kind: 'entry', index: index++, value: assembler.current };
        }
        continue;
      }
      switch (token.name) {
        case 'startObject':
        case 'startArray':
          if (depth === 0) {
            if (token.name !== 'startObject' || started) {
              throw new Error('The file does not hold a single JSON object');
            }
            started = true;
          }
          if (depth === 2 && inEntries) {
            // An entry: the assembler collects it, including this token.
            assembler.consume(token);
            assembling = true;
            continue;
          }
          if (depth === 1 && key === 'entry' && token.name === 'startArray') {
            inEntries = true;
          }
          depth++;
          break;
        case 'endObject':
        case 'endArray':
          depth--;
          if (depth === 1) {
            inEntries = false;
          }
          break;
        case 'keyValue':
          if (depth === 1) {
            key = token.value;
          }
          break;
        case 'stringValue':
        case 'numberValue':
        case 'nullValue':
        case 'trueValue':
        case 'falseValue': {
          if (depth === 0) {
            throw new Error('The file does not hold a JSON object');
          }
          const value = token.name === 'numberValue' ? Number(token.value) : token.value;
          if (depth === 1) {
            yield { kind: 'field', key, value };
          } else if (depth === 2 && inEntries) {
            yield { kind: 'entry', index: index++, value };
          }
          break;
        }
        default:
          break;
      }
    }
  }

  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let text = chunk;
      if (first) {
        first = false;
        text = text.replace(/^\uFEFF/, '');
      }
      const out = tokenize(text);
      if (out !== NONE) {
        yield* consume(out.values);
      }
    }
    const out = tokenize(NONE);
    if (out !== NONE) {
      yield* consume(out.values);
    }
  } finally {
    input.destroy();
  }
  if (!started) {
    throw new Error('The file is empty');
  }
  if (depth !== 0 || assembling) {
    throw new Error('The JSON ends early');
  }
}
