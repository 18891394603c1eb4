import { validationRegexes } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { impossibleDay } from '../calendar.ts';
import { issue } from '../outcome.ts';
import {
  bindingExpansion,
  childInfo,
  typeInfo,
  type ElementInfo,
  type RequiredBinding,
  type TypeInfo,
} from './elements.ts';
import { isValidNhsNumber, NHS_NUMBER_SYSTEM } from './nhs-number.ts';

/**
 * One generic pass over a resource, guided by the precomputed element index, for the checks
 * @medplum/core does not make:
 * - required terminology bindings on `code`, `Coding` and `CodeableConcept` elements;
 * - `url` on every `extension` / `modifierExtension` (also inside primitive `_element` extensions);
 * - nested resources (`contained`, `Bundle.entry.resource`, …): a known `resourceType` and a valid `id`;
 * - at most one branch of each choice element (`deceasedBoolean` and `deceasedDateTime` together);
 * - `date`, `dateTime` and `instant` values on a day that exists (the type's regex allows 2024-02-30);
 * - NHS numbers (Identifier with the NHS number system): 10 digits with a valid Modulus 11 check digit.
 * Unknown properties are skipped here: @medplum/core reports them.
 */

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
export const UNKNOWN_NESTED_TYPE = 'Unknown resource type';
export const ID_RULE = 'ids are 1 to 64 characters among A-Z, a-z, 0-9, - and .';

