/**
 * An admission alert's thread as one page (docs/ADMISSION-ALERTS.md, "The thread page"): for one visit,
 * the patient, the thread's alerts in time order, the discharge follow-up checklist with due dates and
 * status, and who was told — all read through the reader's own view, so a visit they may not see answers
 * 404 as if absent (H-182), and a person told whom they may not know about is left out (H-183). A
 * follow-up step is completed through the reader's view too: only the practice that owns it may (H-184).
 */
import type {
  Communication,
  Encounter,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
  Task,
} from '@medplum/fhirtypes';
import { z } from 'zod';
import type { Actor, StaffActor } from '../access/actor.ts';
import { requireStaff } from '../access/guards.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { conflict, invalidInput, notFound } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import { ALERT_EVENT_SYSTEM, patientName, THREAD_IDENTIFIER_SYSTEM } from './alert.ts';
import { dueOf, ESCALATED_SYSTEM, FOLLOW_UP_STEPS, FOLLOW_UP_SYSTEM, OPEN_STATUSES } from './follow-up.ts';

const ID = z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'an id');
const COMPLETE = z.object({ note: z.string().trim().max(1000).optional() }).strict();
const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';

export interface ThreadAlert {
  id: string;
  /** admission, attendance, transfer, discharge, or a correction: cancelled, transfer-cancelled, discharge-cancelled. */
  event: string;
  sent?: string;
  text: string;
}

export interface FollowUpStep {
  id: string;
  code: string;
  description: string;
  due?: string;
  status: Task['status'];
  open: boolean;
  overdue: boolean;
  escalated: boolean;
  completedAt?: string;
  notes: string[];
}

export interface AlertThread {
  encounter: {
    id: string;
    status: Encounter['status'];
    class?: string;
    start?: string;
    end?: string;
    hospital?: string;
    where?: string;
    /** The visit was cancelled or entered in error after the alerts went out. */
    cancelled: boolean;
  };
  patient: { id: string; name: string; nhsNumber?: string; birthDate?: string; gender?: string; practice?: string };
  alerts: ThreadAlert[];
  followUp: FollowUpStep[];
  /** People told (on any alert of the thread) whom the reader may know about. */
  told: { reference: string; name: string; kind: 'staff' | 'carer' }[];
}

type Stored<T> = T & { id: string };

async function readAs<T>(record: ResourceService, reference: string | undefined): Promise<Stored<T> | undefined> {
  const [type, id, extra] = (reference ?? '').split('/');
  if (!type || !id || extra !== undefined) {
    return undefined;
  }
  try {
    return JSON.parse((await record.read(type, id)).json ?? '{}') as Stored<T>;
  } catch {
    return undefined;
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw invalidInput(parsed.error);
  }
  return parsed.data;
}

