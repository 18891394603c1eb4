import type { OperationOutcome } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG, AUDIT_LOG } from '../../access/audit-operations.ts';
import { SHARING_SUMMARY } from '../../access/sharing-summary.routes.ts';
import { EXPORT_OPERATIONS } from '../bulk/operations.ts';
import { OperationOutcomeError } from '../outcome.ts';
import { validateFhirResource } from '../validation/validate.ts';
import { defineOperation, type OperationDeclaration, type ParameterDeclaration } from './define.ts';
import { PATIENT_EVERYTHING } from './everything.operation.ts';
import { readInput, type ReadOptions } from './parameters.ts';

const DECLARED: ParameterDeclaration[] = [
  { name: 'slot', use: 'in', min: 1, max: 1, type: 'Reference', targetTypes: ['Slot'] },
  { name: 'count', use: 'in', min: 0, max: 1, type: 'positiveInt' },
  { name: 'since', use: 'in', min: 0, max: 1, type: 'instant' },
  { name: 'flag', use: 'in', min: 0, max: 1, type: 'boolean' },
  { name: 'tag', use: 'in', min: 0, max: 2, type: 'code' },
  { name: 'coding', use: 'in', min: 0, max: 1, type: 'Coding' },
  { name: 'patient', use: 'in', min: 0, max: 1, type: 'Patient' },
  {
    name: 'range',
    use: 'in',
    min: 0,
    max: 1,
    part: [
      { name: 'from', use: 'in', min: 1, max: 1, type: 'date' },
      { name: 'to', use: 'in', min: 0, max: 1, type: 'date' },
    ],
  },
  { name: 'return', use: 'out', min: 1, max: 1, type: 'Bundle' },
];

const slot = { name: 'slot', valueReference: { reference: 'Slot/s1' } };
const body = (...parameter: object[]) => ({ resourceType: 'Parameters', parameter });
const post = (b: unknown, extra: Partial<ReadOptions> = {}): ReadOptions => ({
  method: 'POST',
  query: [],
  body: b,
  lenient: false,
  operation: '$test',
  ...extra,
});
const get = (query: [string, string][], extra: Partial<ReadOptions> = {}): ReadOptions => ({
  method: 'GET',
  query,
  body: undefined,
  lenient: false,
  operation: '$test',
  ...extra,
});

/** The issues of the 400 that `readInput` throws, as `code expression`. */
function refusal(options: ReadOptions): string[] {
  try {
    readInput(DECLARED, options);
  } catch (error) {
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect((error as OperationOutcomeError).status).toBe(400);
    const outcome: OperationOutcome = (error as OperationOutcomeError).outcome;
    return (outcome.issue ?? []).map((i) => `${i.code} ${i.expression?.join(',') ?? ''}`);
  }
  throw new Error('expected a 400');
}

