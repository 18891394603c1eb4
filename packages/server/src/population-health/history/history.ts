/**
 * A patient's history as the risk model reads it: who they are, their long-term conditions and frailty
 * deficits with onset dates, their contacts with services by date, their repeat medicines and red
 * telehealth alerts. Taken from FHIR resources (the record), so that the same history serves
 * validation at a past date and scoring today (docs/RISK-MODEL.md, "Inputs").
 */
import type { Encounter, MedicationRequest, Patient, Resource, Task } from '@medplum/fhirtypes';
import { deficitsOfCondition, type DeficitKey } from '../features/efi.ts';
import {
  ACT_CODE,
  ACT_PRIORITY,
  CONDITION_BY_SNOMED,
  COURSE_OF_THERAPY,
  ENCOUNTER_TYPE,
  EVENT_BY_ENCOUNTER_TYPE,
  IMD_DECILE,
  SNOMED,
  TASK_CODE,
  type ConditionKey,
  type EventKind,
} from '../vocabulary.ts';

export interface PatientHistory {
  patientId: string;
  /** The registered practice (`Organization/{id}` of Patient.generalPractitioner), if any. */
  practiceId?: string;
  birthDate?: string;
  sex: 'male' | 'female' | 'other' | 'unknown';
  imdDecile?: number;
  deceased: boolean;
  /** Long-term conditions; `onset` is the earliest of onset and recorded dates (absent: unknown, counted). */
  conditions: { key: ConditionKey; onset?: string }[];
  /** Coded eFI deficits (other than those derived from contacts and medicines). */
  deficits: { key: DeficitKey; onset?: string }[];
  /** Contacts with services by start date (yyyy-mm-dd); in date order when built from resources, else in no order. */
  events: { kind: EventKind; date: string }[];
  /** Repeat (continuous) medicines that are active or were stopped, with their dates. */
  repeatMedicines: { code: string; start?: string; end?: string }[];
  /** Dates of red telehealth alerts. */
  redAlerts: string[];
}

const ACTIVE_CONDITION = new Set(['active', 'recurrence', 'relapse']);
const COUNTED_ENCOUNTER = new Set(['finished', 'in-progress', 'arrived', 'triaged', 'onleave']);

function codes(concept: { coding?: { system?: string; code?: string }[] } | undefined, system: string): string[] {
  return (concept?.coding ?? []).flatMap((c) => (c.system === system && c.code ? [c.code] : []));
}

function day(value: string | undefined): string | undefined {
  return value && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined;
}

function earliest(...values: (string | undefined)[]): string | undefined {
  return values.flatMap((v) => (day(v) ? [day(v)!] : [])).sort()[0];
}

