/**
 * The alert inbox: open telehealth alerts the caller may see, and what staff do with one —
 * acknowledge it, add a note, record a call back, close it. Every change is a FHIR write through the
 * caller's own view in one unit of work, so the access policy and the audit trail apply and a
 * hidden alert answers exactly like an absent one (404).
 */
import type { Communication, Flag, Patient, Task } from '@medplum/fhirtypes';
import type { Actor, StaffActor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { badRequest, conflict, notFound } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { alertView, type AlertView } from './alert-view.ts';
import {
  alertTasks,
  COMMUNICATION_CATEGORY,
  flagOfAlert,
  isAlertTask,
  patientSummary,
  visibleByIds,
} from './record.ts';

const DOING = 'work on telehealth alerts';
const CLOSED: readonly Task['status'][] = ['completed', 'cancelled', 'failed', 'rejected', 'entered-in-error'];
export const CALL_OUTCOMES = {
  reached: 'spoke to the patient',
  'no-answer': 'no answer',
  'left-message': 'left a message',
};
export type CallOutcome = keyof typeof CALL_OUTCOMES;
const MAX_TEXT = 2000;

/** The Patient summaries of some references, as the caller may see them. */
export async function patientsByReference(record: ResourceService, references: readonly string[]) {
  const ids = references.filter((r) => r.startsWith('Patient/')).map((r) => r.slice('Patient/'.length));
  const patients = await visibleByIds<Patient>(record, 'Patient', ids);
  return new Map(patients.map((patient) => [`Patient/${patient.id!}`, patientSummary(patient)]));
}

/** Free text from the request: trimmed, at most MAX_TEXT characters; absent or blank is undefined unless required. */
function checkedText(text: unknown, field: string, required: boolean): string | undefined {
  if (text !== undefined && text !== null && typeof text !== 'string') {
    badRequest(`The ${field} must be text`, [field]);
  }
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (!trimmed) {
    return required ? badRequest(`Enter the ${field}`, [field]) : undefined;
  }
  if (trimmed.length > MAX_TEXT) {
    badRequest(`The ${field} must be ${MAX_TEXT} characters or fewer`, [field]);
  }
  return trimmed;
}

/** The alert inbox and its actions; each method begins with its guard. */
export class AlertService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  /** Open alerts the caller may see, newest first, with the patient's name and NHS number. */
  async list(actor: Actor | undefined): Promise<AlertView[]> {
    const staff = requireStaff(actor, { doing: 'see telehealth alerts' });
    const record = this.context.recordAs(staff);
    const tasks = await alertTasks(record);
    const patients = await patientsByReference(
      record,
      tasks.map((task) => task.for?.reference ?? ''),
    );
    return tasks.map((task) => alertView(task, patients));
  }

  /** Acknowledges an alert: in progress, owned by the caller. */
  async acknowledge(actor: Actor | undefined, id: string): Promise<AlertView> {
    const staff = requireStaff(actor, { doing: DOING });
    return this.change(staff, id, (task) => ({ ...task, ...this.taken(task, staff) }));
  }

  /** Adds a note to an alert. */
  async addNote(actor: Actor | undefined, id: string, body: { text?: unknown }): Promise<AlertView> {
    const staff = requireStaff(actor, { doing: DOING });
    const text = checkedText(body.text, 'note', true)!;
    return this.change(staff, id, (task) => ({ ...task, note: [...(task.note ?? []), this.note(staff, text)] }));
  }

  /**
   * Records a call back: a Communication in the patient's record (a phone call is contact with the
   * patient, so it belongs in their record and summaries, not only inside the workflow Task) and a
   * note on the alert saying so. Calling back also acknowledges an alert nobody had taken.
   */
  async callBack(
    actor: Actor | undefined,
    id: string,
    body: { outcome?: unknown; text?: unknown },
  ): Promise<AlertView> {
    const staff = requireStaff(actor, { doing: DOING });
    const outcome = body.outcome as CallOutcome;
    if (!Object.hasOwn(CALL_OUTCOMES, outcome)) {
      badRequest(`Choose what happened on the call: ${Object.keys(CALL_OUTCOMES).join(', ')}`, ['outcome']);
    }
    const text = checkedText(body.text, 'call notes', false);
    const summary = `Call back: ${CALL_OUTCOMES[outcome]}${text ? `. ${text}` : ''}`;
    return this.change(staff, id, async (task, record) => {
      await record.create('Communication', callCommunication(staff, task, summary));
      return { ...task, ...this.taken(task, staff), note: [...(task.note ?? []), this.note(staff, summary)] };
    });
  }

  /** Closes an alert: the Task completed and the Flag raised with it inactive (H-117). */
  async close(actor: Actor | undefined, id: string, body: { note?: unknown }): Promise<AlertView> {
    const staff = requireStaff(actor, { doing: DOING });
    const text = checkedText(body.note, 'note', false);
    return this.change(staff, id, async (task, record) => {
      const now = new Date().toISOString();
      const flag = await flagOfAlert(record, task);
      if (flag) {
        const ended: Flag = { ...flag, status: 'inactive', period: { ...flag.period, end: now } };
        await record.update('Flag', flag.id!, ended);
      }
      return {
        ...task,
        status: 'completed',
        owner: task.owner ?? { reference: `Practitioner/${staff.practitionerId}` },
        executionPeriod: { ...task.executionPeriod, end: now },
        note: [...(task.note ?? []), ...(text ? [this.note(staff, `Closed: ${text}`)] : [])],
      };
    });
  }

  private taken(task: Task, staff: StaffActor): Partial<Task> {
    return task.status === 'requested' || task.status === 'received' || task.status === 'accepted'
      ? {
          status: 'in-progress',
          owner: { reference: `Practitioner/${staff.practitionerId}` },
          executionPeriod: { ...task.executionPeriod, start: new Date().toISOString() },
        }
      : {};
  }

  private note(staff: StaffActor, text: string) {
    return {
      text,
      time: new Date().toISOString(),
      authorReference: { reference: `Practitioner/${staff.practitionerId}` },
    };
  }

  /**
   * Reads the alert through the caller's view (404 when hidden, absent or not a telehealth alert),
   * refuses a closed one, and writes what `next` makes of it, all in one transaction as the caller.
   */
  private async change(
    staff: StaffActor,
    id: string,
    next: (task: Task, record: ResourceService) => Task | Promise<Task>,
  ): Promise<AlertView> {
    return this.context.unitOfWork(staff, async (uow) => {
      const stored = await uow.record.read('Task', id);
      const task = JSON.parse(stored.json ?? '{}') as Task;
      if (!isAlertTask(task)) {
        return notFound(`Task/${id} is not known`);
      }
      if (CLOSED.includes(task.status)) {
        return conflict('This alert is already closed');
      }
      const written = await uow.record.update('Task', id, await next(task, uow.record), {
        ifMatch: stored.versionId,
      });
      const patients = await patientsByReference(uow.record, [task.for?.reference ?? '']);
      return alertView(written.resource as Task, patients);
    });
  }
}

function callCommunication(staff: StaffActor, task: Task, text: string): Communication {
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [
      { coding: [{ system: COMMUNICATION_CATEGORY, code: 'telehealth-call', display: 'Telehealth call back' }] },
    ],
    medium: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode', code: 'PHONE', display: 'telephone' },
        ],
      },
    ],
    ...(task.for?.reference
      ? { subject: { reference: task.for.reference }, recipient: [{ reference: task.for.reference }] }
      : {}),
    ...(task.basedOn ? { basedOn: task.basedOn } : {}),
    about: [{ reference: `Task/${task.id!}` }],
    sender: { reference: `Practitioner/${staff.practitionerId}` },
    sent: new Date().toISOString(),
    payload: [{ contentString: text }],
  };
}