describe('reading an operation’s input', () => {
  it.each([
    ['missing a required parameter', post(body()), ['required Parameters.parameter[slot]']],
    ['no body at all', post(undefined), ['required Parameters.parameter[slot]']],
    ['a body that is not Parameters', post({ resourceType: 'Patient' }), ['invalid Parameters']],
    [
      'a value of the wrong type',
      post(body(slot, { name: 'count', valueString: '3' })),
      ['value Parameters.parameter[count]'],
    ],
    [
      'a number out of range',
      post(body(slot, { name: 'count', valueInteger: 0 })),
      ['value Parameters.parameter[count]'],
    ],
    [
      'an instant that is not one',
      post(body(slot, { name: 'since', valueInstant: 'yesterday' })),
      ['value Parameters.parameter[since]'],
    ],
    [
      'a day that does not exist',
      post(body(slot, { name: 'range', part: [{ name: 'from', valueDate: '2023-02-29' }] })),
      ['value Parameters.parameter[range].part[from]'],
    ],
    [
      'a Reference to another type',
      post(body({ name: 'slot', valueReference: { reference: 'Patient/p1' } })),
      ['value Parameters.parameter[slot]'],
    ],
    ['too many values', post(body(slot, slot)), ['structure Parameters.parameter[slot]']],
    [
      'too many values of a repeating parameter',
      get([
        ['slot', 'Slot/1'],
        ['tag', 'a'],
        ['tag', 'b'],
        ['tag', 'c'],
      ]),
      ['structure Parameters.parameter[tag]'],
    ],
    [
      'an unknown parameter',
      post(body(slot, { name: 'nonsense', valueString: 'x' })),
      ['invalid Parameters.parameter[nonsense]'],
    ],
    [
      'an unknown query parameter',
      get([
        ['slot', 'Slot/1'],
        ['nonsense', 'x'],
      ]),
      ['invalid Parameters.parameter[nonsense]'],
    ],
    [
      'an unknown part',
      post(
        body(slot, {
          name: 'range',
          part: [
            { name: 'from', valueDate: '2024-01-01' },
            { name: 'x', valueDate: '2024-01-01' },
          ],
        }),
      ),
      ['invalid Parameters.parameter[range].part[x]'],
    ],
    [
      'a missing part',
      post(body(slot, { name: 'range', part: [{ name: 'to', valueDate: '2024-01-01' }] })),
      ['required Parameters.parameter[range].part[from]'],
    ],
    [
      'a resource of another type',
      post(body(slot, { name: 'patient', resource: { resourceType: 'Group' } })),
      ['value Parameters.parameter[patient]'],
    ],
    [
      'a complex type in the query string',
      get([
        ['slot', 'Slot/1'],
        ['coding', 'x'],
      ]),
      ['invalid Parameters.parameter[coding]'],
    ],
    [
      'NUL in a query value',
      get([
        ['slot', 'Slot/1'],
        ['tag', '\u0000'],
      ]),
      ['invalid Parameters.parameter[tag]'],
    ],
    [
      'a query boolean that is not one',
      get([
        ['slot', 'Slot/1'],
        ['flag', 'yes'],
      ]),
      ['value Parameters.parameter[flag]'],
    ],
    [
      'an output parameter given as input',
      post(body(slot, { name: 'return', resource: { resourceType: 'Bundle', type: 'collection' } })),
      ['invalid Parameters.parameter[return]'],
    ],
    [
      'several problems at once',
      post(body({ name: 'count', valueInteger: -1 }, { name: 'other', valueString: 'x' })),
      [
        'value Parameters.parameter[count]',
        'invalid Parameters.parameter[other]',
        'required Parameters.parameter[slot]',
      ],
    ],
  ])('refuses %s, naming the parameter', (_name, options, expected) => {
    expect(refusal(options)).toEqual(expected);
  });

  it('validates the body as an R4 Parameters resource once the declared checks pass', () => {
    expect(refusal(post({ ...body(slot), unknownElement: 1 }))).toEqual(['structure Parameters.unknownElement']);
    expect(refusal(post(body({ ...slot, resource: { resourceType: 'Slot' } }))).length).toBeGreaterThan(0);
  });

  it('reads GET query values as their types, `+` of an offset included', () => {
    const { input } = readInput(
      DECLARED,
      get([
        ['slot', 'Slot/s1'],
        ['count', '20'],
        ['flag', 'true'],
        ['since', '2024-01-31T09:00:00 01:00'],
        ['tag', 'a'],
        ['_format', 'json'],
      ]),
    );
    expect(input.referenceId('slot')).toBe('s1');
    expect(input.integer('count')).toBe(20);
    expect(input.boolean('flag')).toBe(true);
    expect(input.string('since')).toBe('2024-01-31T09:00:00+01:00');
    expect(input.strings('tag')).toEqual(['a']);
    expect(input.names()).toEqual(['slot', 'count', 'flag', 'since', 'tag']);
  });

  it('reads a Parameters body with parts and resources', () => {
    const { input } = readInput(
      DECLARED,
      post(
        body(
          { name: 'slot', valueReference: { reference: 'http://elsewhere.test/fhir/Slot/s2' } },
          { name: 'range', part: [{ name: 'from', valueDate: '2024-01-01' }] },
          { name: 'patient', resource: { resourceType: 'Patient', active: true } },
        ),
      ),
    );
    expect(input.referenceId('slot')).toBe('s2');
    expect(input.parts('range')[0]!.string('from')).toBe('2024-01-01');
    expect(input.values('patient')[0]!.resource).toMatchObject({ resourceType: 'Patient' });
  });

  it('ignores unknown parameters with a warning when lenient', () => {
    const { input, warnings } = readInput(
      DECLARED,
      get(
        [
          ['slot', 'Slot/1'],
          ['_elements', 'id'],
        ],
        { lenient: true },
      ),
    );
    expect(input.names()).toEqual(['slot']);
    expect(warnings).toMatchObject([
      { severity: 'warning', code: 'not-supported', expression: ['Parameters.parameter[_elements]'] },
    ]);
  });
});

