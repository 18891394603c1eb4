/**
 * Summary statistics and speed measurement for the seed generator (used to write docs/SEED.md).
 *
 *   node packages/server/src/seed/report.ts [patients=30000] [seed=42]
 *
 * Prints resource counts, age/sex structure, condition prevalence, encounter and emergency-admission
 * rates, and generation speed (objects only, and objects + JSON.stringify) on one core.
 */
import { emergencyAdmissionProbability } from './admissions.ts';
import { featuresFromPatientResources } from './features.ts';
import { generateInfrastructure, generatePatients } from './index.ts';
import { AGE_BANDS, CONDITIONS } from './reference-data.ts';
import { DEFAULT_NOW, type FhirResource } from './types.ts';

const YEAR_MS = 365.25 * 86_400_000;

export interface PopulationSummary {
  patients: number;
  resources: number;
  byType: Record<string, number>;
  female: number;
  ageBandCounts: number[];
  conditionCounts: Record<string, { cases: number; denominator: number }>;
  encounterCounts: Record<string, number>;
  personYears: number;
  emergencyAdmissions: number;
  expectedEmergencyAdmissions: number;
  admissionsByAgeGroup: Record<
    string,
    { admissions: number; personYears: number; patients: number; withAdmission: number }
  >;
  admissionsByDecileGroup: Record<string, { admissions: number; personYears: number }>;
  admissionsByConditionCount: Record<string, { admissions: number; personYears: number }>;
}

const AGE_GROUPS: readonly [string, number, number][] = [
  ['0-4', 0, 4],
  ['5-17', 5, 17],
  ['18-44', 18, 44],
  ['45-64', 45, 64],
  ['65-74', 65, 74],
  ['75-84', 75, 84],
  ['85+', 85, 200],
];

function encounterKind(r: FhirResource): string {
  const type = r['type'] as { coding: { code: string }[] }[];
  return type[0]!.coding[0]!.code;
}

export function summarise(patients: number, seed: number, now: Date = new Date(DEFAULT_NOW)): PopulationSummary {
  const nowMs = now.getTime();
  const s: PopulationSummary = {
    patients: 0,
    resources: 0,
    byType: {},
    female: 0,
    ageBandCounts: AGE_BANDS.map(() => 0),
    conditionCounts: {},
    encounterCounts: {},
    personYears: 0,
    emergencyAdmissions: 0,
    expectedEmergencyAdmissions: 0,
    admissionsByAgeGroup: {},
    admissionsByDecileGroup: {},
    admissionsByConditionCount: {},
  };
  for (const c of CONDITIONS) {
    s.conditionCounts[c.key] = { cases: 0, denominator: 0 };
  }
  for (const [g] of AGE_GROUPS) {
    s.admissionsByAgeGroup[g] = { admissions: 0, personYears: 0, patients: 0, withAdmission: 0 };
  }
  for (const g of ['1-2', '3-4', '5-6', '7-8', '9-10']) {
    s.admissionsByDecileGroup[g] = { admissions: 0, personYears: 0 };
  }
  for (const g of ['0', '1', '2', '3', '4+']) {
    s.admissionsByConditionCount[g] = { admissions: 0, personYears: 0 };
  }

  for (const arr of generatePatients({ patients, seed, now })) {
    s.patients++;
    s.resources += arr.length;
    for (const r of arr) {
      s.byType[r.resourceType] = (s.byType[r.resourceType] ?? 0) + 1;
    }
    const patient = arr[0]!;
    const f = featuresFromPatientResources(arr, now);
    if (f.sex === 'female') {
      s.female++;
    }
    const band = AGE_BANDS.findIndex((b) => f.age >= b.from && (f.age <= b.to || b.from >= 90));
    s.ageBandCounts[band === -1 ? AGE_BANDS.length - 1 : band]!++;
    for (const c of CONDITIONS) {
      const cc = s.conditionCounts[c.key]!;
      const denomOk = c.qofTarget.denominator.startsWith('aged 17')
        ? f.age >= 17
        : c.qofTarget.denominator.startsWith('aged 18')
          ? f.age >= 18
          : c.qofTarget.denominator.startsWith('aged 6')
            ? f.age >= 6
            : true;
      if (!denomOk) {
        continue;
      }
      cc.denominator++;
      if (f.conditions.includes(c.key)) {
        cc.cases++;
      }
    }
    const birthMs = Date.parse(patient['birthDate'] as string);
    const py = Math.min(2, Math.max(0, (nowMs - birthMs) / YEAR_MS));
    let admissions = 0;
    for (const r of arr) {
      if (r.resourceType !== 'Encounter') {
        continue;
      }
      const kind = encounterKind(r);
      s.encounterCounts[kind] = (s.encounterCounts[kind] ?? 0) + 1;
      if (kind === 'emergency-admission') {
        admissions++;
      }
    }
    const p = emergencyAdmissionProbability(f);
    s.personYears += py;
    s.emergencyAdmissions += admissions;
    s.expectedEmergencyAdmissions += -Math.log(1 - p) * py;
    const ag = AGE_GROUPS.find(([, lo, hi]) => f.age >= lo && f.age <= hi)![0];
    const a = s.admissionsByAgeGroup[ag]!;
    a.admissions += admissions;
    a.personYears += py;
    a.patients++;
    if (admissions > 0) {
      a.withAdmission++;
    }
    const dg =
      f.imdDecile <= 2
        ? '1-2'
        : f.imdDecile <= 4
          ? '3-4'
          : f.imdDecile <= 6
            ? '5-6'
            : f.imdDecile <= 8
              ? '7-8'
              : '9-10';
    s.admissionsByDecileGroup[dg]!.admissions += admissions;
    s.admissionsByDecileGroup[dg]!.personYears += py;
    const cg = f.conditions.length >= 4 ? '4+' : String(f.conditions.length);
    s.admissionsByConditionCount[cg]!.admissions += admissions;
    s.admissionsByConditionCount[cg]!.personYears += py;
  }
  return s;
}

