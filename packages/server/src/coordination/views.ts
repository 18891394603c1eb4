/**
 * What the hub's API returns about people and tasks: a patient's name and NHS number as the caller
 * may see them, and a Task as a row of a worklist or plan.
 */
import type { Patient, Task } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { codeOf, CARE_TEAM_ROLE_SYSTEM, isOverdue, searchAs } from './fhir.ts';

const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';

export interface PatientSummary {
  id: string;
  name: string;
  nhsNumber?: string;
  birthDate?: string;
}

export function patientSummary(patient: Patient): PatientSummary {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER)?.value;
  return {
    id: patient.id!,
    name: name
      ? [name.given?.join(' '), name.family].filter(Boolean).join(' ') || (name.text ?? '')
      : 'Unnamed patient',
    ...(nhsNumber ? { nhsNumber } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
  };
}

/** The Patients of some ids the caller may see (one search; hidden ones are simply absent). */
export async function patientsById(record: ResourceService, ids: readonly string[]) {
  const unique = [...new Set(ids.filter(Boolean))];
  if (unique.length === 0) {
    return new Map<string, PatientSummary>();
  }
  const patients = await searchAs<Patient>(record, 'Patient', [
    ['_id', unique.join(',')],
    ['_count', String(unique.length)],
  ]);
  return new Map(patients.map((p) => [p.id!, patientSummary(p)]));
}

export interface TaskView {
  id: string;
  status: Task['status'];
  description: string;
  role?: string;
  owner?: string;
  ownerName?: string;
  due?: string;
  overdue: boolean;
  goal?: string;
  completedAt?: string;
  notes: { text: string; time?: string }[];
}

export function taskView(task: Task, today: string): TaskView {
  const role = codeOf(task.performerType, CARE_TEAM_ROLE_SYSTEM);
  const goal = task.reasonReference?.reference;
  return {
    id: task.id!,
    status: task.status,
    description: task.description ?? '',
    ...(role ? { role } : {}),
    ...(task.owner?.reference ? { owner: task.owner.reference } : {}),
    ...(task.owner?.display ? { ownerName: task.owner.display } : {}),
    ...(task.restriction?.period?.end ? { due: task.restriction.period.end.slice(0, 10) } : {}),
    overdue: isOverdue(task, today),
    ...(goal ? { goal } : {}),
    ...(task.status === 'completed' && task.executionPeriod?.end ? { completedAt: task.executionPeriod.end } : {}),
    notes: (task.note ?? []).map((n) => ({ text: n.text, ...(n.time ? { time: n.time } : {}) })),
  };
}
