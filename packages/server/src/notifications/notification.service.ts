import { randomUUID } from 'node:crypto';
import type { Communication, Patient, Resource } from '@medplum/fhirtypes';
import type { FastifyBaseLogger } from 'fastify';
import type { Actor, SystemActor } from '../access/actor.ts';
import type { Database, Queryable } from '../db/database.ts';
import { badRequest } from '../fhir/outcome.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import { ResourceService } from '../fhir/store/resource.service.ts';
import type { SmsService } from '../gateways/sms/index.ts';
import type { BatchFailures, JobQueue, RunningJob } from '../jobs/queue.ts';
import { inQuietHours, londonDay, nextLondonTime, reachedToday } from './london-time.ts';
import {
  NotificationRepository,
  type DeliveryInsert,
  type DeliveryOutcome,
  type DeliveryRow,
  type DeliveryStatus,
  type NotificationInsert,
} from './notification.repository.ts';
import { choiceFor } from './preferences.ts';
import {
  canSeeAll,
  RECIPIENT,
  resolveRecipient,
  resolveRecipients,
  unauditedAccess,
  type Recipient,
} from './recipients.ts';
import { emailBody, emailSubject, identifyingWords, smsText } from './texts.ts';
import {
  CATEGORIES,
  categoryDisplay,
  NOTIFICATION_CATEGORY_SYSTEM,
  NOTIFICATION_KIND_SYSTEM,
  type Channel,
  type NotificationKind,
  type NotifyInput,
  type NotifyOptions,
  type NotifyResult,
  type OutboundChannel,
} from './types.ts';

export const DELIVER_QUEUE = 'notifications.deliver';
/** Deliveries one job run takes, in one transaction. */
export const DELIVER_BATCH = 50;
export const DIGEST_QUEUE = 'notifications.digest';
const REFERENCE = /^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9.-]{1,64}$/;
/** Communications written per writeMany call. */
const WRITE_BATCH = 500;
/** Ids per `_id` search (the store's largest page). */
const READ_BATCH = 100;
const KIND = /^[a-z][a-z0-9-]{1,62}$/;

/** The e-mail module's service, as this module uses it (src/gateways/email/, when installed). */
export interface EmailSender {
  send(email: { to: string; subject: string; text: string }, options?: { tx?: Queryable }): Promise<unknown>;
}

export interface NotificationDeps {
  db: Database;
  /** The whole record, unrestricted: its options, and reads that are not anyone's view. */
  system: ResourceService;
  accessFor(actor: Actor): CallerAccess;
  /** `module:notifications`: the Communications are written, and audited, as it. */
  systemActor: SystemActor;
  jobs: JobQueue;
  sms(): SmsService;
  /** The e-mail service, or undefined when no module provides one. */
  email(): EmailSender | undefined;
  baseUrl: string;
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
  now?: () => Date;
}

interface Outgoing {
  index: number;
  id: string;
  input: NotifyInput;
  kind: NotificationKind;
  recipient: Recipient;
  patient: Patient | undefined;
  patientId: string | null;
}

interface DeliverJob {
  notificationId: string;
  channel: OutboundChannel;
}

/**
 * Tells a person something (docs/NOTIFICATIONS.md): a Communication in the record, an inbox item,
 * and — as the person chose for the kind — a text message and an e-mail that say only that there is
 * something to see. Nobody is told about a patient they may not see.
 */
export class NotificationService {
  private readonly deps: NotificationDeps;
  private readonly kinds = new Map<string, NotificationKind>();

