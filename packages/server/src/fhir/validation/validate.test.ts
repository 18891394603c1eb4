import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Bundle, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { fhirDefinitions } from '../definitions.ts';
import { OperationOutcomeError } from '../outcome.ts';
import { assertValidResource, validateFhirResource, type ValidateOptions } from './validate.ts';
import { walkResource } from './walk.ts';
import { SHARED_DATA } from '../../testing/shared-data.ts';

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

const errors = (issues: OperationOutcomeIssue[]) => issues.filter((item) => item.severity === 'error');

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

const patient = (extra: Json = {}): Json => ({ resourceType: 'Patient', id: 'p1', ...extra });
const observation = (extra: Json = {}): Json => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  ...extra,
});

describe('valid resources', () => {
  test.each<[string, Json, ValidateOptions?]>([
    ['minimal Patient', { resourceType: 'Patient' }],
    [
      'Patient with id, update',
      patient({ gender: 'female' }),
      { expectedType: 'Patient', expectedId: 'p1', requireId: true },
    ],
    ['create without id', { resourceType: 'Patient', gender: 'unknown' }, { expectedType: 'Patient', forbidId: true }],
    [
      'Patient with datatypes holding required bindings',
      patient({
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Jo</div>' },
        identifier: [{ use: 'official', system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000009' }],
        name: [
          {
            use: 'official',
            family: 'Bloggs',
            given: ['Jo'],
            _given: [{ extension: [{ url: 'http://x', valueString: 'y' }] }],
          },
        ],
        telecom: [{ system: 'phone', use: 'mobile', value: '07700 900000' }],
        address: [{ use: 'home', type: 'both', line: ['1 Road'] }],
        birthDate: '1970-01-01',
        _birthDate: {
          extension: [
            { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1970-01-01T08:00:00Z' },
          ],
        },
        contact: [{ gender: 'male', name: { family: 'Bloggs' } }],
        deceasedBoolean: false,
      }),
    ],
    [
      'Observation with quantity and components',
      observation({
        valueQuantity: {
          value: 72,
          comparator: '<',
          unit: 'beats/min',
          system: 'http://unitsofmeasure.org',
          code: '/min',
        },
        component: [
          { code: { text: 'a' }, valueString: 'x' },
          { code: { text: 'b' }, valueQuantity: { value: 1 } },
        ],
      }),
    ],
    [
      'CodeableConcept: a translation from another system is not judged',
      {
        resourceType: 'Condition',
        subject: { reference: 'Patient/p1' },
        clinicalStatus: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' },
            { system: 'http://snomed.info/sct', code: '55561003' },
          ],
        },
      },
    ],
    [
      'CodeableConcept: one coding from the value set is enough',
      {
        resourceType: 'AllergyIntolerance',
        patient: { reference: 'Patient/p1' },
        clinicalStatus: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
            { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'local-variant' },
          ],
        },
      },
    ],
    [
      'required binding that cannot be expanded (mime types) is not checked',
      {
        resourceType: 'DocumentReference',
        status: 'current',
        content: [{ attachment: { contentType: 'application/x-careweave' } }],
      },
    ],
    [
      'Questionnaire nested items (contentReference)',
      {
        resourceType: 'Questionnaire',
        status: 'active',
        item: [
          {
            linkId: 'g',
            type: 'group',
            item: [{ linkId: 'q', type: 'choice', item: [{ linkId: 'q2', type: 'display' }] }],
          },
        ],
      },
    ],
    [
      'transaction Bundle with urn:uuid references',
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:6b6c7f5e-2c1e-4a3a-9d4e-1a2b3c4d5e6f',
            resource: { resourceType: 'Patient', gender: 'other' },
            request: { method: 'POST', url: 'Patient' },
          },
          {
            fullUrl: 'urn:uuid:0f0e0d0c-2c1e-4a3a-9d4e-1a2b3c4d5e6f',
            resource: { ...observation(), subject: { reference: 'urn:uuid:6b6c7f5e-2c1e-4a3a-9d4e-1a2b3c4d5e6f' } },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      },
    ],
    [
      'contained resource',
      patient({
        contained: [{ resourceType: 'Organization', id: 'org', name: 'GP' }],
        managingOrganization: { reference: '#org' },
      }),
    ],
  ])('%s', (_label, resource, options) => {
    expect(validateFhirResource(resource, options)).toEqual([]);
    expect(() => assertValidResource(resource, options)).not.toThrow();
  });
});

