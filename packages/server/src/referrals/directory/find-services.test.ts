import { describe, expect, it } from 'vitest';
import { validateFhirResource } from '../../fhir/validation/validate.ts';
import { FIND_SERVICES } from './find-services.ts';

describe('HealthcareService/$find-services', () => {
  it('publishes a valid R4 OperationDefinition, type level, read-only', () => {
    expect(validateFhirResource(FIND_SERVICES.definition).filter((i) => i.severity === 'error')).toEqual([]);
    expect(FIND_SERVICES.definition).toMatchObject({
      id: 'HealthcareService-find-services',
      code: 'find-services',
      resource: ['HealthcareService'],
      type: true,
      instance: false,
      affectsState: false,
    });
    expect(FIND_SERVICES.methods).toEqual(['GET', 'POST']);
  });
});
