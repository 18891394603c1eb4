import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { fhirDefinitions } from '../definitions.ts';
import { extractIndex, INDEX_TABLES } from './extract.ts';
import { SHARED_DATA } from '../../testing/shared-data.ts';

const require = createRequire(import.meta.url);
const EXAMPLES = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));
const SHARED = SHARED_DATA;
const DEFINITION_TYPES =
  /^(StructureDefinition|SearchParameter|ValueSet|CodeSystem|ConceptMap|OperationDefinition|CompartmentDefinition|ImplementationGuide|NamingSystem|CapabilityStatement|StructureMap)-/;

function officialExamples(): Resource[] {
  const files = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'));
  // Every clinical/administrative example, and every tenth definition (they are large and alike).
  const chosen = files.filter((f, i) => !DEFINITION_TYPES.test(f) || i % 10 === 0);
  return chosen
    .map((f) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')) as Resource)
    .filter((r) => r.resourceType);
}

function syntheaResources(): Resource[] {
  const dir = path.join(SHARED, 'synthea/bundles');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .slice(0, 3)
    .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Bundle).entry!.map((e) => e.resource!));
}

/**
 * Known, deliberate differences, where the compiled path follows the specification more closely
 * than the FHIRPath engine (@medplum/core):
 * - `resolve() is T` on an absolute reference (`http://other/fhir/Patient/1`): the engine cannot
 *   resolve it and drops it; the compiled path reads the type from the URL.
 * - `onset.as(string)`: the engine also returns `onsetDateTime`; R4's dateTime is not a string.
 * - the official `Observation/decimal` example's 1e-245 quantity, which the engine drops.
 */
function comparable(table: string, row: readonly unknown[], resource: Resource): boolean {
  if (table === 'reference' && row[3] !== null) {
    return false;
  }
  if (table === 'string' && (row[0] === 'onset-info' || row[0] === 'abatement-string')) {
    return false;
  }
  return !(resource.resourceType === 'Observation' && resource.id === 'decimal');
}

function rowSet(resource: Resource, fhirPathOnly: boolean): Record<string, string[]> {
  const { rows, compartments } = extractIndex(resource, 'http://careweave.test/fhir/R4', { fhirPathOnly });
  const absoluteTargets = new Set(rows.reference.filter((row) => row[3] !== null).map((row) => row[2]));
  const result: Record<string, string[]> = {
    compartments: compartments.filter((id) => !absoluteTargets.has(id)).sort(),
  };
  for (const table of INDEX_TABLES) {
    const kept = (rows[table] as unknown[][]).filter((row) => comparable(table, row, resource));
    result[table] = [...new Set(kept.map((row) => JSON.stringify(row)))].sort();
  }
  return result;
}

describe('compiled search-parameter paths', () => {
  it('cover nearly every R4 search parameter', () => {
    const all = [...fhirDefinitions().searchParams.values()].flatMap((params) => [...params.values()]);
    const compiled = all.filter((p) => p.fast);
    expect(compiled.length / all.length).toBeGreaterThan(0.95);
  });

  it('index the official R4 examples, Synthea and UK Core exactly as FHIRPath does', () => {
    fhirDefinitions();
    const ukcore = fs
      .readdirSync(path.join(SHARED, 'ukcore/examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(SHARED, 'ukcore/examples', f), 'utf8')) as Resource);
    const resources = [...officialExamples(), ...syntheaResources(), ...ukcore].filter((r) =>
      fhirDefinitions().resourceTypes.has(r.resourceType),
    );
    expect(resources.length).toBeGreaterThan(2000);
    const mismatches: string[] = [];
    for (const resource of resources) {
      const fast = rowSet(resource, false);
      const reference = rowSet(resource, true);
      if (JSON.stringify(fast) !== JSON.stringify(reference)) {
        mismatches.push(`${resource.resourceType}/${resource.id}: ${diff(fast, reference)}`);
      }
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
  }, 120_000);
});

function diff(a: Record<string, string[]>, b: Record<string, string[]>): string {
  return Object.keys(a)
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map(
      (k) =>
        `${k} fast=${JSON.stringify(a[k]!.filter((x) => !b[k]!.includes(x)))} fhirpath=${JSON.stringify(b[k]!.filter((x) => !a[k]!.includes(x)))}`,
    )
    .join('; ');
}
