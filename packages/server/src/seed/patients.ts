/**
 * Per-patient generator: one Patient plus everything in their compartment.
 *
 * Each patient is generated from its own PRNG stream (seed, patient number), so patient N is the same
 * whatever the population size. Within a patient's array every reference points to a resource that
 * appears earlier in the array (or to infrastructure), in this order:
 *   Patient, Condition*, AllergyIntolerance*, Encounter* (chronological), MedicationRequest*, Observation*
 */
import { emergencyAdmissionProbability, type PatientFeatures } from './admissions.ts';
import {
  buildInfrastructureModel,
  cumulative,
  staffFor,
  type CareHomeInfo,
  type InfrastructureModel,
  type PracticeInfo,
  type SiteInfo,
  type StaffMember,
} from './infrastructure.ts';
import { generateNhsNumber } from './nhs-number.ts';
import { Rng } from './prng.ts';
import {
  AGE_BANDS,
  ALLERGIES,
  CONDITION_MEDICINES,
  CONDITIONS,
  EMERGENCY_PRESENTATIONS,
  FIRST_NAMES,
  MEDICINES,
  NAME_COHORT_BOUNDARIES,
  OBS,
  REACTIONS,
  SURNAMES,
  SYSTEM,
  WIGAN_FACING_TOWNS,
  type ConditionDef,
  type MedicineDef,
  type ObservationCode,
  type Specialty,
} from './reference-data.ts';
import { DEFAULT_NOW, type ConditionKey, type FhirResource, type SeedOptions, type Sex } from './types.ts';

export const DAY_MS = 86_400_000;
export const YEAR_MS = 365.25 * DAY_MS;
const HOUR_MS = 3_600_000;
/** Years of encounter history (GP, hospital, community) before the reference date. */
export const ENCOUNTER_YEARS = 2;
/** Years of laboratory results before the reference date. */
export const LAB_YEARS = 3;

