import {
  OperationOutcomeError as MedplumOperationOutcomeError,
  validateResource,
  validationRegexes,
} from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { fhirDefinitions } from '../definitions.ts';
import { issue, OperationOutcomeError, outcome } from '../outcome.ts';
import { checkContent, type ContentLimits } from './content.ts';
import { resolveIssuePath } from './paths.ts';
import { ID_PATTERN, ID_RULE, UNKNOWN_NESTED_TYPE, walkResource } from './walk.ts';

export interface ValidateOptions {
  /** The type named by the URL (`PUT /Patient/1`): the body must be of that type. */
  expectedType?: string;
  /** The id named by the URL: the body's id, when present, must equal it. */
  expectedId?: string;
  /** The body must carry an id (update). */
  requireId?: boolean;
  /** The body must not carry an id. */
  forbidId?: boolean;
  /**
   * Size and depth limits; by default those of src/fhir/limits.ts, which every write is held to.
   * Larger ones are for tools and tests that check big trusted definitions (the R4 examples).
   */
  limits?: ContentLimits;
}

type JsonObject = Record<string, unknown>;

/**
 * Returns the problems with `resource` as OperationOutcome issues (empty when valid).
 *
 * Checks, in order:
 * 1. the envelope: a JSON object naming a known R4 `resourceType` (and the expected one), an id
 *    that matches the URL / the operation and the R4 id syntax;
 * 2. the structure, via @medplum/core `validateResource`: types, cardinality, unknown elements,
 *    primitive formats, FHIRPath invariants (a few known false positives of it are dropped);
 * 3. required terminology bindings on `code` / `Coding` / `CodeableConcept`, wherever the value
 *    set can be expanded from the packaged R4 definitions;
 * 4. `url` on every extension; nested resources' type and id; one branch per choice element;
 *    calendar dates (no 30 February); NHS numbers' Modulus 11 check digit.
 * Before 2–4, the whole resource is checked for size and depth (past the limits nothing else is
 * looked at), for property names that are not FHIR elements but JavaScript's (`__proto__`), and for
 * strings PostgreSQL cannot store (NUL, unpaired surrogates): see content.ts.
 * Warnings (e.g. a reference to an unexpected resource type) are returned with severity 'warning'.
 */
export function validateFhirResource(resource: unknown, options: ValidateOptions = {}): OperationOutcomeIssue[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return [issue('error', 'invalid', 'The body must be a JSON object holding a FHIR resource')];
  }
  const body = resource as JsonObject;
  const resourceType = body.resourceType;
  const { resourceTypes } = fhirDefinitions();
  if (typeof resourceType !== 'string' || !resourceType) {
    return [issue('error', 'invalid', 'The resource has no resourceType', ['resourceType'])];
  }
  if (!resourceTypes.has(resourceType)) {
    return [issue('error', 'invalid', `Unknown resource type '${resourceType}'`, ['resourceType'])];
  }
  if (options.expectedType !== undefined && resourceType !== options.expectedType) {
    return [
      issue(
        'error',
        'invalid',
        `Resource type '${resourceType}' does not match the expected type '${options.expectedType}'`,
        ['resourceType'],
      ),
    ];
  }

  const content = checkContent(body, resourceType, options.limits);
  if (content.tooLarge) {
    return content.issues;
  }
  const issues: OperationOutcomeIssue[] = [];
  checkId(body, resourceType, options, issues);

  const own: OperationOutcomeIssue[] = [...content.issues];
  walkResource(body, resourceTypes, own);

  // Where our own structural checks already speak about a path (an extension's missing url, a
  // nested resource, the id), @medplum/core's less specific issue there is left out.
  const taken = new Set<string>();
  for (const item of [...issues, ...own]) {
    if (item.code !== 'code-invalid') {
      for (const expression of item.expression ?? []) {
        taken.add(expression);
      }
    }
  }
  for (const item of structureIssues(body, own)) {
    const expression = item.expression?.[0];
    if (expression === undefined || !taken.has(expression)) {
      issues.push(item);
    }
  }
  issues.push(...own);
  return issues;
}

/**
 * Throws an OperationOutcomeError listing every issue when any of them is an error: HTTP 400, or
 * 413 for a resource over the size limit. Warnings alone do not fail.
 */
export function assertValidResource(resource: unknown, options?: ValidateOptions): asserts resource is Resource {
  const issues = validateFhirResource(resource, options);
  if (issues.some((item) => item.severity === 'error' || item.severity === 'fatal')) {
    throw new OperationOutcomeError(outcome(...issues), issues.some((item) => item.code === 'too-costly') ? 413 : 400);
  }
}

function checkId(
  body: JsonObject,
  resourceType: string,
  options: ValidateOptions,
  issues: OperationOutcomeIssue[],
): void {
  const id = body.id;
  const expression = [`${resourceType}.id`];
  if (id === undefined) {
    if (options.requireId) {
      issues.push(
        issue(
          'error',
          'invalid',
          options.expectedId !== undefined
            ? `The resource must have an id, equal to '${options.expectedId}' from the URL`
            : 'The resource must have an id',
          expression,
        ),
      );
    }
    return;
  }
  if (typeof id !== 'string') {
    issues.push(issue('error', 'invalid', `Resource id must be a string, got ${typeof id}`, expression));
    return;
  }
  if (options.forbidId) {
    issues.push(issue('error', 'invalid', `The resource must not have an id here (got '${id}')`, expression));
    return;
  }
  if (!ID_PATTERN.test(id)) {
    issues.push(issue('error', 'invalid', `Invalid resource id '${id}': ${ID_RULE}`, expression));
    return;
  }
  if (options.expectedId !== undefined && id !== options.expectedId) {
    issues.push(
      issue(
        'error',
        'invalid',
        `Resource id '${id}' does not match the id '${options.expectedId}' in the URL`,
        expression,
      ),
    );
  }
}