interface WalkContext {
  issues: OperationOutcomeIssue[];
  resourceTypes: ReadonlySet<string>;
  /** Path segments and, in parallel, the array index of each segment (-1 when not an array item). */
  names: string[];
  indexes: number[];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function currentPath(ctx: WalkContext, suffix?: string): string {
  let path = '';
  for (let i = 0; i < ctx.names.length; i++) {
    if (i > 0) {
      path += '.';
    }
    path += ctx.names[i];
    const index = ctx.indexes[i] ?? -1;
    if (index >= 0) {
      path += `[${index}]`;
    }
  }
  return suffix ? `${path}.${suffix}` : path;
}

/**
 * Checks `resource` (whose top-level `resourceType` is known to be valid) and appends the problems
 * to `issues`.
 */
export function walkResource(
  resource: JsonObject,
  resourceTypes: ReadonlySet<string>,
  issues: OperationOutcomeIssue[],
): void {
  const type = typeInfo(resource.resourceType as string);
  if (!type) {
    return;
  }
  const ctx: WalkContext = { issues, resourceTypes, names: [resource.resourceType as string], indexes: [-1] };
  walkObject(resource, type, ctx);
}

function walkObject(obj: JsonObject, type: TypeInfo, ctx: WalkContext): void {
  const elements = type.elements;
  let choices: Map<string, string> | undefined;
  for (const key in obj) {
    const value = obj[key];
    const element = elements.get(key);
    if (element === undefined) {
      if (key.charCodeAt(0) === 95 /* '_' */ && value !== null && typeof value === 'object') {
        const primitive = elements.get(key.slice(1));
        if (primitive?.primitive) {
          walkPrimitiveExtensions(primitive.name, value, ctx);
        }
      }
      continue;
    }
    if (value === null || value === undefined) {
      continue;
    }
    if (element.choiceOf !== undefined) {
      choices ??= new Map();
      const other = choices.get(element.choiceOf);
      if (other !== undefined) {
        ctx.issues.push(
          issue(
            'error',
            'structure',
            `Only one of ${other} and ${key} may be present: ${element.path} takes a single value (${currentPath(ctx, key)})`,
            [currentPath(ctx, key)],
          ),
        );
      } else {
        choices.set(element.choiceOf, key);
      }
    }
    ctx.names.push(key);
    if (Array.isArray(value)) {
      ctx.indexes.push(0);
      const top = ctx.indexes.length - 1;
      for (let i = 0; i < value.length; i++) {
        ctx.indexes[top] = i;
        visitValue(element, value[i], ctx);
      }
    } else {
      ctx.indexes.push(-1);
      visitValue(element, value, ctx);
    }
    ctx.names.pop();
    ctx.indexes.pop();
  }
}

/** `_given: [null, {extension: [...]}]` / `_birthDate: {extension: [...]}`, reported as `birthDate.extension[0]`. */
function walkPrimitiveExtensions(name: string, value: object, ctx: WalkContext): void {
  const element = typeInfo('Element');
  if (!element) {
    return;
  }
  ctx.names.push(name);
  if (Array.isArray(value)) {
    ctx.indexes.push(0);
    const top = ctx.indexes.length - 1;
    for (let i = 0; i < value.length; i++) {
      ctx.indexes[top] = i;
      if (isObject(value[i])) {
        walkObject(value[i] as JsonObject, element, ctx);
      }
    }
  } else {
    ctx.indexes.push(-1);
    if (isObject(value)) {
      walkObject(value, element, ctx);
    }
  }
  ctx.names.pop();
  ctx.indexes.pop();
}

/** The formats of the date types, to leave a malformed value to @medplum/core's format issue. */
const DATE_FORMATS: ReadonlyMap<string, RegExp | undefined> = new Map(
  (['date', 'dateTime', 'instant'] as const).map((type) => [type, validationRegexes[type]]),
);

function visitValue(element: ElementInfo, value: unknown, ctx: WalkContext): void {
  if (element.binding !== undefined) {
    checkBinding(element, element.binding, value, ctx);
  }
  if (element.primitive) {
    if (typeof value === 'string' && DATE_FORMATS.has(element.typeCode)) {
      const format = DATE_FORMATS.get(element.typeCode);
      if (!format || format.test(value)) {
        checkDay(value, ctx);
      }
    }
    return;
  }
  if (!isObject(value)) {
    return;
  }
  if (element.typeCode === 'Identifier' && value.system === NHS_NUMBER_SYSTEM) {
    checkNhsNumber(value, ctx);
  }
  if (element.typeCode === 'Resource') {
    visitNestedResource(value, ctx);
    return;
  }
  if (element.typeCode === 'Extension' && (typeof value.url !== 'string' || !value.url)) {
    const path = currentPath(ctx, 'url');
    ctx.issues.push(
      issue(
        'error',
        'structure',
        value.url === undefined
          ? `Extension has no url: every ${element.name} must identify its definition (${path})`
          : `Extension url must be a non-empty string (${path})`,
        [path],
      ),
    );
  }
  const child = childInfo(element);
  if (child) {
    walkObject(value, child, ctx);
  }
}

function checkDay(value: string, ctx: WalkContext): void {
  const problem = impossibleDay(value);
  if (problem !== undefined) {
    const path = currentPath(ctx);
    ctx.issues.push(issue('error', 'value', `Invalid date: ${problem} (${path})`, [path]));
  }
}

function checkNhsNumber(identifier: JsonObject, ctx: WalkContext): void {
  const value = identifier.value;
  if (typeof value === 'string' && !isValidNhsNumber(value)) {
    const path = currentPath(ctx, 'value');
    ctx.issues.push(
      issue(
        'error',
        'value',
        `'${value}' is not a valid NHS number: 10 digits, no spaces, the last a Modulus 11 check digit (${path})`,
        [path],
      ),
    );
  }
}

function visitNestedResource(value: JsonObject, ctx: WalkContext): void {
  const resourceType = value.resourceType;
  if (typeof resourceType !== 'string' || !ctx.resourceTypes.has(resourceType)) {
    const path = currentPath(ctx);
    ctx.issues.push(
      issue(
        'error',
        'structure',
        typeof resourceType === 'string'
          ? `${UNKNOWN_NESTED_TYPE} '${resourceType}' (${path})`
          : `Nested resource has no resourceType (${path})`,
        [typeof resourceType === 'string' ? `${path}.resourceType` : path],
      ),
    );
    return;
  }
  const id = value.id;
  if (typeof id === 'string' && !ID_PATTERN.test(id)) {
    const path = currentPath(ctx, 'id');
    ctx.issues.push(issue('error', 'structure', `Invalid resource id '${id}': ${ID_RULE} (${path})`, [path]));
  }
  const type = typeInfo(resourceType);
  if (type) {
    walkObject(value, type, ctx);
  }
}

function checkBinding(element: ElementInfo, binding: RequiredBinding, value: unknown, ctx: WalkContext): void {
  const expansion = bindingExpansion(binding);
  if (expansion === null) {
    // Not expandable from the packaged definitions (filters, SNOMED CT, UCUM, …): nothing to check.
    element.binding = undefined;
    return;
  }
  if (binding.kind === 'code') {
    if (typeof value === 'string' && !expansion.codes.has(value)) {
      const path = currentPath(ctx);
      ctx.issues.push(
        issue(
          'error',
          'code-invalid',
          `Value '${value}' is not in the required value set ${binding.valueSet} (${path})`,
          [path],
        ),
      );
    }
    return;
  }
  if (!isObject(value)) {
    return;
  }
  if (binding.kind === 'Coding') {
    const codes = typeof value.system === 'string' ? expansion.bySystem.get(value.system) : undefined;
    if (codes && typeof value.code === 'string' && !codes.has(value.code)) {
      reportCoding(ctx, binding, value.system as string, value.code, 'code');
    }
    return;
  }
  // CodeableConcept: codings from the value set's systems must hold one of its codes; codings from
  // other systems (translations, local codes) are not judged. One matching coding is enough.
  const codings = value.coding;
  if (!Array.isArray(codings)) {
    return;
  }
  let bad: number[] | undefined;
  for (let i = 0; i < codings.length; i++) {
    const coding: unknown = codings[i];
    if (!isObject(coding) || typeof coding.system !== 'string' || typeof coding.code !== 'string') {
      continue;
    }
    const codes = expansion.bySystem.get(coding.system);
    if (!codes) {
      continue;
    }
    if (codes.has(coding.code)) {
      return;
    }
    (bad ??= []).push(i);
  }
  for (const i of bad ?? []) {
    const coding = codings[i] as JsonObject;
    reportCoding(ctx, binding, coding.system as string, coding.code as string, `coding[${i}].code`);
  }
}

function reportCoding(ctx: WalkContext, binding: RequiredBinding, system: string, code: string, suffix: string): void {
  const path = currentPath(ctx, suffix);
  ctx.issues.push(
    issue(
      'error',
      'code-invalid',
      `Code '${code}' of system ${system} is not in the required value set ${binding.valueSet} (${path})`,
      [path],
    ),
  );
}