interface Expected {
  expression?: string;
  code: OperationOutcomeIssue['code'];
  diagnostics?: string;
}

const GENDER_VS = 'http://hl7.org/fhir/ValueSet/administrative-gender';

describe('invalid resources', () => {
  test.each<[string, unknown, ValidateOptions | undefined, Expected]>([
    // The envelope
    ['body is an array', [patient()], undefined, { code: 'invalid', diagnostics: 'JSON object' }],
    ['body is a string', 'Patient', undefined, { code: 'invalid' }],
    ['body is null', null, undefined, { code: 'invalid' }],
    ['no resourceType', { id: 'x' }, undefined, { expression: 'resourceType', code: 'invalid' }],
    [
      'unknown resourceType',
      { resourceType: 'Patientt' },
      undefined,
      { expression: 'resourceType', code: 'invalid', diagnostics: 'Patientt' },
    ],
    [
      'abstract resourceType',
      { resourceType: 'DomainResource' },
      undefined,
      { expression: 'resourceType', code: 'invalid' },
    ],
    [
      'type mismatch with the URL',
      observation(),
      { expectedType: 'Patient' },
      { expression: 'resourceType', code: 'invalid', diagnostics: "'Patient'" },
    ],
    [
      'id mismatch with the URL',
      patient(),
      { expectedId: 'p2' },
      { expression: 'Patient.id', code: 'invalid', diagnostics: "'p2'" },
    ],
    [
      'update without id',
      { resourceType: 'Patient' },
      { requireId: true, expectedId: 'p1' },
      { expression: 'Patient.id', code: 'invalid' },
    ],
    ['create with id where forbidden', patient(), { forbidId: true }, { expression: 'Patient.id', code: 'invalid' }],
    [
      'id with a space',
      patient({ id: 'a b' }),
      undefined,
      { expression: 'Patient.id', code: 'invalid', diagnostics: "'a b'" },
    ],
    ['id too long', patient({ id: 'x'.repeat(65) }), undefined, { expression: 'Patient.id', code: 'invalid' }],
    ['id not a string', patient({ id: 42 }), undefined, { expression: 'Patient.id', code: 'invalid' }],
    [
      'contained id invalid',
      patient({ contained: [{ resourceType: 'Organization', id: 'o/1' }] }),
      undefined,
      { expression: 'Patient.contained[0].id', code: 'structure' },
    ],
    // Structure, from @medplum/core
    [
      'wrong primitive type',
      patient({ active: 'true' }),
      undefined,
      { expression: 'Patient.active', code: 'structure', diagnostics: 'expected boolean' },
    ],
    [
      'decimal for an integer',
      patient({ multipleBirthInteger: 1.5 }),
      undefined,
      { expression: 'Patient.multipleBirthInteger', code: 'structure' },
    ],
    [
      'string for a number in a choice type',
      observation({ valueQuantity: { value: '12' } }),
      undefined,
      { expression: 'Observation.valueQuantity.value', code: 'structure' },
    ],
    [
      'object for a primitive',
      patient({ birthDate: { year: 1970 } }),
      undefined,
      { expression: 'Patient.birthDate.year', code: 'structure' },
    ],
    [
      'missing required (1..1)',
      { resourceType: 'Observation', code: { text: 'x' } },
      undefined,
      { expression: 'Observation.status', code: 'structure', diagnostics: 'Missing required property' },
    ],
    [
      'missing required in a backbone element',
      observation({ component: [{ code: { text: 'a' } }, { valueString: 'b' }] }),
      undefined,
      { expression: 'Observation.component[1].code', code: 'structure' },
    ],
    [
      'missing required in nested Questionnaire items',
      {
        resourceType: 'Questionnaire',
        status: 'draft',
        item: [{ linkId: 'a', type: 'group', item: [{ type: 'string' }] }],
      },
      undefined,
      { expression: 'Questionnaire.item[0].item[0].linkId', code: 'structure' },
    ],
    [
      'too many: array for a 0..1 element',
      patient({ gender: ['male'] }),
      undefined,
      { expression: 'Patient.gender', code: 'structure', diagnostics: 'single value' },
    ],
    [
      'too many: array for a 0..1 element in a backbone',
      patient({ contact: [{ gender: 'male' }, { name: [{ family: 'x' }] }] }),
      undefined,
      { expression: 'Patient.contact[1].name', code: 'structure' },
    ],
    [
      'too many: two branches of a choice',
      patient({ deceasedBoolean: true, deceasedDateTime: '2020-01-01' }),
      undefined,
      { expression: 'Patient.deceasedDateTime', code: 'structure', diagnostics: 'deceasedBoolean' },
    ],
    [
      'single value for an array',
      patient({ name: { family: 'x' } }),
      undefined,
      { expression: 'Patient.name', code: 'structure', diagnostics: 'array' },
    ],
    [
      'unknown element',
      patient({ favouriteColour: 'blue' }),
      undefined,
      { expression: 'Patient.favouriteColour', code: 'structure', diagnostics: 'favouriteColour' },
    ],
    [
      'unknown element in a backbone element',
      patient({ contact: [{ name: { family: 'x' }, nickname: 'y' }] }),
      undefined,
      { expression: 'Patient.contact[0].nickname', code: 'structure' },
    ],
    [
      'unknown element in a datatype in a choice',
      observation({ valueQuantity: { value: 1, colour: 'red' } }),
      undefined,
      { expression: 'Observation.valueQuantity.colour', code: 'structure' },
    ],
    [
      'unknown choice branch',
      observation({ valueBanana: 1 }),
      undefined,
      { expression: 'Observation.valueBanana', code: 'structure' },
    ],
    [
      'bad date',
      patient({ birthDate: '1970-13-45' }),
      undefined,
      { expression: 'Patient.birthDate', code: 'structure', diagnostics: 'Invalid date format' },
    ],
    [
      'bad dateTime in a choice',
      observation({ effectiveDateTime: '2020-02-30T25:00' }),
      undefined,
      { expression: 'Observation.effectiveDateTime', code: 'structure' },
    ],
    [
      'bad instant',
      patient({ meta: { lastUpdated: '2020-01-01T10:00:00' } }),
      undefined,
      { expression: 'Patient.meta.lastUpdated', code: 'structure' },
    ],
    [
      'bad dateTime in a component',
      observation({ component: [{ code: { text: 'a' }, valueDateTime: 'yesterday' }] }),
      undefined,
      { expression: 'Observation.component[0].valueDateTime', code: 'structure' },
    ],
    ['null value', patient({ gender: null }), undefined, { expression: 'Patient.gender', code: 'structure' }],
    [
      'invariant',
      patient({ contact: [{ gender: 'male' }] }),
      undefined,
      { expression: 'Patient.contact[0]', code: 'invariant', diagnostics: 'pat-1' },
    ],
    // Required bindings
    [
      'bad gender',
      patient({ gender: 'banana' }),
      undefined,
      {
        expression: 'Patient.gender',
        code: 'code-invalid',
        diagnostics: `Value 'banana' is not in the required value set ${GENDER_VS} (Patient.gender)`,
      },
    ],
    [
      'bad Observation.status',
      observation({ status: 'done' }),
      undefined,
      { expression: 'Observation.status', code: 'code-invalid', diagnostics: 'observation-status' },
    ],
    [
      'bad Encounter.status',
      { resourceType: 'Encounter', status: 'done', class: { code: 'AMB' } },
      undefined,
      { expression: 'Encounter.status', code: 'code-invalid', diagnostics: 'encounter-status' },
    ],
    [
      'bad nested gender',
      patient({ contact: [{ gender: 'mail', name: { family: 'x' } }] }),
      undefined,
      { expression: 'Patient.contact[0].gender', code: 'code-invalid' },
    ],
    [
      'bad ContactPoint.system',
      patient({ telecom: [{ system: 'carrier-pigeon', value: '1' }] }),
      undefined,
      { expression: 'Patient.telecom[0].system', code: 'code-invalid', diagnostics: 'contact-point-system' },
    ],
    [
      'bad ContactPoint.use',
      patient({
        telecom: [
          { system: 'phone', value: '1' },
          { system: 'phone', use: 'cell', value: '2' },
        ],
      }),
      undefined,
      { expression: 'Patient.telecom[1].use', code: 'code-invalid' },
    ],
    [
      'bad HumanName.use',
      patient({ name: [{ use: 'nick', family: 'x' }] }),
      undefined,
      { expression: 'Patient.name[0].use', code: 'code-invalid' },
    ],
    [
      'bad Address.use',
      patient({ address: [{ use: 'holiday' }] }),
      undefined,
      { expression: 'Patient.address[0].use', code: 'code-invalid' },
    ],
    [
      'bad Identifier.use',
      patient({ identifier: [{ use: 'main', value: '1' }] }),
      undefined,
      { expression: 'Patient.identifier[0].use', code: 'code-invalid' },
    ],
    [
      'bad Narrative.status',
      patient({ text: { status: 'auto', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }),
      undefined,
      { expression: 'Patient.text.status', code: 'code-invalid' },
    ],
    [
      'bad Quantity.comparator in a choice',
      observation({ valueQuantity: { value: 1, comparator: '!=' } }),
      undefined,
      { expression: 'Observation.valueQuantity.comparator', code: 'code-invalid' },
    ],
    [
      'bad comparator in a component',
      observation({
        component: [{ code: { text: 'a' } }, { code: { text: 'b' }, valueQuantity: { value: 1, comparator: '~' } }],
      }),
      undefined,
      { expression: 'Observation.component[1].valueQuantity.comparator', code: 'code-invalid' },
    ],
    [
      'bad Age comparator (constrained datatype)',
      { resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetAge: { value: 3, comparator: 'about' } },
      undefined,
      { expression: 'Condition.onsetAge.comparator', code: 'code-invalid' },
    ],
    [
      'bad code in a required CodeableConcept',
      {
        resourceType: 'Condition',
        subject: { reference: 'Patient/1' },
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'cured' }],
        },
      },
      undefined,
      { expression: 'Condition.clinicalStatus.coding[0].code', code: 'code-invalid', diagnostics: "Code 'cured'" },
    ],
    [
      'bad code in a backbone element',
      {
        resourceType: 'AllergyIntolerance',
        patient: { reference: 'Patient/1' },
        reaction: [{ manifestation: [{ text: 'rash' }], severity: 'terrible' }],
      },
      undefined,
      { expression: 'AllergyIntolerance.reaction[0].severity', code: 'code-invalid' },
    ],
    [
      'bad code in nested Questionnaire items',
      {
        resourceType: 'Questionnaire',
        status: 'draft',
        item: [{ linkId: 'a', type: 'group', item: [{ linkId: 'b', type: 'text-box' }] }],
      },
      undefined,
      { expression: 'Questionnaire.item[0].item[0].type', code: 'code-invalid' },
    ],
    [
      'bad code inside an extension value',
      patient({ extension: [{ url: 'http://x', valueQuantity: { value: 1, comparator: 'gt' } }] }),
      undefined,
      { expression: 'Patient.extension[0].valueQuantity.comparator', code: 'code-invalid' },
    ],
    [
      'bad code in a contained resource',
      patient({ contained: [{ resourceType: 'Patient', id: 'c', gender: 'x' }] }),
      undefined,
      { expression: 'Patient.contained[0].gender', code: 'code-invalid' },
    ],
    [
      'bad code in a Bundle entry',
      { resourceType: 'Bundle', type: 'collection', entry: [{ resource: observation({ status: 'ok' }) }] },
      undefined,
      { expression: 'Bundle.entry[0].resource.status', code: 'code-invalid' },
    ],
    [
      'bad Bundle.type',
      { resourceType: 'Bundle', type: 'bag' },
      undefined,
      { expression: 'Bundle.type', code: 'code-invalid' },
    ],
    [
      'bad code in an array of codes',
      {
        resourceType: 'SearchParameter',
        url: 'http://x',
        name: 'x',
        status: 'draft',
        description: 'x',
        code: 'x',
        type: 'token',
        base: ['Patient', 'Patientt'],
      },
      undefined,
      { expression: 'SearchParameter.base[1]', code: 'code-invalid', diagnostics: "'Patientt'" },
    ],
    // Extensions and nested resources
    [
      'extension without url',
      patient({ extension: [{ valueString: 'x' }] }),
      undefined,
      { expression: 'Patient.extension[0].url', code: 'structure', diagnostics: 'url' },
    ],
    [
      'modifierExtension without url',
      patient({ modifierExtension: [{ valueBoolean: true }] }),
      undefined,
      { expression: 'Patient.modifierExtension[0].url', code: 'structure' },
    ],
    [
      'nested extension without url',
      patient({ extension: [{ url: 'http://x', extension: [{ valueString: 'y' }] }] }),
      undefined,
      { expression: 'Patient.extension[0].extension[0].url', code: 'structure' },
    ],
    [
      'primitive extension without url',
      patient({ birthDate: '1970-01-01', _birthDate: { extension: [{ valueString: 'x' }] } }),
      undefined,
      { expression: 'Patient.birthDate.extension[0].url', code: 'structure' },
    ],
    [
      'extension url empty',
      patient({ extension: [{ url: '', valueString: 'x' }] }),
      undefined,
      { expression: 'Patient.extension[0].url', code: 'structure' },
    ],
    [
      'contained resource of unknown type',
      patient({ contained: [{ resourceType: 'Foo', id: 'x' }] }),
      undefined,
      { expression: 'Patient.contained[0].resourceType', code: 'structure', diagnostics: 'Foo' },
    ],
    [
      'contained resource without resourceType',
      patient({ contained: [{ id: 'x' }] }),
      undefined,
      { expression: 'Patient.contained[0]', code: 'structure' },
    ],
  ])('%s', (_label, resource, options, expected) => {
    const issues = validateFhirResource(resource, options);
    expect(errors(issues)).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        code: expected.code,
        ...(expected.expression ? { expression: [expected.expression] } : {}),
        ...(expected.diagnostics ? { diagnostics: expect.stringContaining(expected.diagnostics) as unknown } : {}),
      }),
    );
    for (const item of issues) {
      expect(item.diagnostics).toBeTruthy();
    }
    let thrown: unknown;
    try {
      assertValidResource(resource, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OperationOutcomeError);
    const error = thrown as OperationOutcomeError;
    expect(error.status).toBe(400);
    expect(error.outcome.issue).toEqual(issues);
  });

  test('every problem is listed, not just the first', () => {
    const issues = validateFhirResource(
      patient({
        gender: 'banana',
        birthDate: 'soon',
        favouriteColour: 'blue',
        telecom: [{ system: 'carrier-pigeon' }],
      }),
    );
    expect(issues.map((item) => item.expression?.[0]).sort()).toEqual(
      ['Patient.birthDate', 'Patient.favouriteColour', 'Patient.gender', 'Patient.telecom[0].system'].sort(),
    );
  });

  test('a value where an array belongs is one issue, without the noise under it', () => {
    expect(validateFhirResource(patient({ name: 'Jo' })).map((item) => item.expression?.[0])).toEqual(['Patient.name']);
  });
});

