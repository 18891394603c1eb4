import { beforeAll, describe, expect, it } from 'vitest';
import {
  completedYears,
  DEFAULT_NOW,
  emergencyAdmissionProbability,
  featuresFromPatientResources,
  generateInfrastructure,
  generatePatients,
  isValidNhsNumber,
  patientGenerator,
  SYSTEM,
  type FhirResource,
  type PatientFeatures,
} from './index.ts';
import { AGE_BANDS } from './reference-data.ts';

const NOW = new Date(DEFAULT_NOW);
const YEAR_MS = 365.25 * 86_400_000;
const N = 5000;
const SEED = 42;

let infra: FhirResource[];
let patients: FhirResource[][];

beforeAll(() => {
  infra = generateInfrastructure({ patients: N, seed: SEED });
  patients = [...generatePatients({ patients: N, seed: SEED })];
});

function serialise(opts: { patients: number; seed: number }): string {
  const parts = [JSON.stringify(generateInfrastructure(opts))];
  for (const arr of generatePatients(opts)) {
    parts.push(JSON.stringify(arr));
  }
  return parts.join('\n');
}

function collectReferences(value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) {
      collectReferences(v, out);
    }
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      const v = obj[k];
      if (k === 'reference' && typeof v === 'string') {
        out.push(v);
      } else if (v !== null && typeof v === 'object') {
        collectReferences(v, out);
      }
    }
  }
}

describe('determinism', () => {
  it('gives byte-identical output for the same seed and size', () => {
    expect(serialise({ patients: 200, seed: 7 })).toBe(serialise({ patients: 200, seed: 7 }));
  });

  it('gives different output for a different seed', () => {
    expect(serialise({ patients: 50, seed: 7 })).not.toBe(serialise({ patients: 50, seed: 8 }));
  });

  it('generates patient N identically whatever the population size, and on its own', () => {
    const small = [...generatePatients({ patients: 20, seed: SEED })];
    expect(JSON.stringify(small)).toBe(JSON.stringify(patients.slice(0, 20)));
    const one = patientGenerator({ seed: SEED });
    expect(JSON.stringify(one(4321))).toBe(JSON.stringify(patients[4320]));
    expect(() => one(0)).toThrow(RangeError);
  });

  it('respects the reference date', () => {
    const later = [...generatePatients({ patients: 5, seed: SEED, now: new Date('2030-01-01T00:00:00Z') })];
    expect(JSON.stringify(later)).not.toBe(JSON.stringify(patients.slice(0, 5)));
    for (const arr of later) {
      for (const r of arr) {
        const start =
          (r['period'] as { start?: string } | undefined)?.start ?? (r['effectiveDateTime'] as string | undefined);
        if (start) {
          expect(Date.parse(start)).toBeLessThanOrEqual(Date.parse('2030-01-01T00:00:00Z'));
        }
      }
    }
  });

  it('rejects bad options', () => {
    expect(() => [...generatePatients({ patients: -1, seed: 1 })]).toThrow(RangeError);
    expect(() => generateInfrastructure({ patients: 1, seed: Number.NaN })).toThrow(RangeError);
  });
});

describe('structure', () => {
  it('gives every resource a resourceType and a unique, FHIR-valid id', () => {
    const ids = new Set<string>();
    const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;
    for (const r of [...infra, ...patients.flat()]) {
      if (typeof r.resourceType !== 'string' || !/^[A-Z][A-Za-z]+$/.test(r.resourceType)) {
        throw new Error(`bad resourceType ${String(r.resourceType)}`);
      }
      if (typeof r.id !== 'string' || !idPattern.test(r.id)) {
        throw new Error(`bad id ${r.id}`);
      }
      const key = r.resourceType + '/' + r.id;
      if (ids.has(key)) {
        throw new Error(`duplicate ${key}`);
      }
      ids.add(key);
    }
  });

  it('puts the Patient first in each array and everything else in its compartment', () => {
    for (const arr of patients) {
      const patient = arr[0]!;
      expect(patient.resourceType).toBe('Patient');
      const pref = 'Patient/' + patient.id;
      for (const r of arr.slice(1)) {
        const subject = (r['subject'] ?? r['patient']) as { reference: string } | undefined;
        if (subject?.reference !== pref) {
          throw new Error(`${r.resourceType}/${r.id} is not in ${pref}'s compartment`);
        }
      }
    }
  });

  it('has no dangling references, and every reference points to an earlier resource', () => {
    const known = new Set<string>();
    for (const r of infra) {
      known.add(r.resourceType + '/' + r.id);
    }
    // Infrastructure: references must resolve within the infrastructure.
    for (const r of infra) {
      const refs: string[] = [];
      collectReferences(r, refs);
      for (const ref of refs) {
        if (!known.has(ref)) {
          throw new Error(`dangling ${ref} in ${r.resourceType}/${r.id}`);
        }
      }
    }
    let checked = 0;
    for (const arr of patients) {
      const seen = new Set<string>();
      for (const r of arr) {
        const refs: string[] = [];
        collectReferences(r, refs);
        for (const ref of refs) {
          if (!/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(ref)) {
            throw new Error(`not a relative reference: ${ref}`);
          }
          if (!known.has(ref) && !seen.has(ref)) {
            throw new Error(`dangling or forward reference ${ref} in ${r.resourceType}/${r.id}`);
          }
          checked++;
        }
        seen.add(r.resourceType + '/' + r.id);
      }
    }
    expect(checked).toBeGreaterThan(N * 20);
  });

  it('averages 25–40 resources per patient', () => {
    const total = patients.reduce((s, a) => s + a.length, 0);
    expect(total / N).toBeGreaterThan(25);
    expect(total / N).toBeLessThan(40);
  });

  it('has the required organisation types and ODS identifiers', () => {
    const orgs = infra.filter((r) => r.resourceType === 'Organization');
    const types = new Map<string, number>();
    for (const o of orgs) {
      const ident = (o['identifier'] as { system: string; value: string }[])[0]!;
      expect(ident.system).toBe(SYSTEM.odsOrganisation);
      const code = (o['type'] as { coding: { system: string; code: string }[] }[])[0]!.coding[0]!;
      expect(code.system).toBe(SYSTEM.organisationType);
      types.set(code.code, (types.get(code.code) ?? 0) + 1);
    }
    expect(types.get('gp-practice')).toBeGreaterThanOrEqual(18);
    expect(types.get('care-home')).toBeGreaterThanOrEqual(2);
    for (const t of [
      'acute-trust',
      'community',
      'mental-health',
      'social-care',
      'ambulance',
      'voluntary-sector',
      'commissioner',
      'non-nhs-app',
    ]) {
      expect(types.get(t), t).toBeGreaterThanOrEqual(1);
    }
    const roles = infra.filter((r) => r.resourceType === 'PractitionerRole');
    expect(roles.length).toBe(infra.filter((r) => r.resourceType === 'Practitioner').length);
  });
});