describe('defineOperation', () => {
  const valid: OperationDeclaration<unknown> = {
    code: 'test',
    name: 'PatientTest',
    title: 'A test',
    description: 'Tests',
    levels: ['instance'],
    resourceTypes: ['Patient'],
    affectsState: false,
    parameters: DECLARED,
    scopes: [],
    handler: () => Promise.resolve({ resourceType: 'Parameters' }),
  };

  it('derives the id, canonical URL and methods', () => {
    const operation = defineOperation(valid);
    expect(operation).toMatchObject({
      id: 'Patient-test',
      url: 'https://careweave.example/fhir/OperationDefinition/Patient-test',
      methods: ['GET', 'POST'],
    });
    expect(defineOperation({ ...valid, affectsState: true }).methods).toEqual(['POST']);
    expect(defineOperation({ ...valid, levels: ['system'], resourceTypes: [] }).id).toBe('test');
  });

  it.each([
    ['a code with $', { code: '$test' }],
    ['a name that is not a machine name', { name: 'patient test' }],
    ['no level', { levels: [] }],
    ['an instance operation without a type', { resourceTypes: [] }],
    ['GET for an operation that changes something', { affectsState: true, methods: ['GET'] }],
    ['a parameter declared twice', { parameters: [DECLARED[0]!, DECLARED[0]!] }],
    ['max below min', { parameters: [{ name: 'a', use: 'in', min: 2, max: 1, type: 'string' }] }],
    ['neither type nor parts', { parameters: [{ name: 'a', use: 'in', min: 0, max: 1 }] }],
    [
      'target types on a string',
      { parameters: [{ name: 'a', use: 'in', min: 0, max: 1, type: 'string', targetTypes: ['Slot'] }] },
    ],
    ['an id that is not a FHIR id', { id: 'no spaces please' }],
  ] as [string, Partial<OperationDeclaration<unknown>>][])('refuses %s', (_name, change) => {
    expect(() => defineOperation({ ...valid, ...change })).toThrow(/defineOperation \$/);
  });
});

describe('the published OperationDefinitions', () => {
  const all = [PATIENT_EVERYTHING, ...EXPORT_OPERATIONS, ACCESS_LOG, AUDIT_LOG, SHARING_SUMMARY];

  it.each(all.map((operation) => [operation.id, operation] as const))('%s is valid R4', (_id, operation) => {
    const errors = validateFhirResource(operation.definition).filter((i) => i.severity === 'error');
    expect(errors).toEqual([]);
    expect(operation.definition).toMatchObject({
      resourceType: 'OperationDefinition',
      id: operation.id,
      url: `https://careweave.example/fhir/OperationDefinition/${operation.id}`,
      code: operation.code,
      kind: 'operation',
    });
  });

  it('has one id each', () => {
    expect(new Set(all.map((operation) => operation.id)).size).toBe(all.length);
  });

  it('points the standard ones at the standard definitions', () => {
    expect(PATIENT_EVERYTHING.definition.base).toBe('http://hl7.org/fhir/OperationDefinition/Patient-everything');
    expect(EXPORT_OPERATIONS.map((operation) => operation.definition.base)).toEqual([
      'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
      'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
      'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export',
    ]);
  });
});
