import type * as MedplumCore from '@medplum/core';
import { OperationOutcomeError as MedplumOperationOutcomeError } from '@medplum/core';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { validateFhirResource } from './validate.ts';

// Only what @medplum/core's validateResource throws is replaced; the rest of the module is real.
const failure = vi.hoisted((): { error: Error | undefined } => ({ error: undefined }));
vi.mock('@medplum/core', async (importOriginal) => {
  const original = await importOriginal<typeof MedplumCore>();
  return {
    ...original,
    validateResource: (...args: Parameters<typeof original.validateResource>) => {
      if (failure.error !== undefined) {
        throw failure.error;
      }
      return original.validateResource(...args);
    },
  };
});

afterEach(() => {
  failure.error = undefined;
});

describe('errors from @medplum/core that are not validation outcomes', () => {
  test.each<[string, Error]>([
    ['a plain Error', new Error('Missing element validation schema for foo')],
    ['a TypeError', new TypeError('cannot read properties of undefined')],
    [
      'an OperationOutcomeError about a server failure',
      new MedplumOperationOutcomeError({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'exception', details: { text: 'boom' } }],
      }),
    ],
  ])('%s is rethrown', (_label, error) => {
    failure.error = error;
    expect(() => validateFhirResource({ resourceType: 'Patient' })).toThrow(error);
  });

  test('validation outcomes are converted, not thrown', () => {
    failure.error = new MedplumOperationOutcomeError({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'structure', details: { text: 'Invalid thing' }, expression: ['Patient.active'] },
      ],
    });
    expect(validateFhirResource({ resourceType: 'Patient', active: true })).toEqual([
      {
        severity: 'error',
        code: 'structure',
        diagnostics: 'Invalid thing (Patient.active)',
        expression: ['Patient.active'],
      },
    ]);
  });
});