const personName = (name: Practitioner['name']): string | undefined => {
  const n = name?.[0];
  return n?.text ?? ([...(n?.prefix ?? []), ...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || undefined);
};

/** A follow-up Task as a checklist row (pure). */
export function followUpStep(task: Stored<Task>, now: Date): FollowUpStep {
  const due = dueOf(task);
  const open = (OPEN_STATUSES as readonly string[]).includes(task.status);
  const code = task.code?.coding?.find((c) => c.system === FOLLOW_UP_SYSTEM)?.code ?? '';
  return {
    id: task.id,
    code,
    description: task.code?.text ?? task.description ?? code,
    ...(due ? { due: due.toISOString() } : {}),
    status: task.status,
    open,
    overdue: open && !!due && due.getTime() < now.getTime(),
    escalated: !!task.businessStatus?.coding?.some((c) => c.system === ESCALATED_SYSTEM),
    ...(task.status === 'completed' && task.executionPeriod?.end ? { completedAt: task.executionPeriod.end } : {}),
    notes: (task.note ?? []).map((n) => n.text),
  };
}

export class AlertThreads {
  private readonly context: ModuleContext;
  private readonly now: () => Date;

  constructor(context: ModuleContext, now: () => Date = () => new Date()) {
    this.context = context;
    this.now = now;
  }

  /** The thread of a visit as the reader may see it (404 when they may not see the visit). */
  async thread(actor: Actor | undefined, encounterId: string): Promise<AlertThread> {
    const staff = requireStaff(actor, { doing: 'see admission alerts' });
    const id = parse(ID, encounterId);
    return this.view(this.context.recordAs(staff), id);
  }

  /** The thread a follow-up step belongs to (the escalation's notification is about the Task); 404 if hidden. */
  async threadOfFollowUp(actor: Actor | undefined, taskId: string): Promise<AlertThread> {
    const staff = requireStaff(actor, { doing: 'see admission alerts' });
    const id = parse(ID, taskId);
    const record = this.context.recordAs(staff);
    const stored = await record.read('Task', id);
    const task = JSON.parse(stored.json ?? '{}') as Task;
    const encounter = task.focus?.reference;
    if (!task.code?.coding?.some((c) => c.system === FOLLOW_UP_SYSTEM) || !encounter?.startsWith('Encounter/')) {
      return notFound(`Task/${id} is not known`);
    }
    return this.view(record, encounter.slice('Encounter/'.length));
  }

  /** Marks a follow-up step done (with a note) as the reader: the store lets only the owning practice. */
  async complete(actor: Actor | undefined, taskId: string, body: unknown): Promise<AlertThread> {
    const staff = requireStaff(actor, { doing: 'complete discharge follow-up' });
    const id = parse(ID, taskId);
    const input = parse(COMPLETE, body ?? {});
    const encounter = await this.context.unitOfWork(staff, async (uow) => {
      // The escalation job takes the same lock: a step is escalated or completed, never both at once.
      await uow.lock(`admission-follow-up:Task/${id}`);
      const stored = await uow.record.read('Task', id);
      const task = JSON.parse(stored.json ?? '{}') as Stored<Task>;
      if (!task.code?.coding?.some((c) => c.system === FOLLOW_UP_SYSTEM)) {
        notFound(`Task/${id} is not known`);
      }
      if (!(OPEN_STATUSES as readonly string[]).includes(task.status)) {
        conflict(`This follow-up is already ${task.status}`);
      }
      const now = this.now().toISOString();
      await uow.record.update(
        'Task',
        id,
        {
          ...task,
          status: 'completed',
          lastModified: now,
          executionPeriod: { ...task.executionPeriod, end: now },
          note: [
            ...(task.note ?? []),
            {
              authorReference: { reference: practitioner(staff) },
              time: now,
              text: input.note ? `Done: ${input.note}` : 'Done',
            },
          ],
        } satisfies Task,
        { ifMatch: stored.versionId },
      );
      return task.focus?.reference;
    });
    const encounterId = encounter?.startsWith('Encounter/') ? encounter.slice('Encounter/'.length) : undefined;
    if (!encounterId) {
      return notFound('This follow-up belongs to no visit');
    }
    return this.view(this.context.recordAs(staff), encounterId);
  }

  private async view(record: ResourceService, encounterId: string): Promise<AlertThread> {
    // First the visit itself: hidden and absent answer alike (404), and nothing else is read.
    const stored = await record.read('Encounter', encounterId);
    const encounter = JSON.parse(stored.json ?? '{}') as Stored<Encounter>;
    const patient = await readAs<Patient>(record, encounter.subject?.reference);
    if (!patient || patient.resourceType !== 'Patient') {
      return notFound(`Encounter/${encounterId} is not known`);
    }
    const about = `Encounter/${encounterId}`;
    const bundle = await record.search('Communication', [
      ['identifier', `${THREAD_IDENTIFIER_SYSTEM}|${about}`],
      ['_sort', 'sent'],
      ['_count', '100'],
    ]);
    const alerts = (bundle.entry ?? [])
      .filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'Communication')
      .map((e) => e.resource as Stored<Communication>);
    const now = this.now();
    // The checklist: per step, the latest Task (a cancelled discharge withdraws the open ones, and a
    // later discharge may request them again).
    const tasks = await record.search('Task', [
      ['focus', about],
      ['code', FOLLOW_UP_STEPS.map((step) => `${FOLLOW_UP_SYSTEM}|${step.code}`).join(',')],
      ['_sort', '-authored-on'],
      ['_count', '50'],
    ]);
    const latest = new Map<string, Stored<Task>>();
    for (const entry of tasks.entry ?? []) {
      const task = entry.resource as Stored<Task> | undefined;
      const code = task?.code?.coding?.find((c) => c.system === FOLLOW_UP_SYSTEM)?.code;
      if (task?.resourceType === 'Task' && entry.search?.mode !== 'include' && code && !latest.has(code)) {
        latest.set(code, task);
      }
    }
    const followUp = FOLLOW_UP_STEPS.flatMap((step) => {
      const task = latest.get(step.code);
      return task ? [followUpStep(task, now)] : [];
    });
    const hospital = await readAs<Organization>(record, encounter.serviceProvider?.reference);
    const practiceRef = patient.generalPractitioner?.find((g) => g.reference?.startsWith('Organization/'))?.reference;
    const practice = await readAs<Organization>(record, practiceRef);
    const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER)?.value;
    const last = encounter.location?.at(-1)?.location;
    const where = last?.display;
    return {
      encounter: {
        id: encounter.id,
        status: encounter.status,
        ...(encounter.class?.code ? { class: encounter.class.code } : {}),
        ...(encounter.period?.start ? { start: encounter.period.start } : {}),
        ...(encounter.period?.end ? { end: encounter.period.end } : {}),
        ...(hospital?.name ? { hospital: hospital.name } : {}),
        ...(where ? { where } : {}),
        cancelled: encounter.status === 'cancelled' || encounter.status === 'entered-in-error',
      },
      patient: {
        id: patient.id,
        name: patientName(patient),
        ...(nhsNumber ? { nhsNumber } : {}),
        ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
        ...(patient.gender ? { gender: patient.gender } : {}),
        ...(practice?.name ? { practice: practice.name } : {}),
      },
      alerts: alerts
        .map((c) => ({
          id: c.id,
          event: c.category?.flatMap((k) => k.coding ?? []).find((k) => k.system === ALERT_EVENT_SYSTEM)?.code ?? '',
          ...(c.sent ? { sent: c.sent } : {}),
          text: c.payload?.[0]?.contentString ?? '',
        }))
        .sort((a, b) => (a.sent ?? '').localeCompare(b.sent ?? '')),
      followUp,
      told: await this.told(record, alerts),
    };
  }

  /** Everyone told on the thread, each read as the reader may: a person they may not see is left out. */
  private async told(record: ResourceService, alerts: Communication[]): Promise<AlertThread['told']> {
    const references = [
      ...new Set(alerts.flatMap((c) => (c.recipient ?? []).map((r) => r.reference ?? '')).filter(Boolean)),
    ];
    const told: AlertThread['told'] = [];
    for (const reference of references) {
      const person = await readAs<Practitioner | RelatedPerson>(record, reference);
      if (!person || (person.resourceType !== 'Practitioner' && person.resourceType !== 'RelatedPerson')) {
        continue;
      }
      const kind = person.resourceType === 'Practitioner' ? 'staff' : 'carer';
      told.push({ reference, name: personName(person.name) ?? (kind === 'staff' ? 'A clinician' : 'A carer'), kind });
    }
    // Staff first, then carers; by name within each.
    return told.sort((a, b) => b.kind.localeCompare(a.kind) || a.name.localeCompare(b.name));
  }
}

const practitioner = (staff: StaffActor) => `Practitioner/${staff.practitionerId}`;