function patientFacts(
  patient: Patient,
): Pick<PatientHistory, 'practiceId' | 'birthDate' | 'sex' | 'imdDecile' | 'deceased'> {
  const practice = (patient.generalPractitioner ?? [])
    .map((r) => r.reference ?? '')
    .find((r) => r.startsWith('Organization/'));
  const decile = (patient.address ?? [])
    .flatMap((a) => a.extension ?? [])
    .find((e) => e.url === IMD_DECILE)?.valueInteger;
  const sex =
    patient.gender === 'male' || patient.gender === 'female' || patient.gender === 'other' ? patient.gender : 'unknown';
  return {
    ...(practice ? { practiceId: practice.slice('Organization/'.length) } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    sex,
    ...(decile !== undefined && decile >= 1 && decile <= 10 ? { imdDecile: decile } : {}),
    deceased: patient.deceasedBoolean === true || patient.deceasedDateTime !== undefined,
  };
}

/**
 * What an Encounter counts as: its CareWeave type when it has one; otherwise its class (an HL7 v2 A01
 * arrives as class IMP with no type). An admission whose priority is not elective counts as an
 * emergency admission: the safer error for a model of emergency admissions (H-143).
 */
export function eventKindOf(encounter: Encounter): EventKind {
  for (const code of (encounter.type ?? []).flatMap((t) => codes(t, ENCOUNTER_TYPE))) {
    const kind = EVENT_BY_ENCOUNTER_TYPE.get(code);
    if (kind) {
      return kind;
    }
  }
  const cls = encounter.class;
  const classCode = cls && (cls.system === undefined || cls.system === ACT_CODE) ? cls.code : undefined;
  if (classCode === 'IMP' || classCode === 'ACUTE' || classCode === 'NONAC') {
    return codes(encounter.priority, ACT_PRIORITY).includes('EL') ? 'elective-admission' : 'emergency-admission';
  }
  if (classCode === 'EMER') {
    return 'ae';
  }
  if (classCode === 'HH') {
    return 'district-nurse';
  }
  return 'other';
}

function isRepeat(order: MedicationRequest): boolean {
  return codes(order.courseOfTherapyType, COURSE_OF_THERAPY).includes('continuous');
}

function medicineCode(order: MedicationRequest): string {
  const coding = order.medicationCodeableConcept?.coding?.[0];
  return coding?.code ?? order.medicationReference?.reference ?? order.id ?? 'unknown';
}

function isRedAlert(task: Task): boolean {
  return codes(task.code, TASK_CODE).includes('telehealth-alert') && task.priority === 'stat';
}

/** Add one resource of the patient's record to a history being built. */
function addResource(history: PatientHistory, resource: Resource): void {
  switch (resource.resourceType) {
    case 'Condition': {
      const status = codes(resource.clinicalStatus, 'http://terminology.hl7.org/CodeSystem/condition-clinical')[0];
      if (status && !ACTIVE_CONDITION.has(status)) {
        return;
      }
      if (
        codes(resource.verificationStatus, 'http://terminology.hl7.org/CodeSystem/condition-ver-status').some(
          (c) => c === 'refuted' || c === 'entered-in-error',
        )
      ) {
        return;
      }
      const onset = earliest(resource.onsetDateTime, resource.recordedDate);
      for (const code of codes(resource.code, SNOMED)) {
        const key = CONDITION_BY_SNOMED.get(code);
        if (key) {
          history.conditions.push({ key, ...(onset ? { onset } : {}) });
        }
        for (const deficit of deficitsOfCondition(code)) {
          history.deficits.push({ key: deficit, ...(onset ? { onset } : {}) });
        }
      }
      return;
    }
    case 'Encounter': {
      const date = day(resource.period?.start);
      if (date && COUNTED_ENCOUNTER.has(resource.status)) {
        history.events.push({ kind: eventKindOf(resource), date });
      }
      return;
    }
    case 'MedicationRequest': {
      if (isRepeat(resource) && resource.status !== 'entered-in-error' && resource.status !== 'draft') {
        const start = day(resource.authoredOn);
        const stopped =
          resource.status === 'stopped' || resource.status === 'cancelled' || resource.status === 'completed';
        const end = stopped ? (day(resource.dispenseRequest?.validityPeriod?.end) ?? start) : undefined;
        history.repeatMedicines.push({
          code: medicineCode(resource),
          ...(start ? { start } : {}),
          ...(end ? { end } : {}),
        });
      }
      return;
    }
    case 'Task': {
      const date = day(resource.authoredOn);
      if (date && isRedAlert(resource)) {
        history.redAlerts.push(date);
      }
      return;
    }
    default:
      return;
  }
}

/** The resource types a history is built from (what to read from the record). */
export const HISTORY_TYPES = ['Patient', 'Condition', 'Encounter', 'MedicationRequest', 'Task'] as const;

/** A patient's history from their Patient resource and the rest of their record (any order). */
export function historyFromResources(resources: readonly Resource[]): PatientHistory {
  const patient = resources.find((r): r is Patient => r.resourceType === 'Patient');
  if (!patient?.id) {
    throw new Error('a history needs the Patient resource');
  }
  const history: PatientHistory = {
    patientId: patient.id,
    ...patientFacts(patient),
    conditions: [],
    deficits: [],
    events: [],
    repeatMedicines: [],
    redAlerts: [],
  };
  for (const resource of resources) {
    addResource(history, resource);
  }
  history.events.sort((a, b) => a.date.localeCompare(b.date));
  return history;
}
