/** Telehealth alert Tasks as the dashboard's API shows them. */
import type { Task } from '@medplum/fhirtypes';
import type { PatientSummary } from './record.ts';
import type { Level } from './readings.ts';

export interface AlertNote {
  text: string;
  time?: string;
  author?: string;
}

export interface AlertView {
  id: string;
  task: string;
  status: Task['status'];
  /** red for priority stat, amber otherwise (the service raises red as stat, amber as urgent). */
  level: Exclude<Level, 'green'>;
  reason: string;
  raisedAt?: string;
  patient: PatientSummary;
  carePlan?: string;
  focus?: string;
  owner?: string;
  closedAt?: string;
  notes: AlertNote[];
}

/** An alert Task's level: its priority, as the service set it. */
export function alertLevel(task: Task): 'red' | 'amber' {
  return task.priority === 'stat' ? 'red' : 'amber';
}

/** The reason in words: the Task's description without the "Telehealth red: " prefix. */
export function alertReason(task: Task): string {
  return (task.description ?? task.code?.text ?? 'Telehealth alert').replace(/^Telehealth (red|amber|green):\s*/i, '');
}

/** A Task as an alert; `patients` names the patients by reference (unknown ones keep their reference). */
export function alertView(task: Task, patients: ReadonlyMap<string, PatientSummary>): AlertView {
  const patientReference = task.for?.reference ?? '';
  return {
    id: task.id!,
    task: `Task/${task.id!}`,
    status: task.status,
    level: alertLevel(task),
    reason: alertReason(task),
    ...(task.authoredOn ? { raisedAt: task.authoredOn } : {}),
    patient: patients.get(patientReference) ?? { reference: patientReference, name: patientReference },
    ...(task.basedOn?.[0]?.reference ? { carePlan: task.basedOn[0].reference } : {}),
    ...(task.focus?.reference ? { focus: task.focus.reference } : {}),
    ...(task.owner?.reference ? { owner: task.owner.reference } : {}),
    ...(task.status === 'completed' && task.executionPeriod?.end ? { closedAt: task.executionPeriod.end } : {}),
    notes: (task.note ?? []).map((note) => ({
      text: note.text,
      ...(note.time ? { time: note.time } : {}),
      ...(note.authorReference?.reference ? { author: note.authorReference.reference } : {}),
    })),
  };
}
