/**
 * The follow-up checklist a discharge from an inpatient stay starts (pure): three `Task`s for the
 * registered practice — contact within 48 hours, medicines reconciliation within 7 days, care-plan
 * review within 14 days — due from the discharge time (H-155), and what makes one overdue (H-156).
 */
import type { Encounter, Task } from '@medplum/fhirtypes';
import { recordId } from './alert.ts';

export const FOLLOW_UP_SYSTEM = 'https://careweave.example/fhir/CodeSystem/discharge-follow-up';
/** One Task per Encounter and step: `Encounter/<id>/<code>` (idempotency). */
export const FOLLOW_UP_IDENTIFIER_SYSTEM = 'https://careweave.example/fhir/Id/discharge-follow-up';
export const ESCALATED_SYSTEM = 'https://careweave.example/fhir/CodeSystem/discharge-follow-up-status';

const HOUR = 3_600_000;

export const FOLLOW_UP_STEPS = [
  { code: 'contact-48h', display: 'Contact the patient within 48 hours of discharge', dueHours: 48 },
  { code: 'medicines-reconciliation', display: 'Medicines reconciliation', dueHours: 7 * 24 },
  { code: 'care-plan-review', display: 'Care-plan review', dueHours: 14 * 24 },
] as const;
export type FollowUpCode = (typeof FOLLOW_UP_STEPS)[number]['code'];

/** Statuses of a Task still to be done (not completed, cancelled, failed, rejected or entered in error). */
export const OPEN_STATUSES = ['draft', 'requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold'] as const;

/** The Tasks for a discharge at `discharged` (ISO), owned by `practice` (`Organization/…`). */
export function followUpTasks(
  encounter: Encounter & { id: string },
  practice: string,
  discharged: string,
  authored: Date,
): Task[] {
  const about = `Encounter/${encounter.id}`;
  const from = Date.parse(discharged);
  const security = encounter.meta?.security;
  return FOLLOW_UP_STEPS.map((step) => ({
    resourceType: 'Task',
    id: recordId(about, step.code),
    // The practice's own work; as sensitive as the stay it follows (the labels travel with it).
    meta: { source: practice, ...(security?.length ? { security } : {}) },
    identifier: [{ system: FOLLOW_UP_IDENTIFIER_SYSTEM, value: `${about}/${step.code}` }],
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [{ system: FOLLOW_UP_SYSTEM, code: step.code, display: step.display }], text: step.display },
    description: `${step.display} (after the discharge on ${discharged.slice(0, 10)}).`,
    basedOn: [{ reference: about }],
    focus: { reference: about },
    for: encounter.subject!,
    owner: { reference: practice },
    authoredOn: authored.toISOString(),
    restriction: { period: { end: new Date(from + step.dueHours * HOUR).toISOString() } },
  }));
}

/** When the Task is due (its restriction's end), or undefined. */
export function dueOf(task: Task): Date | undefined {
  const end = task.restriction?.period?.end;
  return end ? new Date(end) : undefined;
}

/** Open, past due and not yet escalated (escalation raises the priority: once only). */
export function isOverdue(task: Task, now: Date): boolean {
  const due = dueOf(task);
  return (
    (OPEN_STATUSES as readonly string[]).includes(task.status) &&
    task.priority !== 'urgent' &&
    !!due &&
    due.getTime() < now.getTime()
  );
}

/** The Task after escalation: urgent, and marked so (the business status says why). */
export function escalated(task: Task, now: Date): Task {
  return {
    ...task,
    priority: 'urgent',
    businessStatus: {
      coding: [{ system: ESCALATED_SYSTEM, code: 'overdue-escalated', display: 'Overdue: escalated' }],
      text: `Overdue since ${dueOf(task)?.toISOString().slice(0, 16) ?? 'unknown'}; escalated ${now.toISOString().slice(0, 16)}`,
    },
  };
}

/** `statusReason` of a follow-up Task withdrawn because its discharge was cancelled (HL7 A13). */
export const DISCHARGE_CANCELLED = {
  coding: [{ system: ESCALATED_SYSTEM, code: 'discharge-cancelled', display: 'The discharge was cancelled' }],
  text: 'The discharge was cancelled (the patient is still in hospital)',
};

/** Whether the Task was withdrawn by a cancelled discharge (so a new discharge of the visit starts it again). */
export function withdrawnByCancellation(task: Task): boolean {
  return task.status === 'cancelled' && !!task.statusReason?.coding?.some((c) => c.code === 'discharge-cancelled');
}

/** The Task withdrawn after its discharge was cancelled: `cancelled`, saying why; undefined if it is not open. */
export function withdrawn(task: Task, now: Date): Task | undefined {
  if (!(OPEN_STATUSES as readonly string[]).includes(task.status)) {
    return undefined;
  }
  return { ...task, status: 'cancelled', statusReason: DISCHARGE_CANCELLED, lastModified: now.toISOString() };
}