/** Runs @medplum/core's structural validation and converts what it reports to our issues. */
function structureIssues(body: JsonObject, own: readonly OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  let reported: OperationOutcomeIssue[];
  try {
    reported = validateResource(body as unknown as Resource);
  } catch (error) {
    const issues = validationOutcomeIssues(error);
    if (!issues) {
      throw error;
    }
    reported = issues;
  }
  const result: OperationOutcomeIssue[] = [];
  for (const reportedIssue of reported) {
    const converted = convertIssue(body, reportedIssue, own);
    if (converted) {
      result.push(converted);
    }
  }
  // A single value where an array belongs (`"name": "x"`) is also crawled as if it were the array's
  // item, giving noise such as `Invalid additional property "0"` below it: keep only the root cause.
  const notArrays = result
    .filter((item) => item.diagnostics?.startsWith('Expected array of values'))
    .map((item) => `${item.expression?.[0]}.`);
  if (!notArrays.length) {
    return result;
  }
  return result.filter((item) => !notArrays.some((prefix) => item.expression?.[0]?.startsWith(prefix)));
}

/** The issues of an error that is a validation outcome, or undefined for any other failure. */
function validationOutcomeIssues(error: unknown): OperationOutcomeIssue[] | undefined {
  if (!(error instanceof MedplumOperationOutcomeError)) {
    return undefined;
  }
  const issues = error.outcome.issue;
  if (!issues?.length || !issues.every((item) => VALIDATION_CODES.has(item.code))) {
    return undefined;
  }
  return issues;
}

const VALIDATION_CODES: ReadonlySet<string> = new Set([
  'structure',
  'invariant',
  'invalid',
  'value',
  'required',
  'processing',
]);

function convertIssue(
  body: JsonObject,
  reported: OperationOutcomeIssue,
  own: readonly OperationOutcomeIssue[],
): OperationOutcomeIssue | undefined {
  const text = reported.details?.text ?? reported.diagnostics ?? 'Invalid resource';
  const rawExpression = reported.expression?.[0];
  if (rawExpression === undefined) {
    // e.g. "Unknown data type: Foo" for a contained resource, which walkResource reports with its path.
    if (text.startsWith('Unknown data type') && own.some((item) => item.diagnostics?.startsWith(UNKNOWN_NESTED_TYPE))) {
      return undefined;
    }
    return issue(reported.severity, reported.code, text);
  }
  if (text.startsWith('Conflicting choice of type properties')) {
    return undefined; // walkResource reports it as an error, with the full path.
  }
  const { path, value } = resolveIssuePath(body, rawExpression);
  if (isFalsePositive(text, path, value)) {
    return undefined;
  }
  let diagnostics = `${text} (${path})`;
  if (reported.code === 'invariant' && reported.diagnostics) {
    const fhirpath = parseFhirPathDiagnostics(reported.diagnostics);
    if (fhirpath) {
      diagnostics += `; expression: ${fhirpath}`;
    }
  }
  return issue(reported.severity, reported.code, diagnostics, [path]);
}

function parseFhirPathDiagnostics(diagnostics: string): string | undefined {
  try {
    const data = JSON.parse(diagnostics) as { fhirpath?: unknown };
    return typeof data.fhirpath === 'string' ? data.fhirpath : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Issues @medplum/core 4.5 raises for resources the R4 specification allows (each one met in the
 * official R4 examples or in Synthea data):
 * - base64Binary may contain whitespace (R4 regex `(\s*([0-9a-zA-Z\+\=]){4}\s*)+`); medplum's regex forbids it;
 * - the 1 MB limit is on `string`; medplum applies it to the xhtml of `Narrative.div` too;
 * - ras-2 (`probability is decimal implies (probability as decimal) <= 100`) evaluates to empty,
 *   not false, when there is no probability; medplum counts empty as a failure;
 * - references that are absolute URIs (`urn:uuid:…` in transaction Bundles, `http://…/Patient/1`)
 *   are not relative `Type/id`, so medplum's target-type check misreads their type.
 */
const BASE64 = validationRegexes.base64Binary ?? /^([A-Za-z\d+/]{4})*([A-Za-z\d+/]{2}==|[A-Za-z\d+/]{3}=)?$/;

function isFalsePositive(text: string, path: string, value: unknown): boolean {
  if (text === 'Invalid base64Binary format') {
    return typeof value === 'string' && BASE64.test(value.replace(/\s+/g, ''));
  }
  if (text === 'String cannot be larger than 1 MB') {
    return path.endsWith('.div');
  }
  if (text.startsWith('Constraint ras-2 not met')) {
    return typeof value === 'object' && value !== null && !('probabilityDecimal' in value);
  }
  if (text.startsWith('Invalid reference: got')) {
    const reference = typeof value === 'object' && value !== null ? (value as JsonObject).reference : undefined;
    return typeof reference === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(reference);
  }
  return false;
}
