/**
 * Demo data: core personal profiles for the demo practice's high-risk patients (their latest risk
 * score `very-high` or `high`) or, before the risk model has scored anyone, for the demo patient
 * and the practice's oldest patients with three or more current conditions — each with what
 * matters to them and a ReSPECT form recorded by the practice's GP, so the profile pages mean
 * something on first start. Idempotent: a patient who has a profile is left alone.
 */
import type { Condition, Patient, RelatedPerson, Resource } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { buildInfrastructureModel } from '../seed/infrastructure.ts';
import { RISK_BAND_SYSTEM, type CprRecommendation } from './codes.ts';
import { inputResource, type InputBody } from './inputs.ts';
import { findProfile, isHighRisk, type CareProfileService } from './profile.service.ts';
import { practiceOf } from './record.ts';

const MAX_PROFILES = 60;
const FALLBACK_PATIENTS = 4;
const DEMO_CARER = 'RelatedPerson/rp-demo-carer';

const WHAT_MATTERS = [
  'Staying in my own home with my cat, and being able to get to the allotment in summer.',
  'Seeing my grandchildren on Sundays; I do not want to go back into hospital unless I have to.',
  'Keeping my independence: I want to wash and dress myself for as long as I can.',
  'My wife is my carer and needs a break on Wednesdays; please involve her in decisions.',
];

const resourcesOf = <T extends Resource>(bundle: { entry?: { resource?: Resource }[] }): T[] =>
  (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource as T] : []));

/** Patients of the practice whose latest score is high (none before the risk model has run). */
async function highRiskPatients(system: ResourceService, practice: string): Promise<string[]> {
  const scored = resourcesOf<Resource & { subject?: { reference?: string } }>(
    await system.search('RiskAssessment', [
      ['risk', `${RISK_BAND_SYSTEM}|very-high,${RISK_BAND_SYSTEM}|high`],
      ['_count', '1000'],
    ]),
  );
  const ids = [...new Set(scored.map((r) => r.subject?.reference?.split('Patient/')[1]).filter(Boolean))] as string[];
  const found: string[] = [];
  for (const id of ids) {
    if (found.length >= MAX_PROFILES) {
      break;
    }
    const patient = JSON.parse((await system.read('Patient', id)).json ?? '{}') as Patient;
    if (practiceOf(patient) === practice && (await isHighRisk(system, id))) {
      found.push(id);
    }
  }
  return found;
}

/** The oldest living patients of the practice with three or more current conditions. */
async function multimorbid(system: ResourceService, practice: string): Promise<string[]> {
  const patients = resourcesOf<Patient>(
    await system.search('Patient', [
      ['general-practitioner', practice],
      ['deceased', 'false'],
      ['_sort', 'birthdate'],
      ['_count', '60'],
    ]),
  );
  const found: string[] = [];
  for (const patient of patients) {
    const conditions = resourcesOf<Condition>(
      await system.search('Condition', [
        ['subject', `Patient/${patient.id}`],
        ['clinical-status', 'active'],
      ]),
    );
    if (conditions.length >= 3) {
      found.push(patient.id!);
    }
    if (found.length >= FALLBACK_PATIENTS) {
      break;
    }
  }
  return found;
}

async function demoPatient(system: ResourceService): Promise<string | undefined> {
  const carer = await system.read('RelatedPerson', DEMO_CARER.split('/')[1]!).catch(() => undefined);
  const person = carer?.json ? (JSON.parse(carer.json) as RelatedPerson) : undefined;
  return person?.patient.reference?.split('Patient/')[1];
}

/** What the GP records with the patient: what matters, a ReSPECT form and (for some) a communication need. */
function demoInputs(index: number, age: number): InputBody[] {
  const cpr: CprRecommendation = age >= 80 ? 'cpr-not-attempted' : 'cpr-attempted';
  const recommendations =
    cpr === 'cpr-not-attempted'
      ? 'Prioritise comfort; treat reversible causes at home where possible; hospital admission only for symptoms that cannot be managed at home.'
      : 'Full active treatment including hospital admission; discussed with the patient and their family.';
  return [
    { kind: 'what-matters', text: WHAT_MATTERS[index % WHAT_MATTERS.length]! },
    { kind: 'respect', cpr, text: recommendations },
    ...(index % 2 === 0
      ? [{ kind: 'communication', text: 'Hard of hearing: face me, speak clearly; wears hearing aids.' } as const]
      : []),
    ...(age >= 80
      ? [{ kind: 'end-of-life', text: 'Wishes to die at home if possible; family to be called.' } as const]
      : []),
  ];
}

const ageOf = (patient: Patient, now: Date): number =>
  patient.birthDate ? now.getUTCFullYear() - Number(patient.birthDate.slice(0, 4)) : 0;

/**
 * Who gets a demo profile: the demo patient, and the demo practice's high-risk patients — or, when
 * nobody has been scored yet, its oldest multimorbid patients.
 */
export async function demoProfilePatients(system: ResourceService, seed: number): Promise<string[]> {
  const practice = buildInfrastructureModel(seed).practices[0];
  if (!practice) {
    return [];
  }
  const org = `Organization/${practice.orgId}`;
  const high = await highRiskPatients(system, org);
  const chosen = [(await demoPatient(system)) ?? '', ...(high.length ? high : await multimorbid(system, org))];
  return [...new Set(chosen.filter(Boolean))];
}

/** Seeds the demo profiles; returns how many were made now. */
export async function seedCareProfiles(
  system: ResourceService,
  profiles: CareProfileService,
  options: { seed: number },
  now = new Date(),
): Promise<number> {
  const practice = buildInfrastructureModel(options.seed).practices[0];
  const org = `Organization/${practice?.orgId}`;
  const gp = `Practitioner/${practice?.gps[0]?.id ?? 'unknown'}`;
  let made = 0;
  for (const [index, patientId] of (await demoProfilePatients(system, options.seed)).entries()) {
    if (await findProfile(system, patientId)) {
      continue;
    }
    const patient = JSON.parse((await system.read('Patient', patientId)).json ?? '{}') as Patient;
    for (const input of demoInputs(index, ageOf(patient, now))) {
      const resource = inputResource(input, patientId, gp, now.toISOString().slice(0, 10));
      // The practice's record, as if the GP had recorded it there.
      await system.create(resource.resourceType, { ...resource, meta: { source: org } });
    }
    await profiles.refresh(patientId, { create: true }, now);
    made++;
  }
  return made;
}
