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
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import type { NotificationService, NotifyInput } from '../notifications/index.ts';
import { alertCommunication, patientName, priorityOf, recordId, smsFor, wordsFor } from './alert.ts';
import {
  escalated,
  FOLLOW_UP_STEPS,
  FOLLOW_UP_SYSTEM,
  followUpTasks,
  isOverdue,
  OPEN_STATUSES,
  withdrawn,
  withdrawnByCancellation,
} from './follow-up.ts';
import {
  careTeamMembers,
  involvedInMany,
  practiceGps,
  readManyOf,
  registeredPractices,
  type Candidate,
  type Involved,
  type NotTold,
} from './involved.ts';
import { alertClass, CORRECTIONS, occasionTime, type AlertOccasion } from './occasion.ts';

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

/** One occasion of one visit, to alert. */
export interface AlertItem {
  encounter: Stored<Encounter>;
  occasion: AlertOccasion;
}

const ID = /^[A-Za-z0-9.-]{1,64}$/;

function idOfReference(reference: string | undefined, type: string): string | undefined {
  const [t, id, extra] = (reference ?? '').split('/');
  return t === type && id && extra === undefined && ID.test(id) ? id : undefined;
}

function patientIdOf(encounter: Encounter): string | undefined {
  return idOfReference(encounter.subject?.reference, 'Patient');
}

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
    const [outcome] = await this.alertMany([{ encounter, occasion }], options);
    return outcome;
  }

  /**
   * `alert` for several occasions at once (the admissions of one reaction batch), in one
   * transaction: each is told, refused, threaded and kept exactly as `alert` would, but what decides
   * who is involved is read with one search per kind for the whole batch, the people are judged in
   * one pass, and the alerts are written together. All or nothing: a failure tells nobody.
   */
  async alertMany(
    items: readonly AlertItem[],
    options: { inboxOnly?: boolean } = {},
  ): Promise<(AlertOutcome | undefined)[]> {
    const outcomes: (AlertOutcome | undefined)[] = items.map(() => undefined);
    const current = items.flatMap((item, index) => {
      if (this.isCurrent(item.occasion, item.encounter)) {
        return [{ ...item, index }];
      }
      const about = `Encounter/${item.encounter.id}`;
      this.context.log.info(
        { about, occasion: item.occasion.key },
        'admission alert: too old to tell anyone (history)',
      );
      return [];
    });
    if (!current.length) {
      return outcomes;
    }
    await this.context.unitOfWork(this.context.systemActor, async (uow) => {
      // The same locks as `uow.lock` (one per visit, in key order so batches cannot deadlock), in one statement.
      await uow.tx.queue(
        `select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest($1::text[]) with ordinality as u(k, n) order by n`,
        [[...new Set(current.map((item) => `admission-alert:Encounter/${item.encounter.id}`))].sort()],
      );
      // Two occasions of one visit in a batch (admitted, then moved): the later one threads onto the
      // earlier, so each round has one occasion per visit, in the order they came.
      for (let round = current; round.length;) {
        const seen = new Set<string>();
        const first: typeof current = [];
        const later: typeof current = [];
        for (const item of round) {
          (seen.has(item.encounter.id) ? later : first).push(item);
          seen.add(item.encounter.id);
        }
        const results = await this.alertRound(uow, first, options);
        first.forEach((item, i) => (outcomes[item.index] = results[i]));
        round = later;
      }
    });
    return outcomes;
  }

  /** One occasion per visit (alertMany's rounds). */
  private async alertRound(
    uow: UnitOfWork,
    given: readonly AlertItem[],
    options: { inboxOnly?: boolean },
  ): Promise<(AlertOutcome | undefined)[]> {
    const store = uow.system();
    const now = this.now();
    const aboutOf = (item: AlertItem) => `Encounter/${item.encounter.id}`;
    const items = await this.rekeyDischargesAfterCancellation(store, given);
    // The visit's first alert has the id of its thread; each later one an id of its own occasion.
    const threads = await readManyOf<Stored<Communication>>(
      store,
      'Communication',
      items.map((item) => recordId(aboutOf(item), 'thread')),
    );
    const threadOf = (item: AlertItem) => threads.get(recordId(aboutOf(item), 'thread'));
    const idOf = (item: AlertItem) => recordId(aboutOf(item), threadOf(item) ? item.occasion.key : 'thread');
    const earlier = await readManyOf<Stored<Communication>>(
      store,
      'Communication',
      items.filter((item) => threadOf(item)).map(idOf),
    );
    const patients = await readManyOf<Stored<Patient>>(
      store,
      'Patient',
      items.flatMap((item) => patientIdOf(item.encounter) ?? []),
    );
    const results: (AlertOutcome | undefined)[] = items.map(() => undefined);
    const todo: { item: AlertItem; at: number; patient: Stored<Patient>; thread?: Stored<Communication> }[] = [];
    items.forEach((item, at) => {
      const thread = threadOf(item);
      const done =
        thread?.identifier?.[0]?.value === `${aboutOf(item)}/${item.occasion.key}` ? thread : earlier.get(idOf(item));
      const patient = patients.get(patientIdOf(item.encounter) ?? '');
      if (done) {
        results[at] = { communication: `Communication/${done.id}`, told: [], notTold: [], tasks: [], repeated: true };
      } else if (!thread && CORRECTIONS.has(item.occasion.event)) {
        // Nobody was told of the visit (history, a visit begun elsewhere): there is nothing to correct.
        this.context.log.info(
          { about: aboutOf(item), occasion: item.occasion.key },
          'admission alert: no thread to correct',
        );
      } else if (!patient) {
        this.context.log.warn(
          { about: aboutOf(item) },
          'admission alert: the Encounter names no Patient in the record',
        );
      } else {
        todo.push({ item, at, patient, ...(thread ? { thread } : {}) });
      }
    });
    if (!todo.length) {
      return results;
    }
    // Later occasions go to whoever was told of the first (the same thread); the first to everyone involved.
    const firsts = await involvedInMany(
      store,
      todo.filter((t) => !t.thread).map((t) => t.patient),
      now,
    );
    const hospitals = await readManyOf<Stored<Organization>>(
      store,
      'Organization',
      todo.flatMap((t) => idOfReference(t.item.encounter.serviceProvider?.reference, 'Organization') ?? []),
    );
    const planned = todo.map((t) => {
      const involved: Involved = t.thread
        ? { candidates: (t.thread.recipient ?? []).map((r) => ({ reference: r.reference!, roles: [] })), notTold: [] }
        : firsts.get(t.patient.id)!;
      const hospital = hospitals.get(idOfReference(t.item.encounter.serviceProvider?.reference, 'Organization') ?? '');
      const words = wordsFor(t.item.occasion, t.patient, t.item.encounter, hospital?.name);
      return { ...t, involved, words };
    });
    const inputs = planned.flatMap((p) =>
      p.involved.candidates.map((c: Candidate): NotifyInput => {
        const about = aboutOf(p.item);
        return {
          kind: ALERT_KIND,
          category: 'admission',
          priority: priorityOf(p.item.occasion.event),
          recipient: c.reference,
          subject: `Patient/${p.patient.id}`,
          about,
          ...p.words,
          smsText: smsFor(p.item.occasion.event, c.reference),
          idempotencyKey: `admission-alert:${about}:${p.item.occasion.key}:${c.reference}`,
        };
      }),
    );
    const sent = await this.notifications.notifyMany(inputs, {
      tx: uow.tx,
      ...(options.inboxOnly ? { inboxOnly: true } : {}),
    });
    let offset = 0;
    const alerts: Communication[] = [];
    for (const p of planned) {
      const mine = sent.slice(offset, offset + p.involved.candidates.length);
      offset += p.involved.candidates.length;
      const told = p.involved.candidates.filter((_, i) => mine[i]!.status === 'sent').map((c) => c.reference);
      const notTold: NotTold[] = [
        ...p.involved.notTold,
        ...p.involved.candidates
          .filter((_, i) => mine[i]!.status === 'refused')
          .map((c) => ({ reference: c.reference, reason: 'refused' as const })),
      ];
      const id = idOf(p.item);
      alerts.push(
        alertCommunication({
          id,
          encounter: p.item.encounter,
          occasion: p.item.occasion,
          text: p.words.text,
          told,
          notTold,
          sent: now,
          ...(p.thread ? { thread: `Communication/${p.thread.id}` } : {}),
        }),
      );
      results[p.at] = { communication: `Communication/${id}`, told, notTold, tasks: [] };
      this.context.log.info(
        { about: aboutOf(p.item), occasion: p.item.occasion.key, told: told.length, notTold: notTold.length },
        'admission alert',
      );
    }
    await store.writeMany(alerts.map((resource) => ({ resource, method: 'update' as const })));
    for (const p of planned) {
      if (p.item.occasion.event === 'discharge' && alertClass(p.item.encounter) === 'IMP') {
        results[p.at]!.tasks = await this.startFollowUp(store, p.item.encounter, p.patient, now);
      } else if (p.item.occasion.event === 'discharge-cancelled') {
        results[p.at]!.tasks = await this.withdrawFollowUp(store, p.item.encounter, now);
      }
    }
    return results;
  }

  /**
   * A discharge of a visit whose earlier discharge at the same time was cancelled (A03, A13, A03 again)
   * is news again: it gets an occasion key of its own version, so it is told and not taken for a repeat.
   */
  private async rekeyDischargesAfterCancellation(
    store: ResourceService,
    items: readonly AlertItem[],
  ): Promise<AlertItem[]> {
    const cancellationOf = (item: AlertItem) =>
      recordId(`Encounter/${item.encounter.id}`, `discharge-cancelled:${item.encounter.period?.end ?? ''}`);
    const discharges = items.filter((item) => item.occasion.event === 'discharge');
    if (!discharges.length) {
      return [...items];
    }
    const cancelled = await readManyOf(store, 'Communication', discharges.map(cancellationOf));
    return items.map((item) =>
      item.occasion.event === 'discharge' && cancelled.has(cancellationOf(item))
        ? {
            ...item,
            occasion: { ...item.occasion, key: `${item.occasion.key}:v${item.encounter.meta?.versionId ?? ''}` },
          }
        : item,
    );
  }

  /** A13: the discharge follow-up Tasks still open are withdrawn (`cancelled`, saying why); done ones are kept. */
  private async withdrawFollowUp(store: ResourceService, encounter: Stored<Encounter>, now: Date): Promise<string[]> {
    const about = `Encounter/${encounter.id}`;
    const tasks = await readManyOf<Stored<Task>>(
      store,
      'Task',
      FOLLOW_UP_STEPS.map((step) => recordId(about, step.code)),
    );
    const changed = [...tasks.values()].flatMap((task) => withdrawn(task, now) ?? []);
    if (changed.length) {
      await store.writeMany(changed.map((resource) => ({ resource, method: 'update' as const })));
    }
    return changed.map((task) => `Task/${task.id!}`);
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
      // Written once: a Task already there (perhaps done by now) is never reset — unless its discharge
      // was cancelled (A13) and this is the visit's new discharge.
      const existing = await readJson<Task>(store, `Task/${task.id!}`);
      if (!existing || withdrawnByCancellation(existing)) {
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
