import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { MAX_JSON_DEPTH, MAX_RESOURCE_NODES } from '../limits.ts';
import { issue } from '../outcome.ts';

/**
 * Names that are no FHIR element but mean something to JavaScript objects. JSON.parse makes
 * `"__proto__"` an own property like any other, and @medplum/core finds `constructor` (and
 * `__proto__`) on its plain-object element tables, so without this they would be stored unreported.
 */
const NOT_ELEMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** NUL, which PostgreSQL cannot store, and a UTF-16 surrogate without its pair, which is not text. */
const UNSTORABLE = /[\0\p{Cs}]/u;

export interface ContentLimits {
  maxNodes: number;
  maxDepth: number;
}

export interface ContentCheck {
  issues: OperationOutcomeIssue[];
  /** Past the size or depth limit: the resource was not looked at further, nor should it be. */
  tooLarge: boolean;
}

class TooLarge extends Error {
  readonly item: OperationOutcomeIssue;

  constructor(item: OperationOutcomeIssue) {
    super(item.diagnostics);
    this.item = item;
  }
}

interface Walk {
  limits: ContentLimits;
  nodes: number;
  /** The path to the current value, one segment (`.name` or `[0]`) per level. */
  path: string[];
  issues: OperationOutcomeIssue[];
}

/**
 * One pass over every value of a resource, before the structural validation (whose recursion it
 * bounds): at most `maxNodes` values and `maxDepth` nested objects and arrays (past either, that is
 * the only issue); no property named `__proto__`, `constructor` or `prototype`, at any depth; no
 * string or property name holding NUL or an unpaired surrogate.
 */
export function checkContent(
  resource: Record<string, unknown>,
  resourceType: string,
  limits: ContentLimits = { maxNodes: MAX_RESOURCE_NODES, maxDepth: MAX_JSON_DEPTH },
): ContentCheck {
  const walk: Walk = { limits, nodes: 0, path: [resourceType], issues: [] };
  try {
    visit(resource, 1, walk);
  } catch (error) {
    if (error instanceof TooLarge) {
      return { issues: [error.item], tooLarge: true };
    }
    throw error;
  }
  return { issues: walk.issues, tooLarge: false };
}

function visit(value: unknown, depth: number, walk: Walk): void {
  if (++walk.nodes > walk.limits.maxNodes) {
    throw new TooLarge(
      issue(
        'error',
        'too-costly',
        `The resource has more than ${walk.limits.maxNodes} JSON values, the most this server accepts in one resource`,
      ),
    );
  }
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) {
      report(walk, 'value', 'The string holds a NUL character or an unpaired UTF-16 surrogate, which is not text');
    }
    return;
  }
  if (typeof value !== 'object' || value === null) {
    return;
  }
  if (depth > walk.limits.maxDepth) {
    throw new TooLarge(
      issue('error', 'structure', `The resource nests objects and arrays more than ${walk.limits.maxDepth} deep`),
    );
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      walk.path.push(`[${i}]`);
      visit(value[i], depth + 1, walk);
      walk.path.pop();
    }
    return;
  }
  for (const key of Object.keys(value)) {
    walk.path.push(`.${key}`);
    if (NOT_ELEMENTS.has(key) || UNSTORABLE.test(key)) {
      report(walk, 'structure', `Unknown element ${JSON.stringify(key)}: not a FHIR element`);
    }
    visit((value as Record<string, unknown>)[key], depth + 1, walk);
    walk.path.pop();
  }
}

function report(walk: Walk, code: 'value' | 'structure', message: string): void {
  const path = walk.path.join('');
  walk.issues.push(issue('error', code, `${message} (${path})`, [path]));
}