type Json = Record<string, unknown>;
type Ref = { reference: string };

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isoDateTime(ms: number): string {
  // Times are whole minutes, so drop the ".000" milliseconds.
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** Completed years between an ISO birth date and the reference instant. */
export function completedYears(birthDate: string, now: Date): number {
  const by = Number(birthDate.slice(0, 4));
  const bm = Number(birthDate.slice(5, 7));
  const bd = Number(birthDate.slice(8, 10));
  const ny = now.getUTCFullYear();
  const nm = now.getUTCMonth() + 1;
  const nd = now.getUTCDate();
  let age = ny - by;
  if (nm < bm || (nm === bm && nd < bd)) {
    age--;
  }
  return age;
}

/** Day numbers (days since 1970-01-01) of Christmas Day, Boxing Day and New Year's Day, 1900–2199. */
const FIXED_HOLIDAYS: ReadonlySet<number> = (() => {
  const days = new Set<number>();
  for (let y = 1900; y < 2200; y++) {
    days.add(Date.UTC(y, 11, 25) / DAY_MS);
    days.add(Date.UTC(y, 11, 26) / DAY_MS);
    days.add(Date.UTC(y, 0, 1) / DAY_MS);
  }
  return days;
})();

/** Christmas Day, Boxing Day and New Year's Day (fixed-date UK bank holidays; others are ignored). */
function isFixedHoliday(day: number): boolean {
  return FIXED_HOLIDAYS.has(day);
}

/** Move weekend and fixed bank-holiday dates back to the preceding working day (clinics run on weekdays). */
function weekday(ms: number): number {
  let back = 0;
  const day = Math.floor(ms / DAY_MS);
  for (;;) {
    const dow = (day - back + 4) % 7; // 0 = Sunday (1970-01-01 was a Thursday)
    if (dow !== 6 && dow !== 0 && !isFixedHoliday(day - back)) {
      return ms - back * DAY_MS;
    }
    back++;
  }
}

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * A clinic-hours timestamp (08:30–17:50 in 10-minute slots) on a weekday on or before ms's day,
 * kept within [floor, ceiling - 1 hour] (floor = date of birth, ceiling = reference date).
 */
function clinicTime(rng: Rng, ms: number, floor: number, ceiling: number): number {
  const slot = (510 + 10 * rng.int(57)) * 60_000;
  let t = startOfDay(weekday(ms)) + slot;
  while (t + HOUR_MS > ceiling && t - DAY_MS >= floor) {
    t = startOfDay(weekday(t - DAY_MS)) + slot;
  }
  if (t < floor) {
    t = Math.min(floor + 9 * HOUR_MS, Math.max(floor, ceiling - HOUR_MS));
  }
  return t;
}

/** A time of day uniformly in 24 hours on the day of ms, kept within [floor, ceiling - 1 hour]. */
function anyTime(rng: Rng, ms: number, floor: number, ceiling: number): number {
  const t = startOfDay(ms) + rng.int(24 * 60) * 60_000;
  return clamp(t, floor, Math.max(floor, ceiling - HOUR_MS));
}

function interpolate(knots: readonly (readonly [number, number])[], x: number): number {
  const first = knots[0]!;
  if (x <= first[0]) {
    return first[1];
  }
  for (let i = 1; i < knots.length; i++) {
    const k = knots[i]!;
    if (x <= k[0]) {
      const prev = knots[i - 1]!;
      return prev[1] + ((k[1] - prev[1]) * (x - prev[0])) / (k[0] - prev[0]);
    }
  }
  return knots[knots.length - 1]![1];
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function ref(type: string, id: string): Ref {
  return { reference: type + '/' + id };
}

// ---------------------------------------------------------------------------------------------
// Generation context (built once per run)
// ---------------------------------------------------------------------------------------------

interface Context {
  seed: number;
  now: Date;
  nowMs: number;
  model: InfrastructureModel;
  ageCum: number[];
  sectorCum: number[];
  studentSector: number;
  townPracticeCum: Map<string, number[]>;
  allPracticeCum: number[];
  careHomeCum: number[];
  conditionIndex: Map<ConditionKey, number>;
}

export function createContext(options: SeedOptions): Context {
  const now = options.now ?? new Date(DEFAULT_NOW);
  const model = buildInfrastructureModel(options.seed);
  const townPracticeCum = new Map<string, number[]>();
  for (const [town, list] of model.practicesByTown) {
    townPracticeCum.set(town, cumulative(list.map((p) => p.def.listWeight)));
  }
  const studentSector = model.sectors.findIndex((s) => s.def.sector === 'L39 4');
  return {
    seed: options.seed,
    now,
    nowMs: now.getTime(),
    model,
    ageCum: cumulative(AGE_BANDS.map((b) => b.percent)),
    sectorCum: cumulative(model.sectors.map((s) => s.def.population)),
    studentSector,
    townPracticeCum,
    allPracticeCum: cumulative(model.practices.map((p) => p.def.listWeight)),
    careHomeCum: cumulative(model.careHomes.map((c) => c.def.beds)),
    conditionIndex: new Map(CONDITIONS.map((c, i) => [c.key, i] as const)),
  };
}

// ---------------------------------------------------------------------------------------------
// Encounter planning
// ---------------------------------------------------------------------------------------------

type EncounterKind =
  | 'gp-consultation'
  | 'practice-nurse-consultation'
  | 'ltc-review'
  | 'outpatient'
  | 'ae-attendance'
  | 'emergency-admission'
  | 'elective-admission'
  | 'district-nurse-visit'
  | 'social-care-assessment'
  | 'mental-health-contact';

const ENCOUNTER_KIND: Record<
  EncounterKind,
  { classCode: 'AMB' | 'EMER' | 'IMP' | 'HH'; display: string; snomed?: readonly [string, string] }
> = {
  'gp-consultation': { classCode: 'AMB', display: 'GP consultation', snomed: ['11429006', 'Consultation'] },
  'practice-nurse-consultation': {
    classCode: 'AMB',
    display: 'Practice nurse consultation',
    snomed: ['11429006', 'Consultation'],
  },
  'ltc-review': { classCode: 'AMB', display: 'Long-term condition review', snomed: ['11429006', 'Consultation'] },
  outpatient: { classCode: 'AMB', display: 'Outpatient attendance', snomed: ['11429006', 'Consultation'] },
  'ae-attendance': {
    classCode: 'EMER',
    display: 'A&E attendance',
    snomed: ['4525004', 'Emergency department patient visit'],
  },
  'emergency-admission': {
    classCode: 'IMP',
    display: 'Emergency admission',
    snomed: ['183452005', 'Emergency hospital admission'],
  },
  'elective-admission': {
    classCode: 'IMP',
    display: 'Elective admission',
    snomed: ['8715000', 'Hospital admission, elective'],
  },
  'district-nurse-visit': { classCode: 'HH', display: 'District nurse home visit' },
  'social-care-assessment': { classCode: 'HH', display: 'Adult social care assessment' },
  'mental-health-contact': { classCode: 'AMB', display: 'Community mental health contact' },
};

const CLASS_DISPLAY: Record<string, string> = {
  AMB: 'ambulatory',
  EMER: 'emergency',
  IMP: 'inpatient encounter',
  HH: 'home health',
};

interface VitalsPlan {
  bp: boolean;
  hr: boolean;
  weight: boolean;
  spo2: boolean;
}

interface PlannedEncounter {
  kind: EncounterKind;
  start: number;
  end: number | null;
  practitioner: StaffMember;
  orgId: string;
  locationId: string | null;
  reasons: string[];
  reasonCode: { snomed: string; display: string } | null;
  priority: 'EM' | 'EL' | null;
  admitSource: 'emd' | 'gp' | 'outp' | null;
  discharge: 'home' | 'rehab' | 'long' | 'other-hcf' | null;
  vitals: VitalsPlan | null;
  acuteAntibiotic: boolean;
  id: string;
}

const ADMIT_SOURCE_DISPLAY: Record<string, string> = {
  emd: 'From accident/emergency department',
  gp: 'General Practitioner referral',
  outp: 'From outpatient department',
};

const DISCHARGE_DISPLAY: Record<string, string> = {
  home: 'Home',
  rehab: 'Rehabilitation',
  long: 'Long-term Care',
  'other-hcf': 'Other healthcare facility',
};

// ---------------------------------------------------------------------------------------------
// Patient generation
// ---------------------------------------------------------------------------------------------

interface PatientState {
  rng: Rng;
  num: string;
  patientId: string;
  patientRef: Ref;
  sex: Sex;
  age: number; // completed years
  ageExact: number;
  birthMs: number;
  decile: number;
  town: string;
  practice: PracticeInfo;
  usualGp: StaffMember;
  careHome: CareHomeInfo | null;
  has: boolean[]; // indexed like CONDITIONS
  conditionIds: (string | null)[];
  onsetMs: number[];
  conditionCount: number;
  acuteOrgKey: 'acute' | 'acute-wigan';
  penicillinAllergy: boolean;
  sectorIndex: number;
  postcodeIndex: number;
}

function pickStaff(rng: Rng, list: readonly StaffMember[]): StaffMember {
  return list[rng.int(list.length)]!;
}

function consultant(ctx: Context, rng: Rng, orgKey: string, specialty: Specialty): StaffMember {
  const byOrg = ctx.model.consultants.get(orgKey);
  const list = byOrg?.get(specialty) ?? ctx.model.consultants.get('acute')!.get(specialty);
  if (list && list.length > 0) {
    return pickStaff(rng, list);
  }
  return pickStaff(rng, ctx.model.consultants.get('acute')!.get('general-medicine')!);
}

function has(st: PatientState, ctx: Context, key: ConditionKey): boolean {
  return st.has[ctx.conditionIndex.get(key)!] === true;
}

function conditionIdFor(st: PatientState, ctx: Context, key: ConditionKey): string | null {
  return st.conditionIds[ctx.conditionIndex.get(key)!] ?? null;
}

function nameCohort(birthYear: number): number {
  let c = 0;
  while (c < NAME_COHORT_BOUNDARIES.length && birthYear >= NAME_COHORT_BOUNDARIES[c]!) {
    c++;
  }
  return c;
}

function buildPatientResource(ctx: Context, st: PatientState, nhsSerial: number): FhirResource {
  const rng = st.rng;
  const birthYear = Number(isoDate(st.birthMs).slice(0, 4));
  const names = FIRST_NAMES[st.sex][nameCohort(birthYear)]!;
  const given: string[] = [rng.pick(names)];
  if (rng.chance(0.3)) {
    const middle = rng.pick(names);
    if (middle !== given[0]) {
      given.push(middle);
    }
  }
  const family = rng.pick(SURNAMES);
  const name: Json = { use: 'official', family, given };
  if (st.age >= 18) {
    let prefix: string;
    if (rng.chance(0.01)) {
      prefix = 'Dr';
    } else if (st.sex === 'male') {
      prefix = 'Mr';
    } else {
      const u = rng.next();
      prefix = st.age < 25 ? (u < 0.7 ? 'Miss' : 'Ms') : u < 0.6 ? 'Mrs' : u < 0.85 ? 'Ms' : 'Miss';
    }
    name['prefix'] = [prefix];
  }

  let line: string;
  let postcode: string;
  let city: string;
  if (st.careHome) {
    line = st.careHome.houseLine;
    postcode = st.careHome.postcode.postcode;
    city = st.careHome.postcode.sector.town;
  } else {
    const sector = ctx.model.sectors[st.sectorIndex]!;
    const pc = sector.postcodes[st.postcodeIndex]!;
    line = String(1 + rng.int(rng.chance(0.8) ? 120 : 400)) + ' ' + rng.pick(sector.def.streets);
    postcode = pc.postcode;
    city = sector.def.town;
  }

  const resource: FhirResource = {
    resourceType: 'Patient',
    id: st.patientId,
    identifier: [{ system: SYSTEM.nhsNumber, value: generateNhsNumber(nhsSerial, ctx.seed) }],
    active: true,
    name: [name],
  };
  if (st.age >= 16) {
    const telecom: Json[] = [];
    if (rng.chance(st.age >= 75 ? 0.5 : 0.85)) {
      telecom.push({ system: 'phone', value: '07700 900' + String(rng.int(1000)).padStart(3, '0'), use: 'mobile' });
    }
    if (rng.chance(st.age >= 65 ? 0.6 : 0.25)) {
      telecom.push({ system: 'phone', value: '01632 960' + String(rng.int(1000)).padStart(3, '0'), use: 'home' });
    }
    if (st.age < 70 && rng.chance(0.3)) {
      const local = (given[0]! + '.' + family).toLowerCase().replace(/[^a-z.]/g, '');
      telecom.push({ system: 'email', value: local + String(rng.int(100)) + '@example.com', use: 'home' });
    }
    if (telecom.length > 0) {
      resource['telecom'] = telecom;
    }
  }
  resource['gender'] = st.sex;
  resource['birthDate'] = isoDate(st.birthMs);
  resource['address'] = [
    {
      extension: [{ url: SYSTEM.imdDecile, valueInteger: st.decile }],
      use: 'home',
      type: 'physical',
      line: [line],
      city,
      district: 'Lancashire',
      postalCode: postcode,
      country: 'GB',
    },
  ];
  const practiceRef = ref('Organization', st.practice.orgId);
  resource['generalPractitioner'] = [practiceRef];
  resource['managingOrganization'] = { reference: practiceRef.reference };
  return resource;
}

function initialState(ctx: Context, index: number): PatientState {
  const rng = new Rng(ctx.seed, index);
  const num = String(index).padStart(6, '0');
  const patientId = 'pat-' + num;

  // Age and sex.
  const band = AGE_BANDS[rng.weighted(ctx.ageCum)]!;
  const sex: Sex = rng.chance(band.maleFraction) ? 'male' : 'female';
  let ageExact: number;
  if (band.from >= 90) {
    ageExact = 90 + Math.min(14.9, -3.5 * Math.log(1 - rng.next()));
  } else {
    ageExact = band.from + rng.next() * (band.to - band.from + 1);
  }
  const birthMs = startOfDay(ctx.nowMs - ageExact * YEAR_MS);
  const age = completedYears(isoDate(birthMs), ctx.now);

  // Home: student bulge in Ormskirk, otherwise population-weighted sector.
  let sectorIndex: number;
  if (age >= 18 && age <= 22 && ctx.studentSector >= 0 && rng.chance(0.5)) {
    sectorIndex = ctx.studentSector;
  } else {
    sectorIndex = rng.weighted(ctx.sectorCum);
  }
  const sector = ctx.model.sectors[sectorIndex]!;
  const postcodeIndex = rng.int(sector.postcodes.length);
  let decile = sector.postcodes[postcodeIndex]!.decile;
  let town = sector.def.town;

  // Care-home residents (older people only).
  let careHome: CareHomeInfo | null = null;
  const careHomeP = age >= 90 ? 0.16 : age >= 85 ? 0.07 : age >= 75 ? 0.02 : 0;
  if (careHomeP > 0 && rng.chance(careHomeP)) {
    careHome = ctx.model.careHomes[rng.weighted(ctx.careHomeCum)]!;
    decile = careHome.postcode.decile;
    town = careHome.postcode.sector.town;
  }

  // Registered practice.
  let practice: PracticeInfo;
  if (careHome) {
    practice = careHome.practice;
  } else {
    const townList = ctx.model.practicesByTown.get(town);
    const townCum = ctx.townPracticeCum.get(town);
    if (townList && townCum && rng.chance(0.88)) {
      practice = townList[rng.weighted(townCum)]!;
    } else {
      practice = ctx.model.practices[rng.weighted(ctx.allPracticeCum)]!;
    }
  }
  const usualGp = pickStaff(rng, practice.gps);
  const acuteOrgKey = WIGAN_FACING_TOWNS.has(town) && rng.chance(0.35) ? 'acute-wigan' : 'acute';

  return {
    rng,
    num,
    patientId,
    patientRef: ref('Patient', patientId),
    sex,
    age,
    ageExact,
    birthMs,
    decile,
    town,
    practice,
    usualGp,
    careHome,
    has: new Array<boolean>(CONDITIONS.length).fill(false),
    conditionIds: new Array<string | null>(CONDITIONS.length).fill(null),
    onsetMs: new Array<number>(CONDITIONS.length).fill(0),
    conditionCount: 0,
    acuteOrgKey,
    penicillinAllergy: false,
    sectorIndex,
    postcodeIndex,
  };
}

function conditionProbability(def: ConditionDef, st: PatientState, ctx: Context): number {
  let p = interpolate(def.ageCurve, st.ageExact);
  if (p <= 0) {
    return 0;
  }
  p *= st.sex === 'male' ? def.male : def.female;
  p *= 1 + def.deprivationSlope * (5.5 - st.decile);
  if (def.comorbidity) {
    for (const [key, mult] of Object.entries(def.comorbidity)) {
      if (key === 'care-home') {
        if (st.careHome) {
          p *= mult;
        }
      } else if (has(st, ctx, key as ConditionKey)) {
        p *= mult;
      }
    }
  }
  return clamp(p, 0, 0.9);
}

function generateConditions(ctx: Context, st: PatientState, out: FhirResource[]): void {
  const rng = st.rng;
  let n = 0;
  for (let i = 0; i < CONDITIONS.length; i++) {
    const def = CONDITIONS[i]!;
    if (st.ageExact < def.minOnsetAge) {
      continue;
    }
    const p = conditionProbability(def, st, ctx);
    if (p <= 0 || rng.next() >= p) {
      continue;
    }
    // Onset: years before the reference date, limited by the earliest plausible onset age.
    const maxYears = Math.max(0.1, st.ageExact - def.minOnsetAge);
    let years = -7 * Math.log(1 - rng.next());
    if (years > maxYears) {
      years = rng.next() * maxYears;
    }
    const onset = clinicTime(rng, ctx.nowMs - years * YEAR_MS, st.birthMs, ctx.nowMs);
    n++;
    const id = 'cond-' + st.num + '-' + n;
    st.has[i] = true;
    st.conditionIds[i] = id;
    st.onsetMs[i] = onset;
    st.conditionCount++;
    const recorded = Math.max(onset, Math.min(ctx.nowMs - HOUR_MS, onset + rng.int(14) * DAY_MS));
    const gp = ref('Practitioner', st.usualGp.id);
    out.push({
      resourceType: 'Condition',
      id,
      clinicalStatus: { coding: [{ system: SYSTEM.conditionClinical, code: 'active', display: 'Active' }] },
      verificationStatus: {
        coding: [{ system: SYSTEM.conditionVerification, code: 'confirmed', display: 'Confirmed' }],
      },
      category: [
        { coding: [{ system: SYSTEM.conditionCategory, code: 'problem-list-item', display: 'Problem List Item' }] },
      ],
      code: { coding: [{ system: SYSTEM.snomed, code: def.snomed, display: def.display }], text: def.display },
      subject: { reference: st.patientRef.reference },
      onsetDateTime: isoDateTime(onset),
      recordedDate: isoDateTime(recorded),
      recorder: gp,
      asserter: { reference: gp.reference },
    });
  }
}

function generateAllergies(ctx: Context, st: PatientState, out: FhirResource[]): void {
  const rng = st.rng;
  let n = 0;
  if (st.ageExact < 1) {
    return;
  }
  for (const def of ALLERGIES) {
    if (!rng.chance(def.probability)) {
      continue;
    }
    n++;
    if (def.snomed === '91936005') {
      st.penicillinAllergy = true;
    }
    const reaction =
      def.category === 'food' && rng.chance(0.3) ? REACTIONS[2]! : rng.chance(0.6) ? REACTIONS[0]! : REACTIONS[1]!;
    const criticality = reaction.severity === 'severe' ? 'high' : 'low';
    const yearsAgo = rng.next() * (st.ageExact - 1);
    const recorded = clinicTime(rng, ctx.nowMs - yearsAgo * YEAR_MS, st.birthMs, ctx.nowMs);
    out.push({
      resourceType: 'AllergyIntolerance',
      id: 'allergy-' + st.num + '-' + n,
      clinicalStatus: { coding: [{ system: SYSTEM.allergyClinical, code: 'active', display: 'Active' }] },
      verificationStatus: { coding: [{ system: SYSTEM.allergyVerification, code: 'confirmed', display: 'Confirmed' }] },
      type: 'allergy',
      category: [def.category],
      criticality,
      code: { coding: [{ system: SYSTEM.snomed, code: def.snomed, display: def.display }], text: def.display },
      patient: { reference: st.patientRef.reference },
      recordedDate: isoDateTime(recorded),
      recorder: ref('Practitioner', st.usualGp.id),
      reaction: [
        {
          manifestation: [{ coding: [{ system: SYSTEM.snomed, code: reaction.snomed, display: reaction.display }] }],
          severity: reaction.severity,
        },
      ],
    });
  }
}

// --- encounter rates (per person-year) -------------------------------------------------------

function gpRate(st: PatientState): number {
  const a = st.age;
  let r: number;
  if (a < 5) {
    r = 4;
  } else if (a < 15) {
    r = 2;
  } else if (a < 45) {
    r = st.sex === 'female' ? 4.2 : 2.3;
  } else if (a < 65) {
    r = st.sex === 'female' ? 4.7 : 3.5;
  } else if (a < 75) {
    r = 5.7;
  } else if (a < 85) {
    r = 7.2;
  } else {
    r = 8.8;
  }
  r += 0.9 * st.conditionCount;
  r *= 1 + 0.025 * (5.5 - st.decile);
  return r;
}

function outpatientRate(st: PatientState, ctx: Context): number {
  const a = st.age;
  let r = a < 16 ? 0.35 : a < 45 ? (st.sex === 'female' ? 0.8 : 0.5) : a < 65 ? 0.9 : a < 80 ? 1.5 : 1.6;
  r += 0.3 * st.conditionCount;
  if (has(st, ctx, 'cancer')) {
    r += 1.2;
  }
  return r;
}

function aeRate(st: PatientState): number {
  const a = st.age;
  let r = a < 5 ? 0.42 : a < 16 ? 0.24 : a < 25 ? 0.36 : a < 65 ? 0.22 : a < 80 ? 0.27 : 0.5;
  r += 0.04 * st.conditionCount;
  r *= 1 + 0.06 * (5.5 - st.decile);
  return r;
}

function electiveRate(st: PatientState, ctx: Context): number {
  const a = st.age;
  let r = a < 16 ? 0.03 : a < 45 ? 0.06 : a < 65 ? 0.12 : a < 80 ? 0.21 : 0.18;
  if (has(st, ctx, 'cancer')) {
    r += 0.35;
  }
  return r;
}

const LTC_REVIEW: readonly ConditionKey[] = [
  'hypertension',
  'diabetes',
  'copd',
  'asthma',
  'atrial-fibrillation',
  'heart-failure',
  'ckd',
  'stroke',
  'dementia',
];

function newEncounter(
  kind: EncounterKind,
  start: number,
  end: number | null,
  practitioner: StaffMember,
  orgId: string,
  locationId: string | null,
): PlannedEncounter {
  return {
    kind,
    start,
    end,
    practitioner,
    orgId,
    locationId,
    reasons: [],
    reasonCode: null,
    priority: null,
    admitSource: null,
    discharge: null,
    vitals: null,
    acuteAntibiotic: false,
    id: '',
  };
}

function acuteSite(
  ctx: Context,
  st: PatientState,
  purpose: 'ae' | 'admission' | 'outpatient' | 'elective',
  specialty?: Specialty,
): SiteInfo {
  const sites = ctx.model.sites;
  if (st.acuteOrgKey === 'acute-wigan') {
    if ((purpose === 'elective' || purpose === 'outpatient') && specialty === 'trauma-orthopaedics') {
      return sites.get('wrightington')!;
    }
    return sites.get('raei')!;
  }
  if (purpose === 'ae') {
    return st.age < 16 ? sites.get('ormskirk')! : sites.get('southport')!;
  }
  if (purpose === 'admission') {
    return st.age < 16 ? sites.get('ormskirk')! : sites.get('southport')!;
  }
  if (purpose === 'elective') {
    return sites.get('ormskirk')!;
  }
  return st.rng.chance(0.7) ? sites.get('ormskirk')! : sites.get('southport')!;
}

function outpatientSpecialty(ctx: Context, st: PatientState): { specialty: Specialty; reason: string | null } {
  const rng = st.rng;
  if (st.age < 16) {
    return { specialty: 'paediatrics', reason: null };
  }
  const options: { specialty: Specialty; reason: string | null }[] = [];
  const add = (key: ConditionKey, specialty: Specialty): void => {
    const id = conditionIdFor(st, ctx, key);
    if (id) {
      options.push({ specialty, reason: id });
    }
  };
  add('diabetes', 'diabetes-endocrinology');
  add('atrial-fibrillation', 'cardiology');
  add('heart-failure', 'cardiology');
  add('copd', 'respiratory-medicine');
  add('asthma', 'respiratory-medicine');
  add('ckd', 'general-medicine');
  add('stroke', 'geriatric-medicine');
  add('cancer', st.sex === 'female' ? 'gynaecology' : 'urology');
  if (options.length > 0 && rng.chance(0.6)) {
    return options[rng.int(options.length)]!;
  }
  const general: Specialty[] = ['trauma-orthopaedics', 'ophthalmology', 'general-surgery', 'general-medicine'];
  general.push(st.sex === 'female' ? 'gynaecology' : 'urology');
  if (st.age >= 75) {
    general.push('geriatric-medicine');
  }
  return { specialty: rng.pick(general), reason: null };
}

function planEncounters(ctx: Context, st: PatientState, features: PatientFeatures): PlannedEncounter[] {
  const rng = st.rng;
  const nowMs = ctx.nowMs;
  const windowStart = Math.max(st.birthMs, nowMs - ENCOUNTER_YEARS * YEAR_MS);
  const exposure = (nowMs - windowStart) / YEAR_MS;
  const list: PlannedEncounter[] = [];
  const practiceOrg = st.practice.orgId;
  const practiceLoc = st.practice.locationId;
  const anyDay = (): number => windowStart + rng.next() * (nowMs - windowStart);
  const adult = st.age >= 16;

  // GP and practice-nurse consultations.
  const nGp = rng.poisson(gpRate(st) * exposure);
  for (let i = 0; i < nGp; i++) {
    const nurse = rng.chance(0.3);
    const clinician = nurse
      ? pickStaff(rng, st.practice.nurses)
      : rng.chance(0.6)
        ? st.usualGp
        : pickStaff(rng, st.practice.gps);
    const start = clinicTime(rng, anyDay(), st.birthMs, ctx.nowMs);
    const e = newEncounter(
      nurse ? 'practice-nurse-consultation' : 'gp-consultation',
      start,
      start + (nurse ? 15 : 10) * 60_000,
      clinician,
      practiceOrg,
      practiceLoc,
    );
    if (adult) {
      const bp = rng.chance(nurse ? 0.8 : 0.45);
      e.vitals = {
        bp,
        hr: bp && rng.chance(0.75),
        weight: rng.chance(nurse ? 0.45 : 0.2),
        spo2: rng.chance(has(st, ctx, 'copd') || has(st, ctx, 'heart-failure') || has(st, ctx, 'asthma') ? 0.45 : 0.08),
      };
    } else {
      e.vitals = { bp: false, hr: false, weight: rng.chance(st.age < 5 ? 0.5 : 0.2), spo2: false };
    }
    e.acuteAntibiotic = !st.penicillinAllergy && !nurse && rng.chance(has(st, ctx, 'copd') ? 0.2 : 0.09);
    list.push(e);
  }

  // Annual long-term-condition reviews (practice nurse), linked to the conditions reviewed.
  const reviewed: string[] = [];
  for (const key of LTC_REVIEW) {
    const id = conditionIdFor(st, ctx, key);
    if (id) {
      reviewed.push(id);
    }
  }
  if (reviewed.length > 0) {
    for (let y = 0; y < ENCOUNTER_YEARS; y++) {
      const yEnd = nowMs - y * YEAR_MS;
      const yStart = Math.max(windowStart, yEnd - YEAR_MS);
      if (yEnd <= yStart || !rng.chance(0.85)) {
        continue;
      }
      const start = clinicTime(rng, yStart + rng.next() * (yEnd - yStart), st.birthMs, ctx.nowMs);
      const e = newEncounter(
        'ltc-review',
        start,
        start + 20 * 60_000,
        pickStaff(rng, st.practice.nurses),
        practiceOrg,
        practiceLoc,
      );
      e.reasons = reviewed.slice(0, 3);
      e.vitals = {
        bp: true,
        hr: true,
        weight: true,
        spo2: has(st, ctx, 'copd') || has(st, ctx, 'asthma') || has(st, ctx, 'heart-failure'),
      };
      list.push(e);
    }
  }

  // Outpatient attendances.
  const nOp = rng.poisson(outpatientRate(st, ctx) * exposure);
  for (let i = 0; i < nOp; i++) {
    const { specialty, reason } = outpatientSpecialty(ctx, st);
    const site = acuteSite(ctx, st, 'outpatient', specialty);
    const start = clinicTime(rng, anyDay(), st.birthMs, ctx.nowMs);
    const e = newEncounter(
      'outpatient',
      start,
      start + 20 * 60_000,
      consultant(ctx, rng, site.orgKey, specialty),
      site.orgId,
      site.locationId,
    );
    if (reason) {
      e.reasons = [reason];
    }
    list.push(e);
  }

  // A&E attendances not ending in admission.
  const nAe = rng.poisson(aeRate(st) * exposure);
  for (let i = 0; i < nAe; i++) {
    const site = acuteSite(ctx, st, 'ae');
    const start = anyTime(rng, anyDay(), st.birthMs, nowMs);
    const end = Math.min(nowMs, start + (60 + rng.int(300)) * 60_000);
    list.push(
      newEncounter(
        'ae-attendance',
        start,
        end,
        consultant(ctx, rng, site.orgKey, 'emergency-medicine'),
        site.orgId,
        site.locationId,
      ),
    );
  }

  // Emergency admissions: sampled from the hidden model, one Poisson draw per year of exposure.
  const p = emergencyAdmissionProbability(features);
  const lambda = -Math.log(1 - p);
  for (let y = 0; y < ENCOUNTER_YEARS; y++) {
    const yEnd = nowMs - y * YEAR_MS;
    const yStart = Math.max(st.birthMs, yEnd - YEAR_MS);
    if (yEnd <= yStart) {
      continue;
    }
    const n = rng.poisson(lambda * ((yEnd - yStart) / YEAR_MS));
    for (let i = 0; i < n; i++) {
      const admitted = anyTime(rng, yStart + rng.next() * (yEnd - yStart), st.birthMs, nowMs);
      const site = acuteSite(ctx, st, 'admission');
      let specialty: Specialty;
      let reason: string | null = null;
      const copd = conditionIdFor(st, ctx, 'copd');
      const hf = conditionIdFor(st, ctx, 'heart-failure');
      const af = conditionIdFor(st, ctx, 'atrial-fibrillation');
      if (st.age < 16) {
        specialty = 'paediatrics';
      } else if (copd && rng.chance(0.45)) {
        specialty = 'respiratory-medicine';
        reason = copd;
      } else if ((hf || af) && rng.chance(0.35)) {
        specialty = 'cardiology';
        reason = hf ?? af;
      } else if (st.age >= 75 || has(st, ctx, 'dementia')) {
        specialty = 'geriatric-medicine';
      } else {
        specialty = 'general-medicine';
      }
      const viaAe = rng.chance(0.85);
      if (viaAe) {
        const aeStart = Math.max(yStart, admitted - (120 + rng.int(360)) * 60_000);
        list.push(
          newEncounter(
            'ae-attendance',
            aeStart,
            admitted,
            consultant(ctx, rng, site.orgKey, 'emergency-medicine'),
            site.orgId,
            site.locationId,
          ),
        );
      }
      let losDays: number;
      if (rng.chance(0.25)) {
        losDays = 0;
      } else {
        const mean =
          st.age < 16 ? 1.2 : 1 + 0.08 * Math.max(0, st.age - 40) + (hf ? 2 : 0) + (has(st, ctx, 'dementia') ? 2.5 : 0);
        losDays = Math.max(1, Math.round(-mean * Math.log(1 - rng.next())));
      }
      const discharged =
        losDays === 0
          ? admitted + (4 + rng.int(8)) * 3_600_000
          : startOfDay(admitted) + losDays * DAY_MS + (10 + rng.int(8)) * 3_600_000;
      const e = newEncounter(
        'emergency-admission',
        admitted,
        discharged < nowMs ? discharged : null,
        consultant(ctx, rng, site.orgKey, specialty),
        site.orgId,
        site.locationId,
      );
      e.priority = 'EM';
      e.admitSource = viaAe ? 'emd' : 'gp';
      if (e.end !== null) {
        const u = rng.next();
        e.discharge =
          st.age >= 75 && !st.careHome
            ? u < 0.82
              ? 'home'
              : u < 0.9
                ? 'rehab'
                : u < 0.96
                  ? 'long'
                  : 'other-hcf'
            : u < 0.97
              ? 'home'
              : 'other-hcf';
      }
      if (reason) {
        e.reasons = [reason];
      } else {
        e.reasonCode = rng.pick(EMERGENCY_PRESENTATIONS);
      }
      e.vitals = { bp: true, hr: true, weight: false, spo2: true };
      list.push(e);
    }
  }

  // Elective admissions (mostly day cases).
  const nEl = rng.poisson(electiveRate(st, ctx) * exposure);
  for (let i = 0; i < nEl; i++) {
    const options: Specialty[] =
      st.age < 16
        ? ['paediatrics', 'general-surgery']
        : ['general-surgery', 'trauma-orthopaedics', 'ophthalmology', st.sex === 'female' ? 'gynaecology' : 'urology'];
    const specialty = rng.pick(options);
    const site = acuteSite(ctx, st, 'elective', specialty);
    const admitted = clamp(
      startOfDay(weekday(anyDay())) + (7 * 60 + 30 + 30 * rng.int(6)) * 60_000,
      st.birthMs,
      Math.max(st.birthMs, nowMs - HOUR_MS),
    );
    const dayCase = rng.chance(0.7);
    const discharged = dayCase
      ? admitted + (5 + rng.int(5)) * 3_600_000
      : startOfDay(admitted) + (1 + rng.int(5)) * DAY_MS + (10 + rng.int(6)) * 3_600_000;
    const e = newEncounter(
      'elective-admission',
      admitted,
      discharged < nowMs ? discharged : null,
      consultant(ctx, rng, site.orgKey, specialty),
      site.orgId,
      site.locationId,
    );
    e.priority = 'EL';
    e.admitSource = rng.chance(0.7) ? 'outp' : 'gp';
    if (e.end !== null) {
      e.discharge = 'home';
    }
    const cancer = conditionIdFor(st, ctx, 'cancer');
    if (cancer && rng.chance(0.5)) {
      e.reasons = [cancer];
    }
    list.push(e);
  }

  // District nursing (housebound / frail patients).
  const frail = st.age >= 85 || st.careHome !== null || has(st, ctx, 'heart-failure') || has(st, ctx, 'dementia');
  if (adult && frail && rng.chance(st.careHome || st.age >= 90 ? 0.5 : 0.3)) {
    const nurses = staffFor(ctx.model, 'community', 'district-nurse');
    const nurse = pickStaff(rng, nurses);
    const orgId = ctx.model.orgIds.get('community')!;
    const n = 1 + rng.poisson(5 * exposure);
    for (let i = 0; i < n; i++) {
      const start = clinicTime(rng, anyDay(), st.birthMs, ctx.nowMs);
      const e = newEncounter(
        'district-nurse-visit',
        start,
        start + 30 * 60_000,
        rng.chance(0.7) ? nurse : pickStaff(rng, nurses),
        orgId,
        null,
      );
      if (rng.chance(0.3)) {
        e.vitals = { bp: true, hr: true, weight: false, spo2: rng.chance(0.5) };
      }
      list.push(e);
    }
  }

  // Adult social care assessment.
  if (
    st.age >= 65 &&
    (st.careHome !== null || st.age >= 85 || has(st, ctx, 'dementia') || has(st, ctx, 'stroke')) &&
    rng.chance(0.3)
  ) {
    const start = clinicTime(rng, anyDay(), st.birthMs, ctx.nowMs);
    const e = newEncounter(
      'social-care-assessment',
      start,
      start + 60 * 60_000,
      pickStaff(rng, staffFor(ctx.model, 'council', 'social-worker')),
      ctx.model.orgIds.get('council')!,
      null,
    );
    const dem = conditionIdFor(st, ctx, 'dementia');
    if (dem) {
      e.reasons = [dem];
    }
    list.push(e);
  }

  // Mental health contacts.
  const mhOrg = ctx.model.orgIds.get('mental-health')!;
  const dep = conditionIdFor(st, ctx, 'depression');
  if (dep && adult && rng.chance(0.1)) {
    const nurses = staffFor(ctx.model, 'mental-health', 'mental-health-nurse');
    const n = 1 + rng.poisson(2);
    for (let i = 0; i < n; i++) {
      const start = clinicTime(rng, anyDay(), st.birthMs, ctx.nowMs);
      const e = newEncounter('mental-health-contact', start, start + 45 * 60_000, pickStaff(rng, nurses), mhOrg, null);
      e.reasons = [dep];
      list.push(e);
    }
  }
  const dem = conditionIdFor(st, ctx, 'dementia');
  if (dem && rng.chance(0.3)) {
    const start = clinicTime(rng, anyDay(), st.birthMs, ctx.nowMs);
    const e = newEncounter(
      'mental-health-contact',
      start,
      start + 60 * 60_000,
      consultant(ctx, rng, 'mental-health', 'old-age-psychiatry'),
      mhOrg,
      null,
    );
    e.reasons = [dem];
    list.push(e);
  }

  // Chronological order (stable for ties, so an A&E attendance stays before its admission).
  list.sort((a, b) => a.start - b.start);
  for (let i = 0; i < list.length; i++) {
    list[i]!.id = 'enc-' + st.num + '-' + (i + 1);
  }
  return list;
}

function encounterResource(st: PatientState, e: PlannedEncounter, nowMs: number): FhirResource {
  const kind = ENCOUNTER_KIND[e.kind];
  const type: Json[] = [{ coding: [{ system: SYSTEM.encounterType, code: e.kind, display: kind.display }] }];
  if (kind.snomed) {
    (type[0]!['coding'] as Json[]).push({ system: SYSTEM.snomed, code: kind.snomed[0], display: kind.snomed[1] });
  }
  const finished = e.end !== null && e.end <= nowMs;
  const resource: FhirResource = {
    resourceType: 'Encounter',
    id: e.id,
    status: finished ? 'finished' : 'in-progress',
    class: { system: SYSTEM.actCode, code: kind.classCode, display: CLASS_DISPLAY[kind.classCode] },
    type,
  };
  if (e.priority) {
    resource['priority'] = {
      coding: [
        { system: SYSTEM.actPriority, code: e.priority, display: e.priority === 'EM' ? 'emergency' : 'elective' },
      ],
    };
  }
  resource['subject'] = { reference: st.patientRef.reference };
  resource['participant'] = [
    {
      type: [{ coding: [{ system: SYSTEM.participationType, code: 'PPRF', display: 'primary performer' }] }],
      individual: ref('Practitioner', e.practitioner.id),
    },
  ];
  const period: Json = { start: isoDateTime(e.start) };
  if (finished) {
    period['end'] = isoDateTime(e.end!);
  }
  resource['period'] = period;
  if (e.reasonCode) {
    resource['reasonCode'] = [
      { coding: [{ system: SYSTEM.snomed, code: e.reasonCode.snomed, display: e.reasonCode.display }] },
    ];
  }
  if (e.reasons.length > 0) {
    resource['reasonReference'] = e.reasons.map((id) => ref('Condition', id));
  }
  if (e.admitSource) {
    const hosp: Json = {
      admitSource: {
        coding: [{ system: SYSTEM.admitSource, code: e.admitSource, display: ADMIT_SOURCE_DISPLAY[e.admitSource] }],
      },
    };
    if (e.discharge) {
      hosp['dischargeDisposition'] = {
        coding: [{ system: SYSTEM.dischargeDisposition, code: e.discharge, display: DISCHARGE_DISPLAY[e.discharge] }],
      };
    }
    resource['hospitalization'] = hosp;
  }
  if (e.locationId) {
    resource['location'] = [{ location: ref('Location', e.locationId) }];
  }
  resource['serviceProvider'] = ref('Organization', e.orgId);
  return resource;
}

// --- medications -------------------------------------------------------------------------------

function medicationRequest(
  st: PatientState,
  id: string,
  med: MedicineDef,
  authoredOn: number,
  requester: string,
  repeat: boolean,
  reasonId: string | null,
  encounterId: string | null,
  repeats: number,
): FhirResource {
  const resource: FhirResource = {
    resourceType: 'MedicationRequest',
    id,
    status: repeat ? 'active' : 'completed',
    intent: 'order',
    category: [
      {
        coding: [
          {
            system: SYSTEM.medicationRequestCategory,
            code: 'community',
            display: 'Community',
          },
        ],
      },
    ],
    medicationCodeableConcept: {
      coding: [{ system: SYSTEM.dmd, code: med.code, display: med.display }],
      text: med.display,
    },
    subject: { reference: st.patientRef.reference },
  };
  if (encounterId) {
    resource['encounter'] = ref('Encounter', encounterId);
  }
  resource['authoredOn'] = isoDateTime(authoredOn);
  resource['requester'] = ref('Practitioner', requester);
  if (reasonId) {
    resource['reasonReference'] = [ref('Condition', reasonId)];
  }
  resource['courseOfTherapyType'] = {
    coding: [
      repeat
        ? { system: SYSTEM.courseOfTherapy, code: 'continuous', display: 'Continuous long term therapy' }
        : { system: SYSTEM.courseOfTherapy, code: 'acute', display: 'Short course (acute) therapy' },
    ],
  };
  resource['dosageInstruction'] = [{ text: med.dosage }];
  resource['dispenseRequest'] = {
    numberOfRepeatsAllowed: repeats,
    quantity: { value: med.quantity, unit: med.unit },
    expectedSupplyDuration: { value: repeat ? 28 : 5, unit: 'days', system: SYSTEM.ucum, code: 'd' },
  };
  return resource;
}

function generateMedications(
  ctx: Context,
  st: PatientState,
  encounters: PlannedEncounter[],
  out: FhirResource[],
): void {
  const rng = st.rng;
  const given = new Set<string>();
  let n = 0;
  for (let i = 0; i < CONDITIONS.length; i++) {
    if (!st.has[i]) {
      continue;
    }
    const def = CONDITIONS[i]!;
    for (const [key, prob] of CONDITION_MEDICINES[def.key]) {
      if (given.has(key) || !rng.chance(prob)) {
        continue;
      }
      given.add(key);
      const med = MEDICINES[key]!;
      // Repeat templates are re-authorised at least annually: last authorisation in the past year.
      const from = Math.max(st.onsetMs[i]!, ctx.nowMs - YEAR_MS);
      const authoredOn = clinicTime(
        rng,
        from + rng.next() * Math.max(DAY_MS, ctx.nowMs - DAY_MS - from),
        st.birthMs,
        ctx.nowMs,
      );
      n++;
      out.push(
        medicationRequest(
          st,
          'medreq-' + st.num + '-' + n,
          med,
          authoredOn,
          st.usualGp.id,
          true,
          st.conditionIds[i]!,
          null,
          rng.chance(0.5) ? 5 : 11,
        ),
      );
    }
  }
  const amoxicillin = MEDICINES['amoxicillin']!;
  for (const e of encounters) {
    if (!e.acuteAntibiotic) {
      continue;
    }
    n++;
    out.push(
      medicationRequest(
        st,
        'medreq-' + st.num + '-' + n,
        amoxicillin,
        e.start,
        e.practitioner.id,
        false,
        null,
        e.id,
        0,
      ),
    );
  }
}

// --- observations ------------------------------------------------------------------------------

interface Baseline {
  sbp: number;
  dbp: number;
  hr: number;
  spo2: number;
  heightM: number;
  bmi: number;
  hba1c: number;
  egfr: number;
  chol: number;
}

function baseline(ctx: Context, st: PatientState): Baseline {
  const rng = st.rng;
  const a = st.ageExact;
  const htn = has(st, ctx, 'hypertension');
  const dm = has(st, ctx, 'diabetes');
  let sbp = a < 16 ? 105 + a : 112 + 0.45 * Math.max(0, a - 20) + (st.sex === 'male' ? 5 : 0) + (htn ? 12 : 0);
  sbp = rng.normal(sbp, 10);
  const dbp = rng.normal(a < 16 ? 62 : 0.42 * sbp + 22 - 0.08 * Math.max(0, a - 60), 5);
  const hr = rng.normal(a < 5 ? 110 : a < 12 ? 88 : 72, 8) + (has(st, ctx, 'atrial-fibrillation') ? 10 : 0);
  const spo2 =
    97.5 - (has(st, ctx, 'copd') ? 3 : 0) - (has(st, ctx, 'heart-failure') ? 1.5 : 0) - Math.max(0, a - 70) * 0.03;
  let heightM: number;
  let bmi: number;
  if (a < 18) {
    heightM = clamp(0.5 + 0.075 * Math.min(a, 16) + (a < 2 ? 0.1 * a : 0) + rng.normal(0, 0.04), 0.5, 1.95);
    bmi = rng.normal(a < 2 ? 17 : 16 + 0.3 * Math.max(0, a - 6), 1.8);
  } else {
    heightM = rng.normal(st.sex === 'male' ? 1.76 : 1.62, 0.065) - (a > 70 ? 0.003 * (a - 70) : 0);
    bmi = rng.normal(26.8 + 0.18 * (5.5 - st.decile) + (dm ? 3.5 : 0) + (a > 40 && a < 75 ? 1 : 0), 4.5);
    bmi = clamp(bmi, 16, 55);
  }
  const hba1c = dm ? clamp(rng.normal(7.3, 1.1), 5.6, 13) : clamp(rng.normal(5.5, 0.3), 4.6, 6.4);
  const ckd = has(st, ctx, 'ckd');
  const egfr = ckd
    ? clamp(rng.normal(44, 9), 16, 59)
    : clamp(rng.normal(108 - 0.75 * Math.max(0, a - 25), 10), 61, 140);
  const chol = clamp(rng.normal(dm || htn ? 4.6 : 5.2, 0.9), 2.5, 9);
  return { sbp, dbp, hr, spo2, heightM, bmi, hba1c, egfr, chol };
}

const CATEGORY_DISPLAY = { 'vital-signs': 'Vital Signs', laboratory: 'Laboratory' } as const;

function obsBase(
  st: PatientState,
  id: string,
  code: ObservationCode,
  effective: number,
  performer: Ref,
  encounterId: string | null,
): FhirResource {
  const resource: FhirResource = {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      {
        coding: [{ system: SYSTEM.observationCategory, code: code.category, display: CATEGORY_DISPLAY[code.category] }],
      },
    ],
    code: { coding: [{ system: SYSTEM.loinc, code: code.loinc, display: code.display }], text: code.display },
    subject: { reference: st.patientRef.reference },
  };
  if (encounterId) {
    resource['encounter'] = ref('Encounter', encounterId);
  }
  resource['effectiveDateTime'] = isoDateTime(effective);
  resource['performer'] = [performer];
  return resource;
}

function quantity(code: ObservationCode, value: number): Json {
  return { value, unit: code.unit, system: SYSTEM.ucum, code: code.ucum };
}

function generateObservations(
  ctx: Context,
  st: PatientState,
  encounters: PlannedEncounter[],
  out: FhirResource[],
): void {
  const rng = st.rng;
  const b = baseline(ctx, st);
  let n = 0;
  const nextId = (): string => 'obs-' + st.num + '-' + ++n;

  for (const e of encounters) {
    const v = e.vitals;
    if (!v) {
      continue;
    }
    const performer = ref('Practitioner', e.practitioner.id);
    const acute = e.kind === 'emergency-admission';
    if (v.bp) {
      const o = obsBase(st, nextId(), OBS.bpPanel, e.start, performer, e.id);
      const sys = Math.round(clamp(rng.normal(b.sbp + (acute ? rng.normal(0, 15) : 0), 8), 70, 230));
      const dia = Math.round(clamp(rng.normal(b.dbp, 5), 35, Math.max(40, sys - 15)));
      o['component'] = [
        {
          code: { coding: [{ system: SYSTEM.loinc, code: OBS.systolic.loinc, display: OBS.systolic.display }] },
          valueQuantity: quantity(OBS.systolic, sys),
        },
        {
          code: { coding: [{ system: SYSTEM.loinc, code: OBS.diastolic.loinc, display: OBS.diastolic.display }] },
          valueQuantity: quantity(OBS.diastolic, dia),
        },
      ];
      out.push(o);
    }
    if (v.hr) {
      const o = obsBase(st, nextId(), OBS.heartRate, e.start, performer, e.id);
      o['valueQuantity'] = quantity(OBS.heartRate, Math.round(clamp(rng.normal(b.hr + (acute ? 12 : 0), 7), 35, 190)));
      out.push(o);
    }
    if (v.spo2) {
      const o = obsBase(st, nextId(), OBS.spo2, e.start, performer, e.id);
      o['valueQuantity'] = quantity(OBS.spo2, Math.round(clamp(rng.normal(b.spo2 - (acute ? 2 : 0), 1.2), 80, 100)));
      out.push(o);
    }
    if (v.weight) {
      const yearsAgo = (ctx.nowMs - e.start) / YEAR_MS;
      let height = b.heightM;
      if (st.ageExact < 18) {
        height = Math.max(0.5, height - 0.06 * yearsAgo);
      }
      const bmi = clamp(rng.normal(b.bmi, 0.6), 12, 60);
      const kg = Math.max(2.5, bmi * height * height);
      const w = obsBase(st, nextId(), OBS.weight, e.start, performer, e.id);
      w['valueQuantity'] = quantity(OBS.weight, round1(kg));
      out.push(w);
      if (st.age >= 18) {
        const m = obsBase(st, nextId(), OBS.bmi, e.start, performer, e.id);
        m['valueQuantity'] = quantity(OBS.bmi, round1(bmi));
        out.push(m);
      }
    }
  }

  // Laboratory results (pathology at the patient's acute trust), annual over LAB_YEARS.
  const dm = has(st, ctx, 'diabetes');
  const renalMonitor =
    dm ||
    has(st, ctx, 'hypertension') ||
    has(st, ctx, 'ckd') ||
    has(st, ctx, 'heart-failure') ||
    has(st, ctx, 'atrial-fibrillation');
  const lipidMonitor = dm || has(st, ctx, 'hypertension') || has(st, ctx, 'stroke') || has(st, ctx, 'ckd');
  if (!dm && !renalMonitor && !lipidMonitor) {
    return;
  }
  const lab = ref('Organization', ctx.model.orgIds.get(st.acuteOrgKey)!);
  const labStart = Math.max(st.birthMs, ctx.nowMs - LAB_YEARS * YEAR_MS);
  for (let y = 0; y < LAB_YEARS; y++) {
    const yEnd = ctx.nowMs - y * YEAR_MS;
    const yStart = Math.max(labStart, yEnd - YEAR_MS);
    if (yEnd <= yStart) {
      continue;
    }
    const draw = (): number => clinicTime(rng, yStart + rng.next() * (yEnd - yStart), st.birthMs, ctx.nowMs);
    if (dm) {
      for (let k = 0; k < 2; k++) {
        const o = obsBase(st, nextId(), OBS.hba1c, draw(), lab, null);
        o['valueQuantity'] = quantity(OBS.hba1c, round1(clamp(rng.normal(b.hba1c, 0.4), 4.5, 14)));
        out.push(o);
      }
    }
    if (renalMonitor && rng.chance(0.9)) {
      const o = obsBase(st, nextId(), OBS.egfr, draw(), lab, null);
      o['valueQuantity'] = quantity(OBS.egfr, Math.round(clamp(rng.normal(b.egfr + 1.2 * y, 4), 5, 150)));
      out.push(o);
    }
    if (lipidMonitor && rng.chance(0.8)) {
      const o = obsBase(st, nextId(), OBS.cholesterol, draw(), lab, null);
      o['valueQuantity'] = quantity(OBS.cholesterol, round1(clamp(rng.normal(b.chol, 0.3), 2, 10)));
      out.push(o);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------

/** Features of the hidden emergency-admission model for a generated patient state. */
function featuresOf(st: PatientState): PatientFeatures {
  const conditions: ConditionKey[] = [];
  for (let i = 0; i < CONDITIONS.length; i++) {
    if (st.has[i]) {
      conditions.push(CONDITIONS[i]!.key);
    }
  }
  return { age: st.age, sex: st.sex, imdDecile: st.decile, conditions };
}

/**
 * Generate one patient (1-based number) and their compartment. Deterministic for (seed, number, now).
 */
export function generatePatient(ctx: Context, patientNumber: number): FhirResource[] {
  const st = initialState(ctx, patientNumber);
  const out: FhirResource[] = [];
  // The Patient resource is built first (it consumes random draws for names, address, telecom).
  out.push(buildPatientResource(ctx, st, patientNumber - 1));
  generateConditions(ctx, st, out);
  generateAllergies(ctx, st, out);
  const encounters = planEncounters(ctx, st, featuresOf(st));
  for (const e of encounters) {
    out.push(encounterResource(st, e, ctx.nowMs));
  }
  generateMedications(ctx, st, encounters, out);
  generateObservations(ctx, st, encounters, out);
  return out;
}