describe('population', () => {
  it('gives every patient a valid, unique NHS number', () => {
    const seen = new Set<string>();
    for (const arr of patients) {
      const ident = (arr[0]!['identifier'] as { system: string; value: string }[]).find(
        (i) => i.system === SYSTEM.nhsNumber,
      );
      expect(ident).toBeDefined();
      if (!isValidNhsNumber(ident!.value)) {
        throw new Error(`invalid NHS number ${ident!.value}`);
      }
      seen.add(ident!.value);
    }
    expect(seen.size).toBe(N);
  });

  it('has a West Lancashire-like age/sex structure', () => {
    const total = AGE_BANDS.reduce((s, b) => s + b.percent, 0);
    const counts = AGE_BANDS.map(() => 0);
    let female = 0;
    let over65 = 0;
    for (const arr of patients) {
      const age = completedYears(arr[0]!['birthDate'] as string, NOW);
      const i = AGE_BANDS.findIndex((b) => age >= b.from && (age <= b.to || b.from >= 90));
      counts[i === -1 ? AGE_BANDS.length - 1 : i]!++;
      if (arr[0]!['gender'] === 'female') {
        female++;
      }
      if (age >= 65) {
        over65++;
      }
    }
    AGE_BANDS.forEach((b, i) => {
      const observed = (100 * counts[i]!) / N;
      expect(Math.abs(observed - (100 * b.percent) / total), `band ${b.from}`).toBeLessThan(1.2);
    });
    expect((100 * over65) / N).toBeGreaterThan(20);
    expect((100 * over65) / N).toBeLessThan(26);
    expect((100 * female) / N).toBeGreaterThan(49);
    expect((100 * female) / N).toBeLessThan(54);
  });

  it('records an IMD decile on every address, more deprived in Skelmersdale', () => {
    const byTown = new Map<string, number[]>();
    for (const arr of patients) {
      const address = (
        arr[0]!['address'] as { city: string; extension: { url: string; valueInteger: number }[] }[]
      )[0]!;
      const ext = address.extension.find((e) => e.url === SYSTEM.imdDecile)!;
      expect(ext.valueInteger).toBeGreaterThanOrEqual(1);
      expect(ext.valueInteger).toBeLessThanOrEqual(10);
      const list = byTown.get(address.city) ?? [];
      list.push(ext.valueInteger);
      byTown.set(address.city, list);
    }
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(byTown.get('Skelmersdale')!)).toBeLessThan(3.5);
    expect(mean(byTown.get('Aughton')!)).toBeGreaterThan(7.5);
  });

  it('has plausible hypertension and diabetes prevalence', () => {
    let htn = 0;
    let dm = 0;
    let adults17 = 0;
    for (const arr of patients) {
      const f = featuresFromPatientResources(arr, NOW);
      if (f.conditions.includes('hypertension')) {
        htn++;
      }
      if (f.age >= 17) {
        adults17++;
        if (f.conditions.includes('diabetes')) {
          dm++;
        }
      }
    }
    // Hypertension: QOF England ~14.8% of all ages; West Lancashire is older.
    expect((100 * htn) / N).toBeGreaterThan(13);
    expect((100 * htn) / N).toBeLessThan(18.5);
    // Type 2 diabetes: QOF England ~7.7% of 17+.
    expect((100 * dm) / adults17).toBeGreaterThan(6);
    expect((100 * dm) / adults17).toBeLessThan(9.5);
  });

  it('samples emergency admissions that rise with age, deprivation and multimorbidity', () => {
    interface Acc {
      admissions: number;
      py: number;
    }
    const acc = (): Acc => ({ admissions: 0, py: 0 });
    const overall = acc();
    const byAge = { child: acc(), adult: acc(), older: acc(), oldest: acc() };
    const byDep = { deprived: acc(), middle: acc(), affluent: acc() };
    const byMorbidity = { none: acc(), some: acc(), many: acc() };
    let expected = 0;
    for (const arr of patients) {
      const f: PatientFeatures = featuresFromPatientResources(arr, NOW);
      const birth = Date.parse(arr[0]!['birthDate'] as string);
      const py = Math.min(2, (NOW.getTime() - birth) / YEAR_MS);
      const n = arr.filter(
        (r) =>
          r.resourceType === 'Encounter' &&
          (r['type'] as { coding: { code: string }[] }[])[0]!.coding[0]!.code === 'emergency-admission',
      ).length;
      expected += -Math.log(1 - emergencyAdmissionProbability(f)) * py;
      for (const a of [
        overall,
        f.age < 18 ? byAge.child : f.age < 65 ? byAge.adult : f.age < 85 ? byAge.older : byAge.oldest,
        f.imdDecile <= 3 ? byDep.deprived : f.imdDecile >= 8 ? byDep.affluent : byDep.middle,
        f.conditions.length === 0 ? byMorbidity.none : f.conditions.length < 3 ? byMorbidity.some : byMorbidity.many,
      ]) {
        a.admissions += n;
        a.py += py;
      }
    }
    const rate = (a: Acc): number => (100 * a.admissions) / a.py;
    expect(rate(overall)).toBeGreaterThan(8);
    expect(rate(overall)).toBeLessThan(12);
    // Observed count close to the model's expectation (Poisson noise on ~1,000 events).
    expect(Math.abs(overall.admissions - expected) / expected).toBeLessThan(0.08);
    expect(rate(byAge.adult)).toBeLessThan(rate(byAge.older));
    expect(rate(byAge.older)).toBeLessThan(rate(byAge.oldest));
    expect(rate(byAge.oldest)).toBeGreaterThan(30);
    expect(rate(byDep.deprived)).toBeGreaterThan(rate(byDep.middle));
    expect(rate(byDep.middle)).toBeGreaterThan(rate(byDep.affluent));
    expect(rate(byMorbidity.none)).toBeLessThan(rate(byMorbidity.some));
    expect(rate(byMorbidity.some)).toBeLessThan(rate(byMorbidity.many));
  });

  it('links emergency admissions to A&E, priority and hospitalisation details', () => {
    let admissions = 0;
    for (const arr of patients) {
      for (const r of arr) {
        if (r.resourceType !== 'Encounter') {
          continue;
        }
        const cls = (r['class'] as { code: string }).code;
        const kind = (r['type'] as { coding: { code: string }[] }[])[0]!.coding[0]!.code;
        const fail = (why: string): never => {
          throw new Error(`Encounter/${r.id} (${kind}): ${why}`);
        };
        if (kind === 'emergency-admission') {
          admissions++;
          if (cls !== 'IMP') {
            fail(`class ${cls}`);
          }
          if ((r['priority'] as { coding: { code: string }[] }).coding[0]!.code !== 'EM') {
            fail('priority is not EM');
          }
          if (r['hospitalization'] === undefined) {
            fail('no hospitalization');
          }
        } else if (kind === 'ae-attendance' && cls !== 'EMER') {
          fail(`class ${cls}`);
        } else if (kind === 'gp-consultation') {
          if (cls !== 'AMB') {
            fail(`class ${cls}`);
          }
          const practice = (arr[0]!['generalPractitioner'] as { reference: string }[])[0]!.reference;
          if ((r['serviceProvider'] as { reference: string }).reference !== practice) {
            fail('serviceProvider is not the registered practice');
          }
        }
      }
    }
    expect(admissions).toBeGreaterThan(0);
  });

  it('only dates clinical events within the patient\u2019s life and before the reference date', () => {
    for (const arr of patients) {
      const birth = Date.parse(arr[0]!['birthDate'] as string);
      for (const r of arr.slice(1)) {
        const when =
          (r['period'] as { start: string } | undefined)?.start ??
          (r['effectiveDateTime'] as string | undefined) ??
          (r['onsetDateTime'] as string | undefined) ??
          (r['authoredOn'] as string | undefined) ??
          (r['recordedDate'] as string);
        const t = Date.parse(when);
        if (!(t >= birth && t <= NOW.getTime())) {
          throw new Error(`${r.resourceType}/${r.id} at ${when}, born ${String(arr[0]!['birthDate'])}`);
        }
      }
    }
  });
});
