/**
 * Advice and guidance (docs/REFERRALS.md, "Advice and guidance"): a GP asks a provider's service a
 * question about a patient; the provider answers, asks for more, or proposes a referral, which the GP
 * accepts (a referral draft through the lifecycle, linked to the request) or declines.
 *
 * FHIR: the GP's `ServiceRequest` (category advice-and-guidance, `active` while open: the provider's
 * relationship with the patient, docs/ACCESS.md rule 3), the provider's `Task` (code advice-request,
 * owner the provider, `businessStatus` whose turn it is, `restriction.period.end` when the answer is
 * due, `output` the coded outcome and the referral) and the thread, one `Communication` per message
 * (`partOf` the Task, `basedOn` the request), each written by its author as themselves. The module's
 * system actor writes only what the caller may not: the provider's Task when the GP asks or replies.
 */
import type { Communication, HealthcareService, Patient, Practitioner, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Actor, StaffActor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import { conflict, fail } from '../../fhir/outcome.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import type { UnitOfWork } from '../../modules/unit-of-work.ts';
import { FHIR_PRIORITY, fromFhirPriority } from '../lifecycle/rules.ts';
import type { ReferralLifecycle } from '../lifecycle/referral.service.ts';
import {
  codeOf,
  concept,
  idIn,
  readAs,
  REFERRAL_SYSTEM,
  REFERRER_TAG_SYSTEM,
  searchAs,
  SPECIALTY_SYSTEM,
} from '../lifecycle/vocabulary.ts';
import type { ReferralsSettings } from '../settings.ts';
import {
  addWorkingDays,
  ADVICE_STATUSES,
  CLOSABLE_FROM,
  higherPriority,
  MESSAGE_KINDS,
  OUTCOMES,
  TRANSITIONS,
  type AdvicePriority,
  type AdviceStatus,
  type MessageKind,
  type Side,
} from './rules.ts';
import { CLOSE, MESSAGE, parse, REQUEST, type AttachmentInput, type MessageInput } from './schemas.ts';
import {
  adviceStatusOf,
  isAdviceTask,
  sideOf,
  summary,
  threadView,
  type AdviceSummary,
  type AdviceThread,
} from './thread.ts';
import {
  ADVICE_CATEGORY,
  ADVICE_MESSAGE_SYSTEM,
  ADVICE_OUTCOME_SYSTEM,
  ADVICE_STATUS_SYSTEM,
  ADVICE_TASK,
  ADVICE_TASK_CODE,
  OUTPUT,
} from './vocabulary.ts';

const practitioner = (staff: StaffActor) => `Practitioner/${staff.practitionerId}`;
const status = (s: AdviceStatus) => concept(ADVICE_STATUS_SYSTEM, s, ADVICE_STATUSES[s]);
const outputType = (code: string) => concept(REFERRAL_SYSTEM, code);

export class AdviceService {
  private readonly context: ModuleContext<ReferralsSettings>;
  private readonly lifecycle: Pick<ReferralLifecycle, 'draft'>;

  constructor(context: ModuleContext<ReferralsSettings>, lifecycle: Pick<ReferralLifecycle, 'draft'>) {
    this.context = context;
    this.lifecycle = lifecycle;
  }

  /** The GP asks `serviceId` a question about a patient they may see; answers the new thread. */
  async request(actor: Actor | undefined, body: unknown): Promise<AdviceThread> {
    const staff = requireStaff(actor, { doing: 'ask for advice and guidance' });
    const input = parse(REQUEST, body);
    const { resource: service } = await readAs<HealthcareService>(
      this.context.recordAs(staff),
      'HealthcareService',
      input.serviceId,
    );
    const provider = service.providedBy;
    if (!provider?.reference?.startsWith('Organization/') || service.active === false) {
      fail('business-rule', `${service.name ?? 'This service'} does not take advice requests`, ['serviceId']);
    }
    if (provider.reference === `Organization/${staff.organizationId}`) {
      fail('business-rule', 'Ask another organisation’s service: this one is your own', ['serviceId']);
    }
    const specialty = codeOf(service.specialty, SPECIALTY_SYSTEM);
    const sender = await this.senderName(staff);
    const taskId = await this.context.unitOfWork(staff, async (uow) => {
      const { resource: patient } = await readAs<Patient>(uow.record, 'Patient', input.patientId);
      const now = new Date();
      const request: ServiceRequest = {
        resourceType: 'ServiceRequest',
        meta: { tag: [{ system: REFERRER_TAG_SYSTEM, code: staff.organizationId }] },
        status: 'active',
        intent: 'order',
        priority: FHIR_PRIORITY[input.priority],
        category: [ADVICE_CATEGORY],
        ...(specialty ? { code: concept(SPECIALTY_SYSTEM, specialty) } : {}),
        subject: { reference: `Patient/${patient.id!}` },
        requester: { reference: practitioner(staff), display: sender },
        performer: [
          { reference: provider.reference!, ...(provider.display ? { display: provider.display } : {}) },
          { reference: `HealthcareService/${service.id!}`, ...(service.name ? { display: service.name } : {}) },
        ],
        authoredOn: now.toISOString(),
      };
      const sr = (await uow.record.create('ServiceRequest', request)).resource as ServiceRequest;
      // The provider's worklist item is its record, so its staff answer on it; the GP may not write
      // another organisation's record, so the module files it, after the GP's own write above.
      const task: Task = {
        resourceType: 'Task',
        meta: {
          source: provider.reference!,
          tag: [{ system: REFERRER_TAG_SYSTEM, code: staff.organizationId }],
        },
        status: 'requested',
        intent: 'order',
        priority: sr.priority ?? 'routine',
        code: ADVICE_TASK_CODE,
        businessStatus: status('awaiting-advice'),
        focus: { reference: `ServiceRequest/${sr.id!}` },
        for: { reference: `Patient/${patient.id!}` },
        authoredOn: now.toISOString(),
        requester: { reference: practitioner(staff), display: sender },
        owner: { reference: provider.reference!, ...(provider.display ? { display: provider.display } : {}) },
        restriction: { period: { start: now.toISOString(), end: this.due(now) } },
        input: [
          {
            type: outputType('service'),
            valueReference: {
              reference: `HealthcareService/${service.id!}`,
              ...(service.name ? { display: service.name } : {}),
            },
          },
          ...(specialty
            ? [{ type: outputType('specialty'), valueCodeableConcept: concept(SPECIALTY_SYSTEM, specialty) }]
            : []),
        ],
      };
      const created = (await uow.system().create('Task', task)).resource as Task;
      await this.post(uow, staff, created, 'request', { text: input.question, attachments: input.attachments }, sender);
      return created.id!;
    });
    return this.thread(staff, taskId);
  }

  /** The conversation, as the caller may see it (404 when hidden or not an advice request). */
  async get(actor: Actor | undefined, taskId: string): Promise<AdviceThread> {
    const staff = requireStaff(actor, { doing: 'read advice and guidance' });
    return this.thread(staff, taskId);
  }

  /** The caller's organisation's advice requests: asked (`requester`) or to answer (`provider`). */
  async list(
    actor: Actor | undefined,
    query: { side?: Side; open?: boolean } = {},
  ): Promise<{ side: Side; items: AdviceSummary[] }> {
    const staff = requireStaff(actor, { doing: 'see advice and guidance requests' });
    const side = query.side ?? (staff.organizationType === 'gp-practice' ? 'requester' : 'provider');
    return { side, items: await listAdvice(this.context.recordAs(staff), staff, side, query.open ?? true) };
  }

  /**
   * A message in the thread: the provider answers, asks for more information or proposes a referral;
   * the GP replies, or accepts or declines the proposal. Each kind only from the states it moves on
   * from (409 otherwise), and only by its side (403 for the other side, 404 for anyone else).
   */
  async message(actor: Actor | undefined, taskId: string, body: unknown): Promise<AdviceThread> {
    const staff = requireStaff(actor, { doing: 'write in an advice and guidance conversation' });
    const input = parse(MESSAGE, body);
    const sender = await this.senderName(staff);
    // Accepting makes the referral draft through the lifecycle first (its own transaction: the embedded
    // database has one connection), after checking the proposal is still open; the draft is linked below.
    const referral = input.kind === 'accept-referral' ? await this.convert(staff, taskId) : undefined;
    await this.context.unitOfWork(staff, async (uow) => {
      const { task, versionId, side } = await this.open(uow, staff, taskId);
      const move = TRANSITIONS[input.kind];
      this.check(side, move.by, move.from, adviceStatusOf(task), MESSAGE_KINDS[input.kind]);
      const now = new Date();
      const next = this.moved(task, move.to, side, now, input);
      if (referral) {
        await this.linkReferral(uow, task, referral);
        next.output = [...(next.output ?? []), ...closedOutputs('referral-made', referral)];
      }
      await this.write(uow, side, next, versionId);
      const posted = await this.post(uow, staff, task, input.kind, input, sender);
      if (move.to === 'closed') {
        // Closed: the provider no longer sees the patient (need to know), so there is no one to tell.
        await this.completeRequest(uow, task);
      } else {
        await this.tell(uow, task, side, input.kind, posted);
      }
    });
    return this.thread(staff, taskId);
  }

  /** The GP closes the conversation with its coded outcome (referral avoided, made, or other). */
  async close(actor: Actor | undefined, taskId: string, body: unknown): Promise<AdviceThread> {
    const staff = requireStaff(actor, { doing: 'close advice and guidance requests' });
    const input = parse(CLOSE, body);
    const sender = await this.senderName(staff);
    await this.context.unitOfWork(staff, async (uow) => {
      const { task, versionId, side } = await this.open(uow, staff, taskId);
      this.check(side, 'requester', CLOSABLE_FROM, adviceStatusOf(task), 'Closing');
      const now = new Date().toISOString();
      const next: Task = {
        ...task,
        status: 'completed',
        businessStatus: status('closed'),
        executionPeriod: { ...task.executionPeriod, end: now },
        output: [...(task.output ?? []), ...closedOutputs(input.outcome)],
      };
      await this.write(uow, side, next, versionId);
      const text = `${OUTCOMES[input.outcome]}${input.note ? `: ${input.note}` : ''}`;
      await this.post(uow, staff, task, 'close', { text, attachments: [] }, sender);
      await this.completeRequest(uow, task);
    });
    return this.thread(staff, taskId);
  }

  /**
   * One attachment of one message, for download: the caller must take part in the conversation and see
   * the message (404 otherwise); only the safe types are ever stored (the write check), and the file
   * name is reduced to plain characters.
   */
  async attachment(
    actor: Actor | undefined,
    taskId: string,
    messageId: string,
    index: number,
  ): Promise<{ contentType: string; filename: string; bytes: Buffer }> {
    const staff = requireStaff(actor, { doing: 'read advice and guidance' });
    await this.thread(staff, taskId);
    const { resource } = await readAs<Communication>(this.context.recordAs(staff), 'Communication', messageId);
    const attachment = resource.payload?.map((p) => p.contentAttachment).filter((a) => !!a)[index];
    if (
      !resource.partOf?.some((p) => p.reference === `Task/${taskId}`) ||
      !attachment?.data ||
      !attachment.contentType
    ) {
      fail('not-found', `No attachment ${index} on Communication/${messageId}`);
    }
    const filename = (attachment.title ?? `attachment-${index}`).replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 100);
    return { contentType: attachment.contentType, filename, bytes: Buffer.from(attachment.data, 'base64') };
  }

  /** The Task (an advice request the caller may see, locked) and the caller's side of it. */
  private async open(uow: UnitOfWork, staff: StaffActor, taskId: string) {
    await uow.lock(`referrals:advice:${taskId}`);
    const { resource: task, versionId } = await readAs<Task>(uow.record, 'Task', taskId);
    if (!isAdviceTask(task)) {
      fail('not-found', `Task/${taskId} is not an advice and guidance request`);
    }
    const side = sideOf(task, staff.organizationId);
    if (!side) {
      fail('forbidden', 'Only the practice that asked and the provider asked take part in this conversation');
    }
    return { task, versionId, side };
  }

  private check(side: Side, by: Side, from: readonly AdviceStatus[], now: AdviceStatus, doing: string): void {
    if (side !== by) {
      fail(
        'forbidden',
        `${doing}: only the ${by === 'provider' ? 'provider asked' : 'practice that asked'} may do this`,
      );
    }
    if (!from.includes(now)) {
      conflict(`${doing} is not possible now: the request is ${ADVICE_STATUSES[now].toLowerCase()}`);
    }
  }

  /** The Task after a message: its status, a new due time when the provider's turn begins, the first response. */
  private moved(task: Task, to: AdviceStatus, side: Side, now: Date, input: MessageInput): Task {
    const next: Task = {
      ...task,
      status: to === 'closed' ? 'completed' : side === 'provider' ? 'in-progress' : task.status,
      businessStatus: status(to),
    };
    if (to === 'awaiting-advice' && adviceStatusOf(task) !== 'awaiting-advice') {
      next.restriction = { period: { start: now.toISOString(), end: this.due(now) } };
    }
    if (side === 'provider' && !task.output?.some((o) => o.type?.coding?.[0]?.code === OUTPUT.firstResponse)) {
      next.output = [
        ...(task.output ?? []),
        { type: outputType(OUTPUT.firstResponse), valueDateTime: now.toISOString() },
      ];
    }
    if (input.kind === 'propose-referral') {
      next.input = [
        ...(task.input ?? []).filter((i) => i.type?.coding?.[0]?.code !== 'proposed-priority'),
        { type: outputType('proposed-priority'), valueCode: input.priority },
      ];
    }
    if (to === 'closed') {
      next.executionPeriod = { ...task.executionPeriod, end: now.toISOString() };
    }
    return next;
  }

  /** The provider writes its own Task; the GP's changes to it are the module's, after the GP's read. */
  private async write(uow: UnitOfWork, side: Side, task: Task, versionId: number): Promise<void> {
    const store = side === 'provider' ? uow.record : uow.system();
    await store.update('Task', task.id!, task, { ifMatch: versionId });
  }

  /** One message of the thread, written by its author as themselves (attachments checked on every path). */
  private async post(
    uow: UnitOfWork,
    staff: StaffActor,
    task: Task,
    kind: MessageKind,
    body: { text?: string | undefined; attachments: AttachmentInput[] },
    sender: string | undefined,
  ): Promise<Communication> {
    const fromProvider = task.owner?.reference === `Organization/${staff.organizationId}`;
    const message: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      category: [ADVICE_CATEGORY, concept(ADVICE_MESSAGE_SYSTEM, kind, MESSAGE_KINDS[kind])],
      partOf: [{ reference: `Task/${task.id!}` }],
      basedOn: [{ reference: task.focus!.reference! }],
      subject: { reference: task.for!.reference! },
      sender: { reference: practitioner(staff), ...(sender ? { display: sender } : {}) },
      recipient: [fromProvider ? { reference: task.requester!.reference! } : { reference: task.owner!.reference! }],
      sent: new Date().toISOString(),
      payload: [
        ...(body.text ? [{ contentString: body.text }] : []),
        ...body.attachments.map((a) => ({
          contentAttachment: {
            contentType: a.contentType,
            data: a.data,
            size: a.size ?? Buffer.from(a.data, 'base64').length,
            ...(a.title ? { title: a.title } : {}),
          },
        })),
      ],
    };
    return (await uow.record.create('Communication', message)).resource as Communication;
  }

  /**
   * Accepting a proposal: the referral draft, made by the GP through the lifecycle with the more urgent
   * of the request's and the proposal's priority and the provider's words (H-232). Checked first so
   * that a stale accept makes nothing.
   */
  private async convert(staff: StaffActor, taskId: string): Promise<string> {
    const record = this.context.recordAs(staff);
    const { resource: task } = await readAs<Task>(record, 'Task', taskId);
    if (!isAdviceTask(task)) {
      fail('not-found', `Task/${taskId} is not an advice and guidance request`);
    }
    const side = sideOf(task, staff.organizationId);
    if (!side) {
      fail('forbidden', 'Only the practice that asked and the provider asked take part in this conversation');
    }
    this.check(side, 'requester', ['conversion-proposed'], adviceStatusOf(task), 'Accepting the referral');
    const proposed = (task.input?.find((i) => i.type?.coding?.[0]?.code === 'proposed-priority')?.valueCode ??
      'routine') as AdvicePriority;
    const messages = await this.messages(record, taskId);
    const words = (kind: MessageKind) =>
      messages
        .filter((m) => codeOf(m.category, ADVICE_MESSAGE_SYSTEM) === kind)
        .map((m) => m.payload?.find((p) => p.contentString)?.contentString)
        .filter(Boolean)
        .join(' ');
    const draft = await this.lifecycle.draft(staff, {
      patientId: idIn(task.for?.reference, 'Patient'),
      specialty:
        codeOf(task.input?.find((i) => i.valueCodeableConcept)?.valueCodeableConcept, SPECIALTY_SYSTEM) ?? 'other',
      priority: higherPriority(fromFhirPriority(task.priority), proposed),
      reason:
        `After advice and guidance (${task.owner?.display ?? 'the provider'}): ${words('propose-referral')} Question: ${words('request')}`.slice(
          0,
          4000,
        ),
    });
    return draft.serviceRequest;
  }

  /** The referral draft is based on the advice request (the GP's own record, in this transaction). */
  private async linkReferral(uow: UnitOfWork, task: Task, referral: string): Promise<void> {
    const id = idIn(referral, 'ServiceRequest')!;
    const { resource, versionId } = await readAs<ServiceRequest>(uow.record, 'ServiceRequest', id);
    await uow.record.update(
      'ServiceRequest',
      id,
      { ...resource, basedOn: [...(resource.basedOn ?? []), { reference: task.focus!.reference! }] },
      { ifMatch: versionId },
    );
  }

  /** The GP's request completed: the provider's relationship from it ends (need to know). */
  private async completeRequest(uow: UnitOfWork, task: Task): Promise<void> {
    const id = idIn(task.focus?.reference, 'ServiceRequest')!;
    const { resource, versionId } = await readAs<ServiceRequest>(uow.record, 'ServiceRequest', id);
    await uow.record.update('ServiceRequest', id, { ...resource, status: 'completed' }, { ifMatch: versionId });
  }

  /**
   * Tells the other side a message arrived (in this transaction: a rolled-back message tells nobody):
   * the GP who asked, or the provider's clinician who last wrote in the thread (a new request is on
   * the provider's worklist for whoever picks it up).
   */
  private async tell(uow: UnitOfWork, task: Task, side: Side, kind: MessageKind, posted: Communication): Promise<void> {
    const recipient = side === 'provider' ? task.requester?.reference : await this.lastProviderAuthor(uow.record, task);
    if (!recipient) {
      return;
    }
    await this.context.use('notifications').notify(
      {
        kind: 'referrals-advice',
        category: 'referral',
        priority: task.priority === 'urgent' ? 'urgent' : 'routine',
        recipient,
        subject: task.for!.reference!,
        about: `Task/${task.id!}`,
        title: `Advice and guidance: ${MESSAGE_KINDS[kind].toLowerCase()}`,
        text: `${MESSAGE_KINDS[kind]} from ${side === 'provider' ? (task.owner?.display ?? 'the provider') : 'the practice'} in an advice and guidance conversation.`,
        smsText: 'CareWeave: there is a new message in an advice and guidance conversation. Sign in to see it.',
        idempotencyKey: `referrals-advice:Communication/${posted.id!}:${recipient}`,
      },
      { tx: uow.tx },
    );
  }

  private async lastProviderAuthor(record: ResourceService, task: Task): Promise<string | undefined> {
    const provider = task.owner?.reference ?? '-';
    return (await this.messages(record, task.id!))
      .reverse()
      .find((m) => m.meta?.source?.endsWith(provider) && m.sender?.reference?.startsWith('Practitioner/'))?.sender
      ?.reference;
  }

  private async messages(record: ResourceService, taskId: string): Promise<Communication[]> {
    return searchAs<Communication>(record, 'Communication', [
      ['part-of', `Task/${taskId}`],
      ['_sort', 'sent'],
      ['_count', '200'],
    ]);
  }

  private async thread(staff: StaffActor, taskId: string): Promise<AdviceThread> {
    const record = this.context.recordAs(staff);
    const { resource: task } = await readAs<Task>(record, 'Task', taskId);
    if (!isAdviceTask(task)) {
      fail('not-found', `Task/${taskId} is not an advice and guidance request`);
    }
    const side = sideOf(task, staff.organizationId);
    if (!side) {
      fail('forbidden', 'Only the practice that asked and the provider asked take part in this conversation');
    }
    const patient = await readAs<Patient>(record, 'Patient', idIn(task.for?.reference, 'Patient') ?? '').then(
      (p) => p.resource,
      () => undefined,
    );
    return threadView(task, await this.messages(record, taskId), side, patient);
  }

  private due(from: Date): string {
    return addWorkingDays(from, this.context.settings.ADVICE_RESPONSE_WORKING_DAYS).toISOString();
  }

  /** "Dr A Patel" for the thread, from the directory (public); none when the practitioner is unknown. */
  private async senderName(staff: StaffActor): Promise<string | undefined> {
    try {
      const { resource } = await readAs<Practitioner>(
        this.context.recordAs(staff),
        'Practitioner',
        staff.practitionerId,
      );
      const name = resource.name?.[0];
      return name ? [name.prefix?.join(' '), name.given?.join(' '), name.family].filter(Boolean).join(' ') : undefined;
    } catch {
      return undefined;
    }
  }
}

