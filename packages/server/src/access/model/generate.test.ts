import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fhirDefinitions } from '../../fhir/definitions.ts';
import { validateFhirResource } from '../../fhir/validation/validate.ts';
import { worldArbitrary, type GenerateOptions } from './generate.ts';
import { allResources, COMPARTMENT_TYPES, decideRead, decideWrite, localRef, type WriteRequest } from './model.ts';

const OPTIONS: GenerateOptions = { now: new Date(), fhirBase: 'http://careweave.test/fhir/R4', breakGlass: 'any' };

describe('generated worlds', () => {
  it('hold valid FHIR R4 resources with unique ids and resolvable references', () => {
    const ids = new Set<string>();
    fc.assert(
      fc.property(worldArbitrary({ ...OPTIONS, ambiguous: true }), ({ world, changes }) => {
        for (const change of changes) {
          for (const version of change.after ? [change.before, change.after] : [change.before]) {
            const errors = validateFhirResource(version).filter(
              (i) => i.severity === 'error' || i.severity === 'fatal',
            );
            expect(errors, JSON.stringify(version)).toEqual([]);
          }
        }
        const resources = allResources(world);
        const keys = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
        expect(keys.size).toBe(resources.length);
        // References may also point at what was deleted later.
        const referable = new Set([...keys, ...changes.map((c) => `${c.before.resourceType}/${c.before.id}`)]);
        for (const resource of resources) {
          ids.add(resource.resourceType);
          const errors = validateFhirResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
          expect(errors, JSON.stringify(resource)).toEqual([]);
          // Every local reference to a world type points at a resource of the world.
          JSON.stringify(resource, (key, value: unknown) => {
            if (key === 'reference' && typeof value === 'string') {
              const local = localRef(world, value);
              if (local && /^(Organization|Practitioner|Patient|RelatedPerson|Encounter|CareTeam)\//.test(local)) {
                expect(referable.has(local), `${local} in ${resource.resourceType}/${resource.id}`).toBe(true);
              }
            }
            return value;
          });
        }
      }),
      { numRuns: 200 },
    );
    expect(ids.size).toBeGreaterThan(25);
  });

  it('use only types whose compartment the model knows (checked against the R4 CompartmentDefinition)', () => {
    const compartment = fhirDefinitions().patientCompartment;
    fc.assert(
      fc.property(worldArbitrary(OPTIONS), ({ world }) => {
        for (const resource of allResources(world)) {
          // A Patient is its own; a cohort Group is in its members' compartments but no one's record.
          if (resource.resourceType !== 'Patient' && resource.resourceType !== 'Group') {
            expect(COMPARTMENT_TYPES.includes(resource.resourceType), resource.resourceType).toBe(
              compartment.has(resource.resourceType),
            );
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('exercise every step of the decision, allowing and denying', () => {
    const rules = new Map<string, number>();
    let allowed = 0;
    let cases = 0;
    let declared = 0;
    fc.assert(
      fc.property(worldArbitrary(OPTIONS), ({ world, actors }) => {
        const resources = allResources(world);
        for (const actor of actors) {
          for (const resource of resources) {
            const decision = decideRead(world, actor, resource, OPTIONS.now);
            rules.set(decision.rule, (rules.get(decision.rule) ?? 0) + 1);
            declared += decision.detail?.includes('relationship declared') ? 1 : 0;
            cases++;
            allowed += decision.allow ? 1 : 0;
          }
        }
      }),
      { numRuns: 300 },
    );
    const summary = [...rules].sort((a, b) => a[0].localeCompare(b[0]));
    console.log(
      `${cases} cases, ${allowed} allowed\n${summary.map(([rule, n]) => `${String(n).padStart(7)}  ${rule}`).join('\n')}`,
    );
    const every = [
      'staff 1',
      'staff 2',
      'staff 3',
      'staff 4',
      'staff 5: outside NHS, consent opt-out',
      'staff 5: outside NHS, consent deny',
      'staff 3b',
      'staff 5: outside NHS without',
      'staff 6',
      'staff 7: consent opt-out',
      'staff 7: consent deny',
      'staff 7: consent explicit-permit-missing',
      'staff 8',
      'patient: their own',
      "patient: another patient's",
      'patient: directory',
      'related-person: themselves',
      'related-person: a permit',
      'related-person: a deny',
      'related-person: no permit',
      'related-person: another patient',
      'system: trusted',
      'system: research, the patient opted out',
      'system: research, no opt-out',
      'staff 1a',
      // Data that is not about one patient (issue 9): directory reads by each kind of actor, and
      // owned data by its owner, whom it is shared with (a person, a team, an organisation) and a stranger.
      'staff 1: directory data (public)',
      'staff 1: owned data, its owner',
      'staff 1: owned data, shared with them',
      'staff 1: owned data, shared with their organisation',
      'staff 1: owned data, shared with a team they are on',
      'staff 1: owned data, not theirs',
      'patient: directory data (public)',
      'patient: directory data not published',
      'patient: owned data',
      'related-person: directory data (public)',
      'related-person: directory data not published',
      'related-person: owned data',
      'system: research, directory data',
      'system: research, owned data',
      'patient: a cohort',
      'patient: not for online view',
      'related-person: not for online view',
    ];
    for (const prefix of every) {
      const n = summary.filter(([rule]) => rule.startsWith(prefix)).reduce((sum, [, count]) => sum + count, 0);
      expect(n, prefix).toBeGreaterThanOrEqual(20);
    }
    expect(declared, 'decisions that turned on a declared relationship').toBeGreaterThan(20);
    expect(allowed / cases).toBeGreaterThan(0.25);
    expect(allowed / cases).toBeLessThan(0.85);
  });

  it('exercise every owned-data write rule (as the write property writes: create a copy, update, delete)', () => {
    const rules = new Map<string, number>();
    fc.assert(
      fc.property(worldArbitrary(OPTIONS), ({ world, actors }) => {
        for (const actor of actors.filter((a) => a.kind === 'staff')) {
          for (const resource of allResources(world).filter((r) =>
            ['List', 'Basic', 'Group'].includes(r.resourceType),
          )) {
            const writes: WriteRequest[] = [
              { method: 'create', resource: { ...structuredClone(resource), id: undefined } },
              { method: 'update', resource, previous: resource },
              { method: 'delete', resource, previous: resource },
            ];
            for (const write of writes) {
              const { rule } = decideWrite(world, actor, write, OPTIONS.now);
              rules.set(rule, (rules.get(rule) ?? 0) + 1);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
    const summary = [...rules].sort((a, b) => a[0].localeCompare(b[0]));
    console.log(summary.map(([rule, n]) => `${String(n).padStart(7)}  ${rule}`).join('\n'));
    for (const rule of [
      'staff write: owned data, its owner',
      'staff write: owned data shared with them, its content',
      'staff write: owned data shared with them, only its owner deletes',
      'staff write: owned data shared with them, only its owner changes owners or shares',
      'staff write: owned data they own',
      'staff write: owned data they would not own',
    ]) {
      expect(rules.get(rule) ?? 0, rule).toBeGreaterThanOrEqual(20);
    }
  });
});
