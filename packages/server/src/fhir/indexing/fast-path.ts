import { getDataType, type InternalSchemaElement, type TypedValue } from '@medplum/core';

/** Evaluates a compiled search-parameter expression against one resource. */
export type FastEvaluator = (resource: unknown) => TypedValue[];

interface Step {
  /** JSON property names to read, each with the FHIR type its values have. */
  keys: { key: string; type: string }[];
}

interface Branch {
  steps: Step[];
  /** `.where(resolve() is Patient)`: keep references to this type only. */
  resolveIs?: string;
}

const PATH = /^[A-Z][A-Za-z]+(\.[a-z][A-Za-z0-9]*)+$/;

/**
 * Most R4 search parameter expressions are plain paths (`Observation.code`), unions of paths,
 * choice-type casts (`(Observation.value as Quantity)`) or reference type tests
 * (`Observation.subject.where(resolve() is Patient)`). Those are compiled here, using the
 * StructureDefinitions' type information, into direct property reads: an order of magnitude
 * cheaper than general FHIRPath evaluation on every write. Anything else returns undefined and
 * is evaluated by the FHIRPath engine; a test checks both agree on the official examples.
 */
export function compileFastPath(expression: string): FastEvaluator | undefined {
  const branches: Branch[] = [];
  for (const raw of splitUnion(expression)) {
    const branch = compileBranch(raw.trim());
    if (!branch) {
      return undefined;
    }
    branches.push(branch);
  }
  return (resource) => {
    const out: TypedValue[] = [];
    for (const branch of branches) {
      evaluateBranch(branch, resource, out);
    }
    return out;
  };
}

function compileBranch(input: string): Branch | undefined {
  let text = input;
  while (text.startsWith('(') && text.endsWith(')') && balanced(text.slice(1, -1))) {
    text = text.slice(1, -1).trim();
  }
  let cast: string | undefined;
  let resolveIs: string | undefined;
  const asSuffix = /^(.*?)\s+as\s+([A-Za-z]+)$/.exec(text) ?? /^(.*)\.as\(([A-Za-z]+)\)$/.exec(text);
  if (asSuffix) {
    text = asSuffix[1]!.trim();
    cast = asSuffix[2];
  }
  const whereResolve = /^(.*)\.where\(resolve\(\) is ([A-Za-z]+)\)$/.exec(text);
  if (whereResolve) {
    text = whereResolve[1]!;
    resolveIs = whereResolve[2];
  }
  if (!PATH.test(text)) {
    return undefined;
  }
  const [resourceType, ...names] = text.split('.');
  let types = [resourceType!];
  const steps: Step[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const keys: Step['keys'] = [];
    for (const type of types) {
      const elements = getDataType(type)?.elements;
      const element: InternalSchemaElement | undefined = elements?.[name] ?? elements?.[`${name}[x]`];
      if (!element) {
        continue;
      }
      const choice = element.path.endsWith('[x]');
      for (const option of element.type) {
        const code = normaliseType(option.code);
        if (i === names.length - 1 && cast && code !== cast) {
          continue;
        }
        keys.push({ key: choice ? name + code.charAt(0).toUpperCase() + code.slice(1) : name, type: code });
      }
    }
    if (keys.length === 0) {
      return undefined;
    }
    steps.push({ keys });
    types = [...new Set(keys.map((k) => k.type))];
  }
  return { steps, resolveIs };
}

function normaliseType(code: string): string {
  // Element `id` and similar use FHIRPath system types.
  return code.startsWith('http://hl7.org/fhirpath/System.')
    ? code.slice('http://hl7.org/fhirpath/System.'.length).toLowerCase()
    : code;
}

function evaluateBranch(branch: Branch, resource: unknown, out: TypedValue[]): void {
  let current: TypedValue[] = [{ type: 'Resource', value: resource }];
  for (const step of branch.steps) {
    const next: TypedValue[] = [];
    for (const { value } of current) {
      if (!value || typeof value !== 'object') {
        continue;
      }
      for (const { key, type } of step.keys) {
        const child = (value as Record<string, unknown>)[key];
        if (child === undefined || child === null) {
          continue;
        }
        if (Array.isArray(child)) {
          for (const item of child as unknown[]) {
            if (item !== null && item !== undefined) {
              next.push({ type, value: item });
            }
          }
        } else {
          next.push({ type, value: child });
        }
      }
    }
    current = next;
  }
  for (const typed of current) {
    if (!branch.resolveIs || referencesType(typed.value, branch.resolveIs)) {
      out.push(typed);
    }
  }
}

/** What `resolve() is T` means for a literal reference: its type segment is T. */
function referencesType(value: unknown, type: string): boolean {
  const reference = (value as { reference?: unknown } | undefined)?.reference;
  if (typeof reference !== 'string') {
    return false;
  }
  const path = reference.split('?')[0]!.replace(/\/_history\/[^/]+$/, '');
  const parts = path.split('/');
  return parts.length >= 2 && parts[parts.length - 2] === type;
}

/** Splits a FHIRPath expression on its top-level `|` unions. */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === "'") {
      quoted = !quoted;
    } else if (!quoted && ch === '(') {
      depth++;
    } else if (!quoted && ch === ')') {
      depth--;
    } else if (!quoted && depth === 0 && ch === '|') {
      parts.push(expression.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(expression.slice(start));
  return parts;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) {
      return false;
    }
  }
  return depth === 0;
}