// ---------------------------------------------------------------------------------------------
// Real data: the official R4 examples, Synthea transaction Bundles, UK Core examples.

const EXAMPLES_DIR = dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

/**
 * Official R4 examples that genuinely break the R4 rules (they were published unchecked or predate
 * a rule). Each must fail, and only at the paths given here, so a regression still shows.
 */
const KNOWN_INVALID_EXAMPLES: Record<string, { why: string; errorsAt: RegExp }> = {
  'Bundle-dataelements.json': {
    why: 'bdl-7: the same fullUrl (e.g. de-Quantity.value) appears 3 times without meta.versionId',
    errorsAt: /^Bundle$/,
  },
  'CodeSystem-v2-0550.json': {
    why: "codes such as 'CHEST\\u00c2 ' (mis-encoded trailing space) and ' ' break the code syntax",
    errorsAt: /^CodeSystem\.concept\[\d+\]\.code$/,
  },
  'Bundle-v2-valuesets.json': {
    why: 'contains CodeSystem v2-0550, see above',
    errorsAt: /^Bundle\.entry\[814\]\.resource\.concept\[\d+\]\.code$/,
  },
  'ImplementationGuide-fhir.json': {
    why: 'no name and no status (both 1..1)',
    errorsAt: /^ImplementationGuide\.(name|status)$/,
  },
  'ig-r4.json': { why: 'no name and no status (both 1..1)', errorsAt: /^ImplementationGuide\.(name|status)$/ },
  'Questionnaire-qs1.json': {
    why: 'nested items without linkId (1..1)',
    errorsAt: /^Questionnaire\.item\[\d+\](\.item\[\d+\])+\.linkId$/,
  },
  'SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json': {
    why: 'id is 68 characters, the limit is 64',
    errorsAt: /^SearchParameter\.id$/,
  },
  ...Object.fromEntries(
    ['Definition', 'Event', 'FiveWs', 'Request'].map((name) => [
      `StructureDefinition-${name}.json`,
      {
        why: 'sdf-4: a logical model that is not abstract and has no baseDefinition',
        errorsAt: /^StructureDefinition$/,
      },
    ]),
  ),
  ...Object.fromEntries(
    ['codesystem-extensions-CodeSystem', 'valueset-extensions-ValueSet']
      .flatMap((prefix) => ['author', 'effective', 'end', 'keyword', 'workflow'].map((code) => `${prefix}-${code}`))
      .map((id) => [
        `SearchParameter-${id}.json`,
        { why: 'search parameters on extensions published without base (1..*)', errorsAt: /^SearchParameter\.base$/ },
      ]),
  ),
};

