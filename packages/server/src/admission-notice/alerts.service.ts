/**
 * Admission alerts (issue 12): when a visit is admitted, attends A&E, moves or is discharged, the
 * people involved in the patient's care are told — each through the notifications service, which
 * checks with the recipient's own view that they may see the patient and the Encounter, and honours
 * their channels, digest and quiet hours — and the occasion is kept as one alert `Communication` in
 * the visit's thread. A discharge from an inpatient stay starts the practice's follow-up Tasks.
 */
import type { Communication, Encounter, Organization, Patient, Task } from '@medplum/fhirtypes';
import type { StaffActor } from '../access/actor.ts';
import type { Queryable } from '../db/database.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { NotificationService, NotifyInput } from '../notifications/index.ts';
import { alertCommunication, patientName, priorityOf, recordId, smsFor, wordsFor } from './alert.ts';
import { escalated, FOLLOW_UP_STEPS, FOLLOW_UP_SYSTEM, followUpTasks, isOverdue, OPEN_STATUSES } from './follow-up.ts';
import {
  careTeamMembers,
  involvedIn,
  practiceGps,
  registeredPractices,
  type Candidate,
  type NotTold,
} from './involved.ts';
import { alertClass, occasionTime, type AlertOccasion } from './occasion.ts';

export const ALERT_KIND = 'admission-notice';
export const FOLLOW_UP_KIND = 'admission-follow-up';

/** What one occasion came to (returned for tests and the log). */
export interface AlertOutcome {
  communication: string;
  told: string[];
  notTold: NotTold[];
  tasks: string[];
  repeated?: true;
}

type Stored<T> = T & { id: string };

async function readJson<T>(store: ResourceService, reference: string | undefined): Promise<Stored<T> | undefined> {
  const [type, id, extra] = (reference ?? '').split('/');
  if (!type || !id || extra !== undefined) {
    return undefined;
  }
  try {
    return JSON.parse((await store.read(type, id)).json ?? '{}') as Stored<T>;
  } catch {
    return undefined;
  }
}

export class AdmissionAlerts {
  private readonly context: ModuleContext;
  private readonly notifications: NotificationService;
  private readonly now: () => Date;

  private readonly maxAgeMs: number;

