/**
 * Whether stored JSON and a resource about to be written have the same content, ignoring the
 * stamps the store sets on every write (meta.versionId, meta.lastUpdated), the `meta.source` it
 * derives when the input has none (docs/ACCESS.md: source organisation), and the order of keys.
 */
export function sameContent(storedJson: string, resource: unknown): boolean {
  let stored: unknown;
  try {
    stored = JSON.parse(storedJson);
  } catch {
    return false;
  }
  const derivedSource = !hasMetaSource(resource);
  return deepEqual(withoutStamps(stored, derivedSource), withoutStamps(resource, derivedSource));
}

function hasMetaSource(resource: unknown): boolean {
  const meta = (resource as { meta?: { source?: unknown } } | null)?.meta;
  return typeof meta === 'object' && meta !== null && meta.source !== undefined;
}

function withoutStamps(resource: unknown, dropSource = false): unknown {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return resource;
  }
  const { meta, ...rest } = resource as Record<string, unknown>;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    return meta === undefined ? rest : { ...rest, meta };
  }
  const { versionId: _versionId, lastUpdated: _lastUpdated, ...otherMeta } = meta as Record<string, unknown>;
  void _versionId;
  void _lastUpdated;
  if (dropSource) {
    delete otherMeta.source;
  }
  return Object.keys(otherMeta).length ? { ...rest, meta: otherMeta } : rest;
}

/** Structural equality of JSON values; object key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      if (!deepEqual(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  if (Array.isArray(b)) {
    return false;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) {
    return false;
  }
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(bo, key) || !deepEqual(ao[key], bo[key])) {
      return false;
    }
  }
  return true;
}
