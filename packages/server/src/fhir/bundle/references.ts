/** Replaces `reference` values inside a resource (any depth) using `map`; returns a new object. */
export function rewriteReferences<T>(value: T, map: (reference: string) => string | undefined): T {
  if (Array.isArray(value)) {
    return value.map((item: unknown) => rewriteReferences(item, map)) as T;
  }
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') {
        result[key] = map(child) ?? child;
      } else {
        result[key] = rewriteReferences(child, map);
      }
    }
    return result as T;
  }
  return value;
}

/** Every `reference` string inside a resource. */
export function collectReferences(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) {
      collectReferences(item, into);
    }
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') {
        into.push(child);
      } else {
        collectReferences(child, into);
      }
    }
  }
  return into;
}
