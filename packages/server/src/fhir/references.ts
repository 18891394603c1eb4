export interface ParsedReference {
  type?: string;
  id?: string;
  version?: string;
  /** Set for absolute references to another server and for canonical URLs. */
  url?: string;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;
const ABSOLUTE =
  /^(?:https?:\/\/.+\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

/**
 * Splits a FHIR reference into type and id. Absolute references to this server (`fhirBase`)
 * become relative; absolute references elsewhere keep their URL as well as their type and id.
 */
export function parseReference(reference: string, fhirBase: string): ParsedReference {
  const local = reference.startsWith(fhirBase + '/') ? reference.slice(fhirBase.length + 1) : reference;
  const relative = RELATIVE.exec(local);
  if (relative) {
    return { type: relative[1], id: relative[2], version: relative[3] };
  }
  const absolute = ABSOLUTE.exec(local);
  if (absolute) {
    return { type: absolute[1], id: absolute[2], version: absolute[3], url: reference };
  }
  return { url: reference };
}

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Every local reference anywhere in a resource (`Type/id`, absolute ones to this server included,
 * contained `#…` and other servers' left out): each `reference` string of a Reference, in any
 * element, extension or contained resource. Writes are judged on all of them (docs/ACCESS.md, *Writes*), so a patient
 * named as a performer, participant, recipient or through an `encounter` counts like the subject.
 */
export function localReferencesIn(resource: object, fhirBase: string): string[] {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') {
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'reference' && typeof value === 'string') {
        const parsed = value.startsWith('#') ? undefined : parseReference(value, fhirBase);
        if (parsed?.type && parsed.id && !parsed.url) {
          found.add(`${parsed.type}/${parsed.id}`);
        }
      } else {
        visit(value);
      }
    }
  };
  visit(resource);
  return [...found];
}
