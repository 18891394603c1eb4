/**
 * @medplum/core reports some issues at element paths rather than instance paths: choice elements
 * as `Observation.value[x].value`, and a few checks (too many values, cardinality) without the
 * array index of the enclosing element (`Patient.contact.name`). This maps such a path onto the
 * resource to give the concrete one (`Observation.valueQuantity.value`, `Patient.contact[1].name`)
 * when it is unambiguous, and returns the value found there for the post-filters in validate.ts.
 */

export interface ResolvedPath {
  path: string;
  /** The value at that path; undefined when absent or when the path could not be resolved. */
  value: unknown;
}

interface Segment {
  name: string;
  /** An array index, 'x' for a choice element, or undefined. */
  index: number | 'x' | undefined;
}

const SEGMENT = /^(.*?)(?:\[(\d+|x)\])?$/;

function parseSegments(path: string): Segment[] {
  return path.split('.').map((part) => {
    const match = SEGMENT.exec(part);
    const name = match?.[1] ?? part;
    const index = match?.[2];
    return { name, index: index === undefined ? undefined : index === 'x' ? 'x' : Number(index) };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function choiceKey(obj: Record<string, unknown>, base: string): string | undefined {
  for (const key of Object.keys(obj)) {
    if (key.length > base.length && key.startsWith(base)) {
      const next = key.charCodeAt(base.length);
      if (next >= 65 && next <= 90) {
        return key;
      }
    }
  }
  return undefined;
}

function resolveFrom(value: unknown, segments: Segment[], i: number, prefix: string, out: ResolvedPath[]): void {
  if (i === segments.length) {
    out.push({ path: prefix, value });
    return;
  }
  const segment = segments[i];
  if (!segment || !isObject(value)) {
    return;
  }
  let key = segment.name;
  if (segment.index === 'x') {
    const found = choiceKey(value, segment.name) ?? choiceKey(value, `_${segment.name}`)?.slice(1);
    if (!found) {
      return;
    }
    key = found;
  }
  let child = value[key];
  const last = i === segments.length - 1;
  if (!last && (child === undefined || child === null || typeof child !== 'object')) {
    // Extensions of a primitive live in the `_name` sibling: `birthDate.extension` → `_birthDate.extension`.
    const sibling = value[`_${key}`];
    if (sibling !== undefined) {
      child = sibling;
    }
  }
  if (child === undefined) {
    if (last) {
      out.push({ path: `${prefix}.${key}`, value: undefined });
    }
    return;
  }
  if (typeof segment.index === 'number') {
    const item: unknown = Array.isArray(child) ? (child as unknown[])[segment.index] : undefined;
    resolveFrom(item, segments, i + 1, `${prefix}.${key}[${segment.index}]`, out);
  } else if (Array.isArray(child) && !last) {
    for (let j = 0; j < child.length; j++) {
      resolveFrom(child[j], segments, i + 1, `${prefix}.${key}[${j}]`, out);
    }
  } else {
    resolveFrom(child, segments, i + 1, `${prefix}.${key}`, out);
  }
}

/** Resolves an issue path such as `Observation.value[x].value` against `resource`. */
export function resolveIssuePath(resource: Record<string, unknown>, path: string): ResolvedPath {
  const segments = parseSegments(path);
  const root = segments[0];
  if (!root || root.name !== resource.resourceType || root.index !== undefined) {
    return { path, value: undefined };
  }
  const found: ResolvedPath[] = [];
  resolveFrom(resource, segments, 1, root.name, found);
  const present = found.length === 1 ? found : found.filter((candidate) => candidate.value !== undefined);
  return present.length === 1 && present[0] ? present[0] : { path, value: undefined };
}