/**
 * Definition Bundles and the core IG, each over the 100,000 values a resource may hold
 * (src/fhir/limits.ts): refused as they are, and otherwise checked here with a larger limit.
 */
const TOO_LARGE_EXAMPLES = [
  'Bundle-dataelements.json',
  'Bundle-extensions.json',
  'Bundle-profiles-others.json',
  'Bundle-resources.json',
  'Bundle-v2-valuesets.json',
  'Bundle-valueset-expansions.json',
  'Bundle-valuesets.json',
  'ImplementationGuide-fhir.json',
  'ig-r4.json',
];

function checkExample(file: string, resource: Json): string[] {
  const known = KNOWN_INVALID_EXAMPLES[file];
  const found = errors(validateFhirResource(resource, { limits: { maxNodes: 10_000_000, maxDepth: 64 } }));
  if (!known) {
    return found.map((item) => `${file}: ${item.diagnostics}`);
  }
  if (!found.length) {
    return [`${file}: listed as invalid (${known.why}) but passes`];
  }
  return found
    .filter((item) => !known.errorsAt.test(item.expression?.[0] ?? ''))
    .map((item) => `${file}: unexpected ${item.diagnostics}`);
}

describe('official R4 examples (hl7.fhir.r4.examples@4.0.1)', () => {
  const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json') && file !== 'package.json');
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const group = (file.split('-')[0] ?? file).replace(/\.json$/, '');
    groups.set(group, [...(groups.get(group) ?? []), file]);
  }

  test('those over the size limit are refused with that one issue, and no others are', () => {
    const tooLarge = files.filter((file) => {
      const found = errors(validateFhirResource(readJson(join(EXAMPLES_DIR, file))));
      const limit = found.filter((item) => item.code === 'too-costly');
      if (limit.length) {
        expect(found).toEqual(limit);
      }
      return limit.length > 0;
    });
    expect(tooLarge.sort()).toEqual([...TOO_LARGE_EXAMPLES].sort());
  }, 120_000);

  test('the package holds the full example set', () => {
    expect(files.length).toBeGreaterThan(5000);
    for (const file of Object.keys(KNOWN_INVALID_EXAMPLES)) {
      expect(files).toContain(file);
    }
  });

  test.each([...groups].map(([group, groupFiles]) => ({ group, groupFiles, count: groupFiles.length })))(
    '$group ($count files)',
    ({ groupFiles }) => {
      const problems: string[] = [];
      for (const file of groupFiles) {
        problems.push(...checkExample(file, readJson(join(EXAMPLES_DIR, file))));
      }
      expect(problems).toEqual([]);
    },
    // Pure CPU: the biggest groups (Bundle, StructureDefinition) take minutes on a busy two-core machine.
    300_000,
  );
});

