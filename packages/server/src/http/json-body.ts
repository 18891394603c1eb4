import { MAX_JSON_DEPTH } from '../fhir/limits.ts';
import { issue, OperationOutcomeError, outcome, tooCostly } from '../fhir/outcome.ts';

export interface JsonBodyLimits {
  /** JSON values (objects, arrays, strings, numbers, literals) in the body. */
  maxNodes: number;
  /** Objects and arrays nested inside each other. */
  maxDepth?: number;
}

const OPEN_OBJECT = 123; // {
const CLOSE_OBJECT = 125; // }
const OPEN_ARRAY = 91; // [
const CLOSE_ARRAY = 93; // ]
const QUOTE = 34; // "
const COMMA = 44; // ,
const COLON = 58; // :
const LETTER_U = 117; // u

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function invalid(message: string): OperationOutcomeError {
  return new OperationOutcomeError(outcome(issue('error', 'invalid', message)), 400);
}

/**
 * Parses a request body as JSON after one pass over its text, which refuses, before anything is
 * built from it: more than `maxNodes` values (413), nesting deeper than `maxDepth` (400), and
 * strings that PostgreSQL cannot store — `\u0000` and a `\uD800`–`\uDFFF` escape without its pair
 * (400). The pass does not check the syntax: JSON.parse does, after it.
 */
export function parseJsonBody(text: string, limits: JsonBodyLimits): unknown {
  scanJson(text, limits);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`The body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The checks of parseJsonBody, on the text alone. */
export function scanJson(text: string, limits: JsonBodyLimits): void {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  // Per open container, whether it is an object (so that a string after `{` or `,` is a key).
  const inObject: boolean[] = [];
  let nodes = 0;
  let expectValue = true;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (isWhitespace(code)) {
      continue;
    }
    if (expectValue && code !== CLOSE_ARRAY) {
      if (++nodes > limits.maxNodes) {
        throw tooCostly(`The body has more than ${limits.maxNodes} JSON values, the most this server accepts`, 413);
      }
    }
    expectValue = false;
    switch (code) {
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (inObject.length >= maxDepth) {
          throw new OperationOutcomeError(
            outcome(issue('error', 'structure', `The body nests objects and arrays more than ${maxDepth} deep`)),
            400,
          );
        }
        inObject.push(code === OPEN_OBJECT);
        expectValue = code === OPEN_ARRAY;
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        inObject.pop();
        break;
      case COLON:
        expectValue = true;
        break;
      case COMMA:
        expectValue = !inObject[inObject.length - 1];
        break;
      case QUOTE:
        i = endOfString(text, i);
        break;
      default:
        // Inside a number or a literal (true, false, null): counted at its first character.
        break;
    }
  }
}

/** The next quote or backslash: the only characters inside a string that need a look. */
const STRING_STOP = /["\\]/g;

/** The index of the closing quote of the string opening at `start`, checking its escapes. */
function endOfString(text: string, start: number): number {
  let pendingHigh = false;
  let i = start + 1;
  for (;;) {
    STRING_STOP.lastIndex = i;
    const stop = STRING_STOP.exec(text);
    if (!stop) {
      return text.length;
    }
    const at = stop.index;
    // A high surrogate escape must be followed at once by a low one.
    if (pendingHigh && (at !== i || text.charCodeAt(at) === QUOTE || text.charCodeAt(at + 1) !== LETTER_U)) {
      throw unpaired(at);
    }
    if (text.charCodeAt(at) === QUOTE) {
      return at;
    }
    if (text.charCodeAt(at + 1) !== LETTER_U) {
      i = at + 2;
      continue;
    }
    const unit = Number.parseInt(text.slice(at + 2, at + 6), 16);
    if (unit === 0) {
      throw invalid(`The body holds a \\u0000 (NUL) character, which is not allowed in any value (at ${at})`);
    }
    // A low surrogate exactly when a high one came just before.
    if ((unit >= 0xdc00 && unit <= 0xdfff) !== pendingHigh) {
      throw unpaired(at);
    }
    pendingHigh = unit >= 0xd800 && unit <= 0xdbff;
    i = at + 6;
  }
}

function unpaired(at: number): OperationOutcomeError {
  return invalid(
    `The body holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF), which is not text (near ${at})`,
  );
}
