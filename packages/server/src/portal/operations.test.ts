import { beforeAll, describe, expect, it } from 'vitest';
import { scopeRequirements } from '../auth/scopes.ts';
import { declareOperationScopes } from '../fhir/operations/registry.ts';
import { validateFhirResource } from '../fhir/validation/validate.ts';
import { PORTAL_OPERATIONS } from './operations.ts';

describe('the portal operations', () => {
  beforeAll(() => declareOperationScopes(PORTAL_OPERATIONS));

  it.each(PORTAL_OPERATIONS.map((operation) => [operation.id, operation] as const))(
    '%s publishes a valid R4 OperationDefinition',
    (_id, operation) => {
      expect(validateFhirResource(operation.definition).filter((i) => i.severity === 'error')).toEqual([]);
      expect(operation.definition).toMatchObject({
        resourceType: 'OperationDefinition',
        id: operation.id,
        code: operation.code,
      });
    },
  );

  it.each([
    ['POST', 'Appointment/$book', 'Appointment.c'],
    ['POST', 'Appointment/a1/$cancel', 'Appointment.u'],
    ['POST', 'MedicationRequest/m1/$order-repeat', 'MedicationRequest.c'],
  ])('%s %s needs %s', (method, path, scope) => {
    expect(scopeRequirements(method, path, [], undefined).map((r) => `${r.resourceType}.${r.interaction}`)).toEqual([
      scope,
    ]);
  });
});