  constructor(deps: NotificationDeps) {
    this.deps = deps;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Declares a kind of notification a module sends (at set-up), with its default channels. */
  registerKind(kind: NotificationKind): void {
    if (!KIND.test(kind.kind)) {
      throw new Error(`Notification kind '${kind.kind}' must be kebab-case`);
    }
    if (this.kinds.has(kind.kind)) {
      throw new Error(`Notification kind '${kind.kind}' is already registered`);
    }
    if (!kind.defaultChannels.includes('inbox')) {
      throw new Error(`Notification kind '${kind.kind}': the inbox is always on`);
    }
    this.kinds.set(kind.kind, kind);
  }

  /** Every kind, in the order they were registered. */
  listKinds(): NotificationKind[] {
    return [...this.kinds.values()];
  }

  knownKinds(): ReadonlyMap<string, NotificationKind> {
    return this.kinds;
  }

  /**
   * Notifies one person. Checks, as the recipient, that they may see the subject and what it is
   * about; if not, sends nothing at all and records the refusal (returned, logged, kept without its
   * words). Otherwise writes the Communication (as `module:notifications`), the inbox item and one
   * delivery per outside channel, each sent by a job (`singletonKey` per notification and channel),
   * deferred to the end of quiet hours when routine. With `tx`, all of it is in the caller's
   * transaction: a rollback tells nobody.
   *
   * @example
   * await context.use('notifications').notify({
   *   kind: 'admission-notice', category: 'admission', priority: 'urgent', recipient: 'Practitioner/gp1',
   *   subject: 'Patient/p1', about: 'Encounter/e1', title: 'Admitted to hospital', text: '…',
   *   smsText: 'CareWeave: a patient of yours was admitted to hospital. Sign in to see who.',
   * });
   */
  async notify(input: NotifyInput, options: NotifyOptions = {}): Promise<NotifyResult> {
    const [result] = await this.notifyMany([input], options);
    return result!;
  }

  /**
   * `notify` for many at once (a fan-out: one event, many people), in one transaction with the
   * record written in batches: each input is judged, refused or sent exactly as `notify` would.
   */
  async notifyMany(inputs: readonly NotifyInput[], options: NotifyOptions = {}): Promise<NotifyResult[]> {
    const kinds = inputs.map((input) => this.checkInput(input));
    const work = (tx: Queryable): Promise<NotifyResult[]> =>
      this.notifyBatch(tx, inputs, kinds, options.inboxOnly === true);
    return options.tx ? work(options.tx) : this.deps.db.transaction(work);
  }

  private checkInput(input: NotifyInput): NotificationKind {
    const kind = this.kinds.get(input.kind);
    if (!kind) {
      return badRequest(`'${input.kind}' is not a registered kind of notification`, ['kind']);
    }
    if (!Object.hasOwn(CATEGORIES, input.category)) {
      return badRequest(`'${input.category}' is not a notification category`, ['category']);
    }
    if (input.priority !== 'routine' && input.priority !== 'urgent') {
      return badRequest('priority must be routine or urgent', ['priority']);
    }
    if (!RECIPIENT.test(input.recipient)) {
      return badRequest('recipient must be Practitioner/…, Patient/… or RelatedPerson/…', ['recipient']);
    }
    if (input.subject !== undefined && !/^Patient\/[A-Za-z0-9.-]{1,64}$/.test(input.subject)) {
      return badRequest('subject must be Patient/…', ['subject']);
    }
    if (input.about !== undefined && !REFERENCE.test(input.about)) {
      return badRequest('about must be a reference Type/id', ['about']);
    }
    if (!input.title.trim() || input.title.length > 200 || !input.text.trim() || input.text.length > 10_000) {
      return badRequest('A notification needs a title (≤ 200 characters) and a text (≤ 10,000)', ['title', 'text']);
    }
    return kind;
  }

  private async notifyBatch(
    tx: Queryable,
    inputs: readonly NotifyInput[],
    kinds: readonly NotificationKind[],
    inboxOnly: boolean,
  ): Promise<NotifyResult[]> {
    const store = new ResourceService(tx, this.deps.system.options, undefined, true);
    const repository = new NotificationRepository(tx);
    const results: NotifyResult[] = new Array<NotifyResult>(inputs.length);
    const todo: number[] = [];
    const keyed = await repository.findByKeys(inputs.flatMap((input) => input.idempotencyKey ?? []));
    for (const [i, input] of inputs.entries()) {
      const earlier = input.idempotencyKey ? keyed.get(input.idempotencyKey) : undefined;
      if (earlier) {
        results[i] =
          earlier.status === 'sent'
            ? {
                status: 'sent',
                id: earlier.id,
                communication: `Communication/${earlier.id}`,
                channels: [],
                repeated: true,
              }
            : { status: 'refused', id: earlier.id, reason: earlier.reason ?? '', repeated: true };
      } else {
        todo.push(i);
      }
    }
    // What each is about, and the patient it is labelled with: the subject, else the patient of `about`.
    const abouts = await readMany(
      store,
      todo.map((i) => inputs[i]!.about),
    );
    const subjects = new Map(
      todo.map((i) => [
        i,
        inputs[i]!.subject ?? patientReferenceOf(abouts.get(inputs[i]!.about ?? ''), inputs[i]!.about),
      ]),
    );
    const patients = await readMany(store, [...subjects.values()]);
    // Who each is for, and what they may see now.
    const recipients = await resolveRecipients(
      tx,
      (references) => readMany(store, references),
      todo.map((i) => inputs[i]!.recipient),
    );
    const visible = new Map<string, Set<string>>();
    for (const [reference, recipient] of recipients) {
      if (recipient.actor) {
        const mine = todo.filter((i) => inputs[i]!.recipient === reference);
        const references = mine.flatMap((i) => [subjects.get(i), inputs[i]!.about]).filter((r): r is string => !!r);
        visible.set(reference, await this.visibleOf(store, recipient.actor, references));
      }
    }
    const sentAt = this.now();
    const rows: NotificationInsert[] = [];
    const communications: Communication[] = [];
    const sent: Outgoing[] = [];
    for (const i of todo) {
      const input = inputs[i]!;
      const subject = subjects.get(i);
      const recipient = recipients.get(input.recipient)!;
      const seen = visible.get(input.recipient);
      const refusal = !recipient.actor
        ? `the recipient's access cannot be established: ${recipient.why}`
        : [subject, input.about].some((r) => r && !seen?.has(r))
          ? 'the recipient may not see the patient or what the notification is about'
          : undefined;
      const id = randomUUID();
      const row = {
        id,
        kind: input.kind,
        category: input.category as string,
        priority: input.priority,
        recipient: input.recipient,
        patientId: subject?.slice('Patient/'.length) ?? null,
        subject: subject ?? null,
        about: input.about ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        sentAt,
      };
      if (refusal) {
        rows.push({
          ...row,
          status: 'refused',
          reason: refusal,
          subjectDisplay: null,
          aboutDisplay: null,
          title: null,
          body: null,
        });
        results[i] = { status: 'refused', id, reason: refusal };
        this.deps.log.warn(
          { notification: id, kind: input.kind, recipient: input.recipient, reason: refusal },
          'notification refused',
        );
        continue;
      }
      const patient = subject ? (patients.get(subject) as Patient | undefined) : undefined;
      const about = input.about ? abouts.get(input.about) : undefined;
      rows.push({
        ...row,
        status: 'sent',
        reason: null,
        subjectDisplay: patient ? displayOf(patient) : null,
        aboutDisplay: about ? displayOf(about) : null,
        title: input.title,
        body: input.text,
      });
      communications.push(communication(id, input, subject, sentAt));
      sent.push({ index: i, id, input, kind: kinds[i]!, recipient, patient, patientId: row.patientId });
    }
    await repository.insertMany(rows);
    const channels = inboxOnly
      ? new Map<string, Channel[]>()
      : await this.queueDeliveries(tx, repository, sent, sentAt);
    for (const n of sent) {
      results[n.index] = {
        status: 'sent',
        id: n.id,
        communication: `Communication/${n.id}`,
        channels: channels.get(n.id) ?? ['inbox'],
      };
    }
    // The record last: its audit row takes the audit trail's chain lock, held until the commit.
    const audited = store.forCaller(this.deps.accessFor(this.deps.systemActor));
    for (let at = 0; at < communications.length; at += WRITE_BATCH) {
      const batch = communications.slice(at, at + WRITE_BATCH);
      await audited.writeMany(batch.map((resource) => ({ resource, method: 'create' as const })));
    }
    return results;
  }

  /** The subset of `references` the actor may see now (searched through their view, unaudited). */
  private async visibleOf(store: ResourceService, actor: Actor, references: readonly string[]): Promise<Set<string>> {
    const view = store.forCaller(unauditedAccess(this.deps.accessFor(actor)));
    return new Set((await readMany(view, references)).keys());
  }

  private async queueDeliveries(
    tx: Queryable,
    repository: NotificationRepository,
    sent: readonly Outgoing[],
    sentAt: Date,
  ): Promise<Map<string, Channel[]>> {
    const preferences = await repository.preferencesOf([...new Set(sent.map((n) => n.input.recipient))]);
    const deliveries: DeliveryInsert[] = [];
    const jobs: { data: DeliverJob; startAfter?: Date; singletonKey: string }[] = [];
    const channels = new Map<string, Channel[]>();
    for (const n of sent) {
      const chosen = preferences.get(n.input.recipient)!;
      const choice = choiceFor(chosen, n.kind);
      const identifying = identifyingWords(n.patient);
      const queued: Channel[] = ['inbox'];
      for (const channel of ['sms', 'email'] as const) {
        if (!choice.channels.includes(channel)) {
          continue;
        }
        const address = channel === 'sms' ? (chosen.phone ?? n.recipient.phone) : (chosen.email ?? n.recipient.email);
        const actor = n.recipient.actor;
        const row = {
          notificationId: n.id,
          channel,
          address: address ?? null,
          message:
            channel === 'sms'
              ? smsText(n.input.smsText, n.input.priority, identifying)
              : emailSubject(n.input.emailSubject, identifying),
          patientId: n.patientId,
          organizationId: actor?.kind === 'staff' ? actor.organizationId : null,
        };
        if (!address) {
          const detail = channel === 'sms' ? 'no mobile number' : 'no e-mail address';
          deliveries.push({ ...row, status: 'skipped', deliverAfter: null, detail });
          continue;
        }
        queued.push(channel);
        if (choice.delivery === 'digest') {
          deliveries.push({ ...row, status: 'digest', deliverAfter: null, detail: null });
          continue;
        }
        // Quiet hours hold routine texts and e-mails until they end; urgent ones go at once
        // (docs/CLINICAL-SAFETY.md).
        const deferred = n.input.priority === 'routine' && inQuietHours(sentAt, chosen.quietHours);
        const startAfter = deferred ? nextLondonTime(sentAt, chosen.quietHours!.end) : undefined;
        deliveries.push({ ...row, status: 'pending', deliverAfter: startAfter ?? null, detail: null });
        jobs.push({
          data: { notificationId: n.id, channel },
          ...(startAfter ? { startAfter } : {}),
          singletonKey: `${n.id}:${channel}`,
        });
      }
      channels.set(n.id, queued);
    }
    await repository.insertDeliveries(deliveries);
    await this.deps.jobs.sendMany(DELIVER_QUEUE, jobs, { tx });
    return channels;
  }

  /** Whether `actor` may see every reference now, by the access rules, without auditing it as theirs. */
  async canSee(store: ResourceService, actor: Actor, references: readonly (string | undefined)[]): Promise<boolean> {
    return canSeeAll(store.forCaller(unauditedAccess(this.deps.accessFor(actor))), references);
  }

  /**
   * The delivery jobs, a batch at a time in one transaction: takes the deliveries (once, whichever
   * instance runs them), and hands the texts and e-mails to their modules in the same transaction.
   * A delivery held for quiet hours checks again that the recipient may still see what it is about.
   */
  async deliver(jobs: readonly RunningJob<DeliverJob>[]): Promise<BatchFailures> {
    await this.deps.db.transaction(async (tx) => {
      const repository = new NotificationRepository(tx);
      // Not claimed: sent already, by another instance or an earlier attempt.
      const claimed = await repository.claim(jobs.map((job) => job.data));
      const outcomes: DeliveryOutcome[] = [];
      const due: DeliveryRow[] = [];
      for (const delivery of claimed) {
        if (delivery.deliverAfter && !(await this.stillVisible(tx, delivery.notificationId))) {
          outcomes.push(outcome(delivery, 'skipped', 'the recipient may no longer see what it is about'));
        } else {
          due.push(delivery);
        }
      }
      outcomes.push(
        ...(await this.sendTexts(
          tx,
          due.filter((d) => d.channel === 'sms'),
        )),
      );
      for (const delivery of due.filter((d) => d.channel === 'email')) {
        outcomes.push(await this.sendEmail(tx, delivery));
      }
      await repository.settle(outcomes);
    });
    return new Map();
  }

  private async stillVisible(tx: Queryable, notificationId: string): Promise<boolean> {
    const store = new ResourceService(tx, this.deps.system.options, undefined, true);
    const row = await new NotificationRepository(tx).find(notificationId);
    if (!row) {
      return false;
    }
    const recipient = await resolveRecipient(tx, store, row.recipient);
    return (
      !!recipient.actor &&
      (await this.canSee(store, recipient.actor, [row.subject ?? undefined, row.about ?? undefined]))
    );
  }

  private async sendTexts(tx: Queryable, deliveries: readonly DeliveryRow[]): Promise<DeliveryOutcome[]> {
    const queued = await this.deps.sms().queueMany(
      deliveries.map((delivery) => ({
        to: delivery.address!,
        body: delivery.message!,
        reference: `Communication/${delivery.notificationId}`,
        ...(delivery.organizationId ? { senderOrganizationId: delivery.organizationId } : {}),
      })),
      { tx },
    );
    return deliveries.map((delivery, i) => {
      const sms = queued[i]!;
      if ('invalid' in sms) {
        return outcome(delivery, 'failed', sms.invalid);
      }
      return sms.message.status === 'failed'
        ? outcome(delivery, 'failed', sms.message.error)
        : outcome(delivery, 'sent', `sms_message ${sms.message.id}`);
    });
  }

  private async sendEmail(tx: Queryable, delivery: DeliveryRow): Promise<DeliveryOutcome> {
    const email = this.deps.email();
    if (!email) {
      this.deps.log.warn({ notification: delivery.notificationId }, 'e-mail not sent: no e-mail module is installed');
      return outcome(delivery, 'skipped', 'no e-mail module is installed');
    }
    await email.send({ to: delivery.address!, subject: delivery.message!, text: emailBody(this.deps.baseUrl) }, { tx });
    return outcome(delivery, 'sent', null);
  }

  /**
   * The digest schedule (every 15 minutes): for each person and channel with waiting deliveries
   * whose digest time (Europe/London) has come today, one text or e-mail with the counts by category,
   * once per day across every instance.
   */
  async sendDueDigests(now = this.now()): Promise<number> {
    const waiting = await new NotificationRepository(this.deps.db).waitingForDigest();
    const groups = new Map<string, typeof waiting>();
    for (const row of waiting) {
      const key = `${row.recipient}|${row.channel}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    let sent = 0;
    for (const rows of groups.values()) {
      const { recipient, channel } = rows[0]!;
      const preferences = await new NotificationRepository(this.deps.db).preferences(recipient);
      if (!reachedToday(now, preferences.digestTime)) {
        continue;
      }
      const day = londonDay(now);
      const done = await this.deps.db.transaction(async (tx) => {
        const repository = new NotificationRepository(tx);
        if (!(await repository.claimDigest(recipient, channel, day, rows.length))) {
          return false;
        }
        const address = (channel === 'sms' ? preferences.phone : preferences.email) ?? rows[0]!.address!;
        const text = digestText(rows.map((r) => r.category));
        if (channel === 'sms') {
          const organization = rows[0]!.organizationId;
          await this.deps.sms().queueSms(
            {
              to: address,
              body: `CareWeave: ${text} Sign in to see them.`,
              ...(organization ? { senderOrganizationId: organization } : {}),
            },
            { tx },
          );
        } else {
          const email = this.deps.email();
          if (!email) {
            this.deps.log.warn({ recipient }, 'digest e-mail not sent: no e-mail module is installed');
            return false;
          }
          await email.send(
            {
              to: address,
              subject: 'Your CareWeave notifications',
              text: `${text}\n\n${emailBody(this.deps.baseUrl)}`,
            },
            { tx },
          );
        }
        await repository.settleDigested(
          rows.map((r) => r.notificationId),
          channel,
          `in the digest of ${day}`,
        );
        return true;
      });
      sent += done ? 1 : 0;
    }
    return sent;
  }
}

function outcome(delivery: DeliveryRow, status: DeliveryStatus, detail: string | null): DeliveryOutcome {
  return { notificationId: delivery.notificationId, channel: delivery.channel, status, detail };
}

/** "3 new notifications (2 Result, 1 Referral)." — counts only, never who or what. */
export function digestText(categories: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of categories) {
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const parts = [...counts.entries()].map(([c, n]) => `${n} ${categoryDisplay(c).toLowerCase()}`);
  const n = categories.length;
  return `${n} new notification${n === 1 ? '' : 's'} (${parts.join(', ')}).`;
}

function communication(id: string, input: NotifyInput, subject: string | undefined, sent: Date): Communication {
  return {
    resourceType: 'Communication',
    id,
    meta: { tag: [{ system: NOTIFICATION_KIND_SYSTEM, code: input.kind }] },
    status: 'completed',
    category: [
      {
        coding: [
          { system: NOTIFICATION_CATEGORY_SYSTEM, code: input.category, display: categoryDisplay(input.category) },
        ],
      },
    ],
    priority: input.priority,
    ...(subject ? { subject: { reference: subject } } : {}),
    recipient: [{ reference: input.recipient }],
    ...(input.about ? { about: [{ reference: input.about }] } : {}),
    topic: { text: input.title },
    payload: [{ contentString: input.text }],
    sent: sent.toISOString(),
  };
}

/** The resources among `references` that `store` shows, by reference (`_id` searches, by type). */
async function readMany(
  store: ResourceService,
  references: readonly (string | undefined)[],
): Promise<Map<string, Resource>> {
  const byType = new Map<string, Set<string>>();
  for (const reference of references) {
    const [type, id] = reference?.split('/') ?? [];
    if (type && id) {
      byType.set(type, (byType.get(type) ?? new Set()).add(id));
    }
  }
  const found = new Map<string, Resource>();
  for (const [type, ids] of byType) {
    const list = [...ids];
    for (let at = 0; at < list.length; at += READ_BATCH) {
      const chunk = list.slice(at, at + READ_BATCH);
      const bundle = await store.search(type, [
        ['_id', chunk.join(',')],
        ['_count', String(chunk.length)],
      ]);
      for (const entry of bundle.entry ?? []) {
        if (entry.resource?.id) {
          found.set(`${type}/${entry.resource.id}`, entry.resource);
        }
      }
    }
  }
  return found;
}

/** The Patient a resource belongs to (itself, or its subject / patient). */
function patientReferenceOf(resource: Resource | undefined, reference: string | undefined): string | undefined {
  if (reference?.startsWith('Patient/')) {
    return reference;
  }
  const r = resource as { subject?: { reference?: string }; patient?: { reference?: string } } | undefined;
  const found = /(?:^|\/)(Patient\/[A-Za-z0-9.-]{1,64})$/.exec(r?.subject?.reference ?? r?.patient?.reference ?? '');
  return found?.[1];
}

/** A short label: a person's name, else what the resource is. */
export function displayOf(resource: Resource): string {
  const r = resource as {
    name?: { text?: string; given?: string[]; family?: string }[];
    code?: { text?: string; coding?: { display?: string }[] };
    type?: { text?: string; coding?: { display?: string }[] }[];
    class?: { code?: string; display?: string };
    period?: { start?: string };
  };
  if (
    resource.resourceType === 'Patient' ||
    resource.resourceType === 'Practitioner' ||
    resource.resourceType === 'RelatedPerson'
  ) {
    const name = r.name?.[0];
    return name?.text ?? ([...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || resource.resourceType);
  }
  if (resource.resourceType === 'Encounter') {
    const what = r.class?.code === 'IMP' ? 'Hospital admission' : (r.class?.display ?? 'Encounter');
    return r.period?.start ? `${what} from ${r.period.start.slice(0, 10)}` : what;
  }
  return r.code?.text ?? r.code?.coding?.[0]?.display ?? r.type?.[0]?.text ?? resource.resourceType;
}