const SYNTHEA_DIR = path.join(SHARED_DATA, 'synthea/bundles');
const SYNTHEA_BUNDLES = [
  'Abdul_Koepp_e925b0f3-8006-43f6-aa31-94bd215e55e7.json',
  'Alda_Carter_ee1034c9-cb75-413c-8f36-da7e4268d2b5.json',
  'Alejandro_Riojas_a9fcc685-c7a2-4474-bf25-26c8fe4b48f9.json',
  'hospitalInformation1559319163815.json',
  'practitionerInformation1559319163815.json',
];

describe('Synthea transaction Bundles', () => {
  test.each(SYNTHEA_BUNDLES)('%s: every entry and the Bundle itself', (file) => {
    const bundle = readJson(join(SYNTHEA_DIR, file)) as unknown as Bundle;
    expect(bundle.type).toBe('transaction');
    const problems: string[] = [];
    for (const entry of bundle.entry ?? []) {
      for (const item of validateFhirResource(entry.resource)) {
        problems.push(`${entry.fullUrl}: ${item.diagnostics}`);
      }
    }
    expect(problems).toEqual([]);
    expect(validateFhirResource(bundle)).toEqual([]);
  });

  test('the binding walk takes well under 0.2 ms per resource', () => {
    const { resourceTypes } = fhirDefinitions();
    const resources = SYNTHEA_BUNDLES.flatMap((file) =>
      ((readJson(join(SYNTHEA_DIR, file)) as unknown as Bundle).entry ?? []).map(
        (entry) => entry.resource as unknown as Json,
      ),
    );
    for (const resource of resources) {
      walkResource(resource, resourceTypes, []); // warm up: builds the index for these types
    }
    const start = performance.now();
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      for (const resource of resources) {
        walkResource(resource, resourceTypes, []);
      }
    }
    const perResource = (performance.now() - start) / (rounds * resources.length);
    expect(perResource).toBeLessThan(0.2);
  });
});

