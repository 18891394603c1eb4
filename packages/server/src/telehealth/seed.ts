/**
 * Demo data: patients from the demo population with the condition each protocol is for, enrolled by
 * a nurse at their practice with months of readings (most green, some amber, a few red with their
 * alerts), so the telehealth screens mean something on first start. Idempotent: a second start finds
 * the CarePlans and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { CarePlan, Condition, Observation, Patient, Resource } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { buildInfrastructureModel } from '../seed/infrastructure.ts';
import { AGREEMENT_EXTENSION, BEST_PEAK_FLOW_EXTENSION } from './enrolment/careplan.ts';
import { levelOf } from './protocols/levels.ts';
import { libraryProtocol } from './protocols/library/index.ts';
import { protocolCanonical } from './protocols/plan-definition.ts';
import { readingObservation } from './replies/observations.ts';
import type { Reading } from './replies/parse.ts';
import { mobileOf } from '../gateways/sms/index.ts';
import type { TelehealthService } from './telehealth.service.ts';

const DAY = 86_400_000;

interface DemoPlan {
  protocolId: string;
  condition: string;
  patients: number;
  /** One day's reading for a patient, from a deterministic random number in [0, 1). */
  reading: (random: number, day: number) => Reading;
}

const vary = (base: number, spread: number, random: number): number => Math.round(base + (random - 0.5) * 2 * spread);

const DEMO_PLANS: readonly DemoPlan[] = [
  {
    protocolId: 'copd',
    condition: '13645005',
    patients: 3,
    reading: (r, day) => ({
      expectation: 'spo2',
      values: { spo2: day % 23 === 5 ? 87 : day % 9 === 4 ? 90 : vary(94, 2, r) },
      text: 'sats',
    }),
  },
  {
    protocolId: 'home-bp',
    condition: '38341003',
    patients: 2,
    reading: (r, day) => ({
      expectation: 'bp',
      values: { systolic: day % 11 === 3 ? 156 : vary(138, 10, r), diastolic: vary(84, 6, r) },
      text: 'bp',
    }),
  },
  {
    protocolId: 'heart-failure',
    condition: '84114007',
    patients: 2,
    reading: (r, day) => ({
      expectation: 'weight',
      values: { weight: 78 + (day % 30 === 2 ? 2.4 : 0) + (r - 0.5) * 0.6 },
      text: 'wt',
    }),
  },
  {
    protocolId: 'diabetes',
    condition: '44054006',
    patients: 2,
    reading: (r, day) => ({
      expectation: 'glucose',
      values: { glucose: day % 17 === 8 ? 3.6 : 5.5 + r * 5 },
      text: 'bm',
    }),
  },
];

/** An alert as the service raises it: a Flag and a Task (older ones already dealt with). */
function demoAlert(patientId: string, carePlanId: string, text: string, at: string, handled: boolean): Resource[] {
  const subject = { reference: `Patient/${patientId}` };
  return [
    {
      resourceType: 'Flag',
      status: handled ? 'inactive' : 'active',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical' }] }],
      code: { text },
      subject,
      period: { start: at, ...(handled ? { end: at } : {}) },
    },
    {
      resourceType: 'Task',
      status: handled ? 'completed' : 'requested',
      intent: 'order',
      priority: 'stat',
      code: {
        coding: [{ system: 'https://careweave.example/fhir/CodeSystem/task-code', code: 'telehealth-alert' }],
        text: 'Review telehealth alert',
      },
      description: text,
      for: subject,
      basedOn: [{ reference: `CarePlan/${carePlanId}` }],
      authoredOn: at,
    },
  ] as Resource[];
}