  /** `maxAgeHours`: an occasion older than this is history (a load of old records), not news (H-154). */
  constructor(
    context: ModuleContext,
    notifications: NotificationService,
    options: { maxAgeHours: number; now?: () => Date },
  ) {
    this.context = context;
    this.notifications = notifications;
    this.maxAgeMs = options.maxAgeHours * 3_600_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Whether the occasion is recent enough to tell anyone about (an unknown time counts as now). */
  isCurrent(occasion: AlertOccasion, encounter: Encounter): boolean {
    const at = Date.parse(occasionTime(occasion, encounter) ?? '');
    return Number.isNaN(at) || this.now().getTime() - at <= this.maxAgeMs;
  }

  /**
   * Tells everyone involved about one occasion of a visit, once: a second run for the same occasion
   * (a retried reaction, a repeated message) finds the alert and does nothing. All in one
   * transaction, so a failure tells nobody and the retry tells everyone.
   */
  async alert(
    encounter: Stored<Encounter>,
    occasion: AlertOccasion,
    options: { inboxOnly?: boolean } = {},
  ): Promise<AlertOutcome | undefined> {
    const about = `Encounter/${encounter.id}`;
    if (!this.isCurrent(occasion, encounter)) {
      this.context.log.info({ about, occasion: occasion.key }, 'admission alert: too old to tell anyone (history)');
      return undefined;
    }
    return this.context.unitOfWork(this.context.systemActor, async (uow) => {
      await uow.lock(`admission-alert:${about}`);
      const store = uow.system();
      // The visit's first alert has the id of its thread; each later one an id of its own occasion.
      const thread = await readJson<Communication>(store, `Communication/${recordId(about, 'thread')}`);
      const id = recordId(about, thread ? occasion.key : 'thread');
      const done =
        thread?.identifier?.[0]?.value === `${about}/${occasion.key}`
          ? thread
          : thread && (await readJson<Communication>(store, `Communication/${id}`));
      if (done) {
        return { communication: `Communication/${done.id}`, told: [], notTold: [], tasks: [], repeated: true };
      }
      const patient = await readJson<Patient>(store, encounter.subject?.reference);
      if (!patient || patient.resourceType !== 'Patient') {
        this.context.log.warn({ about }, 'admission alert: the Encounter names no Patient in the record');
        return undefined;
      }
      const now = this.now();
      // Later occasions go to whoever was told of the first (the same thread); the first to everyone involved.
      const involved = thread
        ? { candidates: (thread.recipient ?? []).map((r) => ({ reference: r.reference!, roles: [] })), notTold: [] }
        : await involvedIn(store, patient, now);
      const hospital = await readJson<Organization>(store, encounter.serviceProvider?.reference);
      const words = wordsFor(occasion, patient, encounter, hospital?.name);
      const results = await this.notifications.notifyMany(
        involved.candidates.map((c: Candidate): NotifyInput => ({
          kind: ALERT_KIND,
          category: 'admission',
          priority: priorityOf(occasion.event),
          recipient: c.reference,
          subject: `Patient/${patient.id}`,
          about,
          ...words,
          smsText: smsFor(occasion.event, c.reference),
          idempotencyKey: `admission-alert:${about}:${occasion.key}:${c.reference}`,
        })),
        { tx: uow.tx, ...(options.inboxOnly ? { inboxOnly: true } : {}) },
      );
      const told = involved.candidates.filter((_, i) => results[i]!.status === 'sent').map((c) => c.reference);
      const notTold: NotTold[] = [
        ...involved.notTold,
        ...involved.candidates
          .filter((_, i) => results[i]!.status === 'refused')
          .map((c) => ({ reference: c.reference, reason: 'refused' as const })),
      ];
      const written = await store.update(
        'Communication',
        id,
        alertCommunication({
          id,
          encounter,
          occasion,
          text: words.text,
          told,
          notTold,
          sent: now,
          ...(thread ? { thread: `Communication/${thread.id}` } : {}),
        }),
      );
      const tasks =
        occasion.event === 'discharge' && alertClass(encounter) === 'IMP'
          ? await this.startFollowUp(store, encounter, patient, now)
          : [];
      this.context.log.info(
        { about, occasion: occasion.key, told: told.length, notTold: notTold.length },
        'admission alert',
      );
      return { communication: `Communication/${written.resource.id!}`, told, notTold, tasks };
    });
  }

  /**
   * The practice's follow-up Tasks, once per Encounter and step. Only when a clinician of the practice
   * may see the Encounter: a checklist that names a stay the practice may not see would reveal it (H-152).
   */
  private async startFollowUp(
    store: ResourceService,
    encounter: Stored<Encounter>,
    patient: Stored<Patient>,
    now: Date,
  ): Promise<string[]> {
    const practice = registeredPractices(patient)[0];
    const discharged = encounter.period?.end;
    if (!practice || !discharged) {
      return [];
    }
    if (!(await this.notifications.canSee(store, this.practiceClinician(practice), [`Encounter/${encounter.id}`]))) {
      this.context.log.warn(
        { encounter: encounter.id, practice },
        'follow-up not started: the practice may not see the stay',
      );
      return [];
    }
    const written: string[] = [];
    for (const task of followUpTasks(encounter, practice, discharged, now)) {
      // Written once: a Task already there (perhaps done by now) is never reset.
      if (!(await readJson<Task>(store, `Task/${task.id!}`))) {
        await store.update('Task', task.id!, task);
      }
      written.push(`Task/${task.id!}`);
    }
    return written;
  }

  /** How a GP of the practice would see the record (a view to check, not to read for anyone). */
  private practiceClinician(practice: string): StaffActor {
    return {
      kind: 'staff',
      userId: `module:${this.context.name}:practice-view`,
      practitionerId: `${this.context.name}-practice-view`,
      organizationId: practice.slice('Organization/'.length),
      organizationType: 'gp-practice',
      roleCode: 'R8000',
      scopes: ['user/*.rs'],
    };
  }

  /**
   * Escalates every overdue open follow-up Task, once: priority `urgent` and a business status, and
   * an urgent notification to the practice's GPs and the patient's care coordinator(s). Returns how
   * many were escalated. Run by the scheduled job (Europe/London).
   */
  async escalateOverdue(): Promise<number> {
    const now = this.now();
    let count = 0;
    for (const task of await this.overdueCandidates(now)) {
      const done = await this.context.unitOfWork(this.context.systemActor, async (uow) => {
        await uow.lock(`admission-follow-up:Task/${task.id}`);
        const store = uow.system();
        const current = await readJson<Task>(store, `Task/${task.id}`);
        if (!current || !isOverdue(current, now)) {
          return false;
        }
        await store.update('Task', current.id, escalated(current, now));
        const patient = await readJson<Patient>(store, current.for?.reference);
        if (patient) {
          await this.notifyEscalation(uow.tx, store, current, patient, now);
        }
        return true;
      });
      count += done ? 1 : 0;
    }
    return count;
  }

  private async overdueCandidates(now: Date): Promise<Stored<Task>[]> {
    // Escalated Tasks are urgent and drop out, so what is scanned is the open routine follow-ups (at
    // most about two weeks of discharges not yet done), oldest first.
    const bundle = await this.context.system.search('Task', [
      ['code', FOLLOW_UP_STEPS.map((s) => `${FOLLOW_UP_SYSTEM}|${s.code}`).join(',')],
      ['status', OPEN_STATUSES.join(',')],
      ['priority', 'routine'],
      ['_sort', 'authored-on'],
      ['_count', '1000'],
    ]);
    return (bundle.entry ?? []).map((e) => e.resource as Stored<Task>).filter((task) => isOverdue(task, now));
  }

  private async notifyEscalation(
    tx: Queryable,
    store: ResourceService,
    task: Stored<Task>,
    patient: Stored<Patient>,
    now: Date,
  ): Promise<void> {
    const owner = task.owner?.reference;
    const gps = owner?.startsWith('Organization/') ? await practiceGps(store, owner) : [];
    const team = await careTeamMembers(store, patient.id, now);
    const coordinators = team.candidates.filter((c) => c.roles.includes('care-coordinator')).map((c) => c.reference);
    const recipients = [...new Set([...gps, ...coordinators])];
    const step = task.code?.text ?? 'A follow-up after discharge';
    const who = patientName(patient);
    await this.notifications.notifyMany(
      recipients.map((recipient) => ({
        kind: FOLLOW_UP_KIND,
        category: 'admission',
        priority: 'urgent',
        recipient,
        subject: `Patient/${patient.id}`,
        about: `Task/${task.id}`,
        title: `Overdue after discharge: ${who}`,
        text: `${step} for ${who} was due ${task.restriction?.period?.end?.slice(0, 10) ?? ''} and is not done.`,
        smsText: 'CareWeave: a follow-up after a hospital discharge is overdue. Sign in to see it.',
        idempotencyKey: `admission-follow-up-overdue:Task/${task.id}:${recipient}`,
      })),
      { tx },
    );
  }
}