const UKCORE_DIR = path.join(SHARED_DATA, 'ukcore/examples');

/** UK Core examples that break R4 rules. */
const KNOWN_INVALID_UKCORE: Record<string, { why: string; errorsAt: RegExp }> = {
  'Extension-UKCore-ConditionEpisode-Example.json': {
    why: 'the extension carries both valueCode and valueCodeableConcept; value[x] is 0..1',
    errorsAt: /^Condition\.extension\[0\]\.valueCodeableConcept$/,
  },
  'UKCore-Patient-BabyPatient-Example.json': {
    why: 'its NHS number 9912003890 fails the Modulus 11 check (the check digit would be 6)',
    errorsAt: /^Patient\.identifier\[0\]\.value$/,
  },
};

describe('UK Core examples', () => {
  const files = readdirSync(UKCORE_DIR).filter((file) => file.endsWith('.json'));

  test.each(files)('%s', (file) => {
    // These were converted from the published XML, which carried XML comments over as
    // `fhir_comments` properties (a DSTU2 JSON convention, not part of R4 JSON): drop them.
    const resource = JSON.parse(readFileSync(join(UKCORE_DIR, file), 'utf8'), (key, value: unknown) =>
      key === 'fhir_comments' ? undefined : value,
    ) as Json;
    const found = errors(validateFhirResource(resource));
    const known = KNOWN_INVALID_UKCORE[file];
    if (known) {
      expect(found.length).toBeGreaterThan(0);
      expect(found.filter((item) => !known.errorsAt.test(item.expression?.[0] ?? ''))).toEqual([]);
    } else {
      expect(found).toEqual([]);
    }
  });

  test('fhir_comments is not R4 JSON and is reported as an unknown element', () => {
    const resource = readJson(join(UKCORE_DIR, 'Extension-UKCore-BirthSex-Example.json'));
    expect(errors(validateFhirResource(resource))).toContainEqual(
      expect.objectContaining({ code: 'structure', expression: ['Patient.extension[0].fhir_comments'] }),
    );
  });
});