/** A small deterministic generator (the demo must look the same on every machine). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function seedTelehealthDemo(
  system: ResourceService,
  service: TelehealthService,
  options: { seed: number; days?: number; now?: Date },
): Promise<number> {
  const now = options.now ?? new Date();
  const days = options.days ?? 90;
  const demoPractice = `Organization/${buildInfrastructureModel(options.seed).practices[0]!.orgId}`;
  let enrolled = 0;
  for (const plan of DEMO_PLANS) {
    const protocol = libraryProtocol(plan.protocolId)!;
    for (const patient of await patientsWith(system, plan.condition, plan.patients, demoPractice)) {
      const id = `demo-th-${plan.protocolId}-${patient.id!}`.slice(0, 64);
      if (
        (
          await system.search('CarePlan', [
            ['_id', id],
            ['_summary', 'count'],
          ])
        ).total
      ) {
        continue;
      }
      const author = await practiceNurse(system, patient);
      const started = new Date(now.getTime() - days * DAY);
      const carePlan: CarePlan = {
        resourceType: 'CarePlan',
        id,
        status: 'active',
        intent: 'plan',
        title: protocol.title,
        instantiatesCanonical: [`${protocolCanonical(protocol)}|${protocol.version}`],
        subject: { reference: `Patient/${patient.id!}` },
        ...(author ? { author: { reference: author } } : {}),
        period: { start: started.toISOString() },
        extension: [
          { url: AGREEMENT_EXTENSION, valueDateTime: started.toISOString() },
          ...(protocol.needs.length
            ? [{ url: BEST_PEAK_FLOW_EXTENSION, valueQuantity: { value: 450, unit: 'L/min' } }]
            : []),
        ],
      };
      await system.update('CarePlan', id, carePlan);
      const rng = random(options.seed * 7919 + enrolled);
      const readings: Resource[] = [];
      for (let day = days; day >= 1; day--) {
        if (rng() < 0.12) {
          continue; // A missed day, as real people have.
        }
        const reading = plan.reading(rng(), day);
        const effective = new Date(now.getTime() - day * DAY + 10 * 3_600_000).toISOString();
        const observation: Observation = readingObservation(reading, {
          subject: { reference: `Patient/${patient.id!}` },
          basedOn: [{ reference: `CarePlan/${id}` }],
          effective,
        });
        const level = levelOf(protocol, reading);
        if (level.level !== 'green') {
          observation.interpretation = [{ text: `${level.level}: ${level.reasons.join('; ')}` }];
        }
        readings.push(observation);
        if (level.level === 'red' && day <= 21) {
          readings.push(
            ...demoAlert(
              patient.id!,
              id,
              `Telehealth red: ${level.reasons.join('; ')} (${protocol.title})`,
              effective,
              day > 7,
            ),
          );
        }
      }
      await system.transaction((tx) =>
        tx.writeMany(
          readings.map((resource) => ({ resource: { ...resource, id: randomUUID() }, method: 'update' as const })),
        ),
      );
      await service.enrolFromPlan(carePlan);
      enrolled++;
    }
  }
  return enrolled;
}

/**
 * Up to `count` living patients with a mobile number and the condition, those at `practice` first
 * (demo.telehealth's practice: her dashboard and inbox have patients on first start).
 */
async function patientsWith(
  system: ResourceService,
  snomed: string,
  count: number,
  practice: string,
): Promise<Patient[]> {
  const search = (more: [string, string][]) =>
    system.search('Condition', [['code', `http://snomed.info/sct|${snomed}`], ['_count', '40'], ...more]);
  const [local, anywhere] = await Promise.all([
    search([['subject:Patient.general-practitioner', practice]]),
    search([]),
  ]);
  const patients: Patient[] = [];
  const seen = new Set<string>();
  for (const entry of [...(local.entry ?? []), ...(anywhere.entry ?? [])]) {
    const reference = (entry.resource as Condition).subject?.reference ?? '';
    const patientId = reference.replace(/^Patient\//, '');
    if (!patientId || seen.has(patientId)) {
      continue;
    }
    seen.add(patientId);
    const patient = JSON.parse((await system.read('Patient', patientId)).json ?? '{}') as Patient;
    if (mobileOf(patient.telecom) && !patient.deceasedDateTime && patient.deceasedBoolean !== true) {
      patients.push(patient);
    }
    if (patients.length >= count) {
      break;
    }
  }
  return patients;
}

/** A nurse (or anyone) with a role at the patient's practice, as the enrolling clinician. */
async function practiceNurse(system: ResourceService, patient: Patient): Promise<string | undefined> {
  const practice = patient.managingOrganization?.reference ?? patient.generalPractitioner?.[0]?.reference;
  if (!practice?.startsWith('Organization/')) {
    return undefined;
  }
  const roles = await system.search('PractitionerRole', [
    ['organization', practice],
    ['_sort', '_id'],
    ['_count', '20'],
  ]);
  const practitioners = (roles.entry ?? []).flatMap((e) => {
    const role = e.resource as { practitioner?: { reference?: string }; code?: { text?: string }[] };
    return role.practitioner?.reference
      ? [{ reference: role.practitioner.reference, nurse: /nurse/i.test(JSON.stringify(role.code ?? '')) }]
      : [];
  });
  return (practitioners.find((p) => p.nurse) ?? practitioners[0])?.reference;
}