export function measureSpeed(
  patients: number,
  seed: number,
  serialise: boolean,
): { resources: number; seconds: number; perSecond: number } {
  const t0 = process.hrtime.bigint();
  let resources = 0;
  let bytes = 0;
  for (const arr of generatePatients({ patients, seed })) {
    resources += arr.length;
    if (serialise) {
      for (const r of arr) {
        bytes += JSON.stringify(r).length;
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (bytes < 0) {
    console.log(bytes);
  }
  return { resources, seconds, perSecond: Math.round(resources / seconds) };
}

function pct(n: number, d: number): string {
  return d === 0 ? '-' : ((100 * n) / d).toFixed(1) + '%';
}

function main(): void {
  const patients = Number(process.argv[2] ?? 30000);
  const seed = Number(process.argv[3] ?? 42);
  // Warm up the JIT, then time.
  measureSpeed(2000, seed + 1, false);
  const speed = measureSpeed(patients, seed, false);
  const speedJson = measureSpeed(patients, seed, true);
  const infra = generateInfrastructure({ patients, seed });
  const s = summarise(patients, seed);

  console.log(`# Seed report: ${patients} patients, seed ${seed}, node ${process.version}`);
  console.log(`infrastructure resources: ${infra.length}`);
  console.log(`patient resources: ${s.resources} (${(s.resources / s.patients).toFixed(1)} per patient)`);
  console.log(`speed (objects only): ${speed.perSecond} resources/s (${speed.seconds.toFixed(2)} s)`);
  console.log(
    `speed (objects + JSON.stringify): ${speedJson.perSecond} resources/s (${speedJson.seconds.toFixed(2)} s)`,
  );
  console.log('\n## Resources by type');
  for (const [t, n] of Object.entries(s.byType).sort((a, b) => b[1] - a[1])) {
    console.log(`${t}: ${n} (${(n / s.patients).toFixed(2)} per patient)`);
  }
  console.log('\n## Age / sex');
  console.log(`female: ${pct(s.female, s.patients)}`);
  let over65 = 0;
  const bandTotal = AGE_BANDS.reduce((sum, b) => sum + b.percent, 0);
  const englandTotal = AGE_BANDS.reduce((sum, b) => sum + b.englandPercent, 0);
  AGE_BANDS.forEach((b, i) => {
    const n = s.ageBandCounts[i]!;
    if (b.from >= 65) {
      over65 += n;
    }
    console.log(
      `${b.from}-${b.from >= 90 ? '' : b.to}: ${pct(n, s.patients)} (target ${((100 * b.percent) / bandTotal).toFixed(1)}%, England ${((100 * b.englandPercent) / englandTotal).toFixed(1)}%)`,
    );
  });
  console.log(`65+: ${pct(over65, s.patients)}`);
  console.log('\n## Prevalence');
  for (const c of CONDITIONS) {
    const cc = s.conditionCounts[c.key]!;
    console.log(
      `${c.key}: ${pct(cc.cases, cc.denominator)} (${c.qofTarget.denominator}; England QOF approx ${c.qofTarget.percent}%)`,
    );
  }
  console.log('\n## Encounters per 1,000 person-years');
  for (const [k, n] of Object.entries(s.encounterCounts).sort((a, b) => b[1] - a[1])) {
    console.log(`${k}: ${((1000 * n) / s.personYears).toFixed(0)}`);
  }
  console.log('\n## Emergency admissions per 100 person-years');
  console.log(
    `overall: ${((100 * s.emergencyAdmissions) / s.personYears).toFixed(2)} (model expectation ${((100 * s.expectedEmergencyAdmissions) / s.personYears).toFixed(2)})`,
  );
  for (const [g, a] of Object.entries(s.admissionsByAgeGroup)) {
    console.log(
      `age ${g}: ${((100 * a.admissions) / a.personYears).toFixed(1)} per 100 py; ${pct(a.withAdmission, a.patients)} with >=1 in 2 years`,
    );
  }
  for (const [g, a] of Object.entries(s.admissionsByDecileGroup)) {
    console.log(`IMD decile ${g}: ${((100 * a.admissions) / a.personYears).toFixed(1)}`);
  }
  for (const [g, a] of Object.entries(s.admissionsByConditionCount)) {
    console.log(`${g} conditions: ${((100 * a.admissions) / a.personYears).toFixed(1)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main();
}