function closedOutputs(outcome: keyof typeof OUTCOMES, referral?: string): NonNullable<Task['output']> {
  return [
    {
      type: outputType(OUTPUT.outcome),
      valueCodeableConcept: concept(ADVICE_OUTCOME_SYSTEM, outcome, OUTCOMES[outcome]),
    },
    ...(referral ? [{ type: outputType(OUTPUT.referral), valueReference: { reference: referral } }] : []),
  ];
}

/** Advice requests as `record` sees them, for one side of the caller's organisation: overdue first, then due. */
export async function listAdvice(
  record: ResourceService,
  staff: StaffActor,
  side: Side,
  open: boolean,
): Promise<AdviceSummary[]> {
  const tasks = await searchAs<Task>(record, 'Task', [
    ['code', `${REFERRAL_SYSTEM}|${ADVICE_TASK}`],
    side === 'provider'
      ? ['owner', `Organization/${staff.organizationId}`]
      : ['_tag', `${REFERRER_TAG_SYSTEM}|${staff.organizationId}`],
    ['_count', '500'],
  ]);
  const shown = open ? tasks.filter((t) => t.status !== 'completed') : tasks;
  const ids = [...new Set(shown.map((t) => idIn(t.for?.reference, 'Patient')).filter(Boolean))] as string[];
  const patients = ids.length
    ? await searchAs<Patient>(record, 'Patient', [
        ['_id', ids.join(',')],
        ['_count', String(ids.length)],
      ])
    : [];
  const byId = new Map(patients.map((p) => [p.id!, p]));
  const now = new Date();
  return shown
    .map((t) => summary(t, byId.get(idIn(t.for?.reference, 'Patient') ?? ''), now))
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999'));
}
