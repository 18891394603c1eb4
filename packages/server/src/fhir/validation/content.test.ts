import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { MAX_JSON_DEPTH, MAX_RESOURCE_NODES } from '../limits.ts';
import { OperationOutcomeError } from '../outcome.ts';
import { assertValidResource, validateFhirResource } from './validate.ts';

const errors = (issues: OperationOutcomeIssue[]) => issues.filter((item) => item.severity === 'error');

/** The status assertValidResource refuses with, and the issues. */
function refusal(resource: unknown): { status: number; issues: OperationOutcomeIssue[] } {
  try {
    assertValidResource(resource);
  } catch (error) {
    expect(error).toBeInstanceOf(OperationOutcomeError);
    const { status, outcome } = error as OperationOutcomeError;
    return { status, issues: outcome.issue ?? [] };
  }
  throw new Error('the resource was accepted');
}

describe('property names that are JavaScript, not FHIR', () => {
  // As a request body arrives: JSON.parse makes "__proto__" an own property like any other.
  test.each([
    ['__proto__ at the top', '{"resourceType":"Patient","__proto__":{"x":1}}', 'Patient.__proto__'],
    ['constructor at the top', '{"resourceType":"Patient","constructor":"x"}', 'Patient.constructor'],
    ['prototype at the top', '{"resourceType":"Patient","prototype":"x"}', 'Patient.prototype'],
    [
      '__proto__ in a datatype',
      '{"resourceType":"Patient","name":[{"__proto__":{"a":1}}]}',
      'Patient.name[0].__proto__',
    ],
    [
      'constructor in a datatype',
      '{"resourceType":"Patient","name":[{"family":"x","constructor":{"x":1}}]}',
      'Patient.name[0].constructor',
    ],
    [
      'prototype inside an extension',
      '{"resourceType":"Patient","extension":[{"url":"http://x","valueString":"y","prototype":1}]}',
      'Patient.extension[0].prototype',
    ],
    [
      'constructor in a contained resource',
      '{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","constructor":{}}]}',
      'Patient.contained[0].constructor',
    ],
  ])('%s is reported as an unknown element', (_name, text, path) => {
    const { status, issues } = refusal(JSON.parse(text));
    expect(status).toBe(400);
    expect(issues).toContainEqual(
      expect.objectContaining({ severity: 'error', code: 'structure', expression: [path] }),
    );
  });
});

describe('strings PostgreSQL cannot store', () => {
  test.each([
    ['a lone high surrogate', { resourceType: 'Patient', name: [{ family: '\ud800' }] }, 'Patient.name[0].family'],
    ['a lone low surrogate in a code', { resourceType: 'Patient', gender: '\udc00' }, 'Patient.gender'],
    [
      'NUL in a uri',
      { resourceType: 'Patient', identifier: [{ system: 'urn:x\u0000' }] },
      'Patient.identifier[0].system',
    ],
    ['NUL in an unknown element', { resourceType: 'Patient', colour: 'a\u0000' }, 'Patient.colour'],
  ])('%s is refused, naming the element', (_name, resource, path) => {
    const { status, issues } = refusal(resource);
    expect(status).toBe(400);
    expect(issues).toContainEqual(expect.objectContaining({ code: 'value', expression: [path] }));
  });

  test('a surrogate pair (an emoji) is text', () => {
    expect(errors(validateFhirResource({ resourceType: 'Patient', name: [{ family: 'Smith 😀' }] }))).toEqual([]);
  });
});

describe('size and depth', () => {
  test(`more than ${MAX_RESOURCE_NODES} values is refused with 413 and that one issue`, () => {
    const names = Array.from({ length: MAX_RESOURCE_NODES / 2 }, () => ({ family: 'x' }));
    const { status, issues } = refusal({ resourceType: 'Patient', name: names });
    expect(status).toBe(413);
    expect(issues).toEqual([expect.objectContaining({ code: 'too-costly' })]);
  });

  test(`nesting deeper than ${MAX_JSON_DEPTH} is refused with 400 and that one issue`, () => {
    let nested: unknown = 'x';
    for (let i = 0; i < 10_000; i++) {
      nested = { valueString: nested };
    }
    const { status, issues } = refusal({ resourceType: 'Patient', extension: [nested] });
    expect(status).toBe(400);
    expect(issues).toEqual([
      expect.objectContaining({ code: 'structure', diagnostics: expect.stringContaining('deep') }),
    ]);
  });

  test('larger limits can be given for trusted definitions', () => {
    const names = Array.from({ length: 10 }, () => ({ family: 'x' }));
    const small = { maxNodes: 10, maxDepth: MAX_JSON_DEPTH };
    expect(errors(validateFhirResource({ resourceType: 'Patient', name: names }, { limits: small }))).toHaveLength(1);
    expect(errors(validateFhirResource({ resourceType: 'Patient', name: names }))).toEqual([]);
  });
});
