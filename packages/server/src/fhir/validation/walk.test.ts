import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { SHARED_DATA } from '../../testing/shared-data.ts';
import { validateFhirResource } from './validate.ts';

const errors = (issues: OperationOutcomeIssue[]) => issues.filter((item) => item.severity === 'error');
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

describe('calendar dates', () => {
  test.each([
    ['date', { resourceType: 'Patient', birthDate: '2024-02-30' }, 'Patient.birthDate'],
    ['date, not a leap year', { resourceType: 'Patient', birthDate: '2023-02-29' }, 'Patient.birthDate'],
    ['date, a century', { resourceType: 'Patient', birthDate: '1900-02-29' }, 'Patient.birthDate'],
    ['dateTime', { resourceType: 'Patient', deceasedDateTime: '2024-04-31T10:00:00Z' }, 'Patient.deceasedDateTime'],
    ['instant', { resourceType: 'Patient', meta: { lastUpdated: '2021-06-31T00:00:00Z' } }, 'Patient.meta.lastUpdated'],
    [
      'dateTime in an extension',
      { resourceType: 'Patient', extension: [{ url: 'http://x', valueDateTime: '2022-09-31' }] },
      'Patient.extension[0].valueDateTime',
    ],
    [
      'date in a Period of a datatype',
      { resourceType: 'Patient', name: [{ family: 'x', period: { start: '2021-11-31' } }] },
      'Patient.name[0].period.start',
    ],
  ])('%s on a day that does not exist is refused', (_name, resource, path) => {
    expect(errors(validateFhirResource(resource))).toEqual([
      expect.objectContaining({ code: 'value', expression: [path], diagnostics: expect.stringContaining('calendar') }),
    ]);
  });

  test.each([
    ['29 February in a leap year', { resourceType: 'Patient', birthDate: '2024-02-29' }],
    ['29 February 2000', { resourceType: 'Patient', birthDate: '2000-02-29' }],
    ['a partial date', { resourceType: 'Patient', birthDate: '2024-02' }],
    ['31 December', { resourceType: 'Patient', deceasedDateTime: '2024-12-31T23:59:59+01:00' }],
  ])('%s is accepted', (_name, resource) => {
    expect(errors(validateFhirResource(resource))).toEqual([]);
  });

  test('a malformed date keeps the format issue (one issue, not two)', () => {
    expect(errors(validateFhirResource({ resourceType: 'Patient', birthDate: '2024-02-30x' }))).toEqual([
      expect.objectContaining({ code: 'structure', expression: ['Patient.birthDate'] }),
    ]);
  });
});

interface Vector {
  nhsNumber: string;
  mod11Valid: boolean;
}

describe('NHS numbers', () => {
  const vectors = JSON.parse(
    readFileSync(path.join(SHARED_DATA, 'nhs-number/nhs-number-vectors.json'), 'utf8'),
  ) as Vector[];

  test.each(vectors)('$nhsNumber (valid: $mod11Valid)', ({ nhsNumber, mod11Valid }) => {
    const resource = { resourceType: 'Patient', identifier: [{ system: NHS, value: nhsNumber }] };
    const found = errors(validateFhirResource(resource));
    if (mod11Valid) {
      expect(found).toEqual([]);
    } else {
      expect(found).toContainEqual(
        expect.objectContaining({ code: 'value', expression: ['Patient.identifier[0].value'] }),
      );
    }
  });

  test('an NHS number in a reference is checked too', () => {
    const resource = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { identifier: { system: NHS, value: '9000000000' } },
    };
    expect(errors(validateFhirResource(resource))).toEqual([
      expect.objectContaining({ code: 'value', expression: ['Observation.subject.identifier.value'] }),
    ]);
  });

  test('other identifier systems are not judged by NHS rules', () => {
    const resource = { resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.3', value: '1234567890' }] };
    expect(errors(validateFhirResource(resource))).toEqual([]);
  });
});
