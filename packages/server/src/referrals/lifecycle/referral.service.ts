/**
 * The referral lifecycle (docs/REFERRALS.md, "Lifecycle"), FHIR workflow: the referrer's
 * `ServiceRequest` (draft → active → on-hold when rejected or returned → completed / revoked) and the
 * provider's `Task` (focus the request, owner the provider; `businessStatus` says where it is). Every
 * read and write is the caller's own view, except what the caller may not write and the module
 * writes for them as its system actor in the same transaction: the provider's Task when the referrer
 * sends (the provider's record), the provider's later changes to it on the referrer's behalf (a
 * booking made by the referrer), and the request's status when the provider rejects or returns it.
 */
import type {
  Appointment,
  Communication,
  Patient,
  QuestionnaireResponse,
  ServiceRequest,
  Task,
} from '@medplum/fhirtypes';
import { z } from 'zod';
import type { Actor, StaffActor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import { conflict, fail, invalidInput, isOperationOutcomeError } from '../../fhir/outcome.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import type { UnitOfWork } from '../../modules/unit-of-work.ts';
import { formFor } from '../forms/questionnaires.ts';
import { redFlagsRaised, validateResponse } from '../forms/validate.ts';
import type { ReferralsSettings } from '../settings.ts';
import type { DirectoryPort, ServiceOptionLike } from './directory-port.ts';
import { patientLetter } from './letter.ts';
import { claimUbrn } from './referral.repository.ts';
import {
  ALLOWED_FROM,
  bookingWindowEnd,
  BUSINESS_STATUSES,
  FHIR_PRIORITY,
  fromFhirPriority,
  hashLetterPassword,
  insideWindow,
  newLetterPassword,
  OUTCOME_REASONS,
  PRIORITIES,
  SEND_ACTIONS,
  type BusinessStatus,
  type OutcomeReason,
} from './rules.ts';
import {
  BOOKING_ACTION_EXTENSION,
  CATEGORY,
  codeOf,
  concept,
  ELECTRONIC_REFERRAL,
  hasCode,
  idIn,
  readAs,
  REFERRAL_REASON_SYSTEM,
  REFERRAL_STATUS_SYSTEM,
  REFERRAL_SYSTEM,
  REFERRAL_TASK,
  REFERRER_TAG_SYSTEM,
  SHORTLIST_EXTENSION,
  SPECIALTY_SYSTEM,
  TASK_CODE,
  UBRN_SYSTEM,
} from './vocabulary.ts';

const DRAFT = z.object({
  patientId: z.string().min(1).max(64),
  specialty: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'a specialty code such as msk or dermatology'),
  priority: z.enum(PRIORITIES).default('routine'),
  reason: z.string().trim().min(10, 'must say why, in at least 10 characters').max(4000),
  /** The completed referral form (a QuestionnaireResponse id the caller may see). */
  form: z.string().min(1).max(64).optional(),
  /** The pathway followed (a PlanDefinition id), for the record. */
  pathway: z.string().min(1).max(64).optional(),
});
const SEND = z.object({
  serviceId: z.string().min(1).max(64),
  action: z.enum(SEND_ACTIONS),
  slotId: z.string().min(1).max(64).optional(),
});
const TRIAGE = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('accept'), note: z.string().trim().max(4000).optional() }),
  z.object({
    decision: z.literal('reject'),
    reason: z.enum(Object.keys(OUTCOME_REASONS) as [OutcomeReason, ...OutcomeReason[]]),
    note: z.string().trim().min(5).max(4000),
  }),
  z.object({
    decision: z.literal('return'),
    reason: z.enum(Object.keys(OUTCOME_REASONS) as [OutcomeReason, ...OutcomeReason[]]),
    advice: z.string().trim().min(10, 'advice for the referrer, in at least 10 characters').max(8000),
  }),
]);
const BOOK = z.object({ slotId: z.string().min(1).max(64).optional() });
const ATTENDANCE = z.object({ outcome: z.enum(['attended', 'did-not-attend']) });
const DISCHARGE = z.object({ summary: z.string().trim().min(5).max(8000) });
const ACKNOWLEDGE = z.object({ action: z.enum(['close', 'revise']), note: z.string().trim().max(4000).optional() });

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw invalidInput(parsed.error);
  }
  return parsed.data;
}

export interface ReferralView {
  serviceRequest: string;
  task?: string;
  status: ServiceRequest['status'];
  businessStatus?: BusinessStatus;
  ubrn?: string;
  priority: string;
  specialty?: string;
  patientId?: string;
  service?: { id: string; name?: string; provider?: string };
  appointment?: string;
  shortlist?: string[];
  outcome?: { reason?: string; text?: string };
}

/** What sending answers: the referral, and once only the password for the patient's letter. */
export interface SentReferral extends ReferralView {
  letterPassword: string;
  slotIssue?: boolean;
  bookingProblem?: string;
}

const practitioner = (staff: StaffActor) => `Practitioner/${staff.practitionerId}`;
const statusOf = (task: Task | undefined): BusinessStatus | undefined =>
  codeOf(task?.businessStatus, REFERRAL_STATUS_SYSTEM) as BusinessStatus | undefined;
const businessStatus = (status: BusinessStatus) => concept(REFERRAL_STATUS_SYSTEM, status, BUSINESS_STATUSES[status]);

export function referralView(sr: ServiceRequest, task?: Task): ReferralView {
  const service = sr.performer?.find((p) => p.reference?.startsWith('HealthcareService/'));
  const provider = sr.performer?.find((p) => p.reference?.startsWith('Organization/'));
  const appointment = task?.output?.find((o) => o.valueReference?.reference?.startsWith('Appointment/'));
  const shortlist = sr.extension?.find((e) => e.url === SHORTLIST_EXTENSION);
  const reason = codeOf(task?.statusReason, REFERRAL_REASON_SYSTEM);
  return {
    serviceRequest: `ServiceRequest/${sr.id!}`,
    ...(task?.id ? { task: `Task/${task.id}` } : {}),
    status: sr.status,
    ...(statusOf(task) ? { businessStatus: statusOf(task)! } : {}),
    ...(sr.identifier?.find((i) => i.system === UBRN_SYSTEM)?.value
      ? { ubrn: sr.identifier.find((i) => i.system === UBRN_SYSTEM)!.value! }
      : {}),
    priority: fromFhirPriority(sr.priority),
    ...(codeOf(sr.code, SPECIALTY_SYSTEM) ? { specialty: codeOf(sr.code, SPECIALTY_SYSTEM)! } : {}),
    ...(idIn(sr.subject.reference, 'Patient') ? { patientId: idIn(sr.subject.reference, 'Patient')! } : {}),
    ...(service?.reference
      ? {
          service: {
            id: idIn(service.reference, 'HealthcareService')!,
            ...(service.display ? { name: service.display } : {}),
            ...(provider?.display ? { provider: provider.display } : {}),
          },
        }
      : {}),
    ...(appointment?.valueReference?.reference ? { appointment: appointment.valueReference.reference } : {}),
    ...(shortlist?.extension?.length
      ? { shortlist: shortlist.extension.map((e) => idIn(e.valueReference?.reference, 'HealthcareService') ?? '') }
      : {}),
    ...(task?.statusReason
      ? {
          outcome: {
            ...(reason ? { reason } : {}),
            ...(task.statusReason.text ? { text: task.statusReason.text } : {}),
          },
        }
      : {}),
  };
}

export class ReferralLifecycle {
  private readonly context: ModuleContext<ReferralsSettings>;
  private readonly directory: DirectoryPort;

  constructor(context: ModuleContext<ReferralsSettings>, directory: DirectoryPort) {
    this.context = context;
    this.directory = directory;
  }

  /** A draft referral (the referrer's ServiceRequest, status draft) for a patient they may see. */
  async draft(actor: Actor | undefined, body: unknown): Promise<ReferralView> {
    const staff = requireStaff(actor, { doing: 'write referrals' });
    const input = parse(DRAFT, body);
    return this.context.unitOfWork(staff, async (uow) => {
      await readAs(uow.record, 'Patient', input.patientId);
      const form = input.form ? await this.form(uow.record, input.form, input.patientId) : undefined;
      const request: ServiceRequest = {
        resourceType: 'ServiceRequest',
        meta: { tag: [{ system: REFERRER_TAG_SYSTEM, code: staff.organizationId }] },
        status: 'draft',
        intent: 'order',
        priority: FHIR_PRIORITY[input.priority],
        category: [CATEGORY],
        code: concept(SPECIALTY_SYSTEM, input.specialty),
        subject: { reference: `Patient/${input.patientId}` },
        requester: { reference: practitioner(staff) },
        reasonCode: [{ text: input.reason }],
        authoredOn: new Date().toISOString(),
        ...(form ? { supportingInfo: [{ reference: `QuestionnaireResponse/${form.id!}` }] } : {}),
        ...(input.pathway ? { instantiatesCanonical: [`PlanDefinition/${input.pathway}`] } : {}),
      };
      const created = (await uow.record.create('ServiceRequest', request)).resource as ServiceRequest;
      return referralView(created);
    });
  }

  /** The referral as the caller may see it, with the provider's Task when there is one. */
  async get(actor: Actor | undefined, id: string): Promise<ReferralView> {
    const staff = requireStaff(actor, { doing: 'read referrals' });
    const record = this.context.recordAs(staff);
    const { resource } = await this.request(record, id);
    return referralView(resource, await this.taskOf(record, id));
  }

  /**
   * Up to SHORTLIST_SIZE eligible services for the referral's specialty and priority, with waits and
   * distances from the directory; the ones offered are recorded on the request (the patient chooses).
   */
  async shortlist(
    actor: Actor | undefined,
    id: string,
  ): Promise<{ referral: ReferralView; options: ServiceOptionLike[] }> {
    const staff = requireStaff(actor, { doing: 'shortlist services for a referral' });
    // The directory is searched before the unit of work, not inside it: it reads on its own connection,
    // which on the embedded database (one connection) would wait for this transaction for ever. The
    // write below is conditional on the version read here, so a change in between is a 409.
    const { resource: before, versionId: seen } = await this.request(this.context.recordAs(staff), id);
    if (before.status !== 'draft') {
      conflict(`Only a draft referral is shortlisted (this one is ${before.status})`);
    }
    const options = (
      await this.directory.search(staff, {
        specialty: codeOf(before.code, SPECIALTY_SYSTEM) ?? '',
        patientId: idIn(before.subject.reference, 'Patient')!,
        priority: fromFhirPriority(before.priority),
        limit: this.context.settings.SHORTLIST_SIZE * 3,
      })
    )
      .filter((o) => o.eligible)
      .slice(0, this.context.settings.SHORTLIST_SIZE);
    return this.context.unitOfWork(staff, async (uow) => {
      const { resource: sr, versionId } = await this.request(uow.record, id);
      if (versionId !== seen) {
        conflict('The referral changed while the services were looked up: shortlist again');
      }
      const next: ServiceRequest = {
        ...sr,
        extension: [
          ...(sr.extension ?? []).filter((e) => e.url !== SHORTLIST_EXTENSION),
          {
            url: SHORTLIST_EXTENSION,
            extension: options.map((o) => ({
              url: 'service',
              valueReference: { reference: `HealthcareService/${o.serviceId}`, display: o.name },
            })),
          },
        ],
      };
      const written = (await uow.record.update('ServiceRequest', id, next, { ifMatch: versionId }))
        .resource as ServiceRequest;
      return { referral: referralView(written), options };
    });
  }

  /**
   * Sends the draft to the service the patient chose from the shortlist: a UBRN and letter password,
   * the request active (the provider's relationship), the provider's Task, and then — for `book` — the
   * first appointment inside the priority's booking window, or the slot-issues worklist (H-200).
   */
  async send(actor: Actor | undefined, id: string, body: unknown): Promise<SentReferral> {
    const staff = requireStaff(actor, { doing: 'send referrals' });
    const input = parse(SEND, body);
    const password = newLetterPassword();
    const passwordHash = await hashLetterPassword(password);
    // The directory is asked before the unit of work (see shortlist); the send is conditional on the
    // version read here.
    const { resource: before, versionId: seen } = await this.request(this.context.recordAs(staff), id);
    const options = await this.directory.search(staff, {
      specialty: codeOf(before.code, SPECIALTY_SYSTEM) ?? '',
      patientId: idIn(before.subject.reference, 'Patient')!,
      priority: fromFhirPriority(before.priority),
      limit: 100,
    });
    const sent = await this.context.unitOfWork(staff, async (uow) => {
      await uow.lock(`referrals:request:${id}`);
      const { resource: sr, versionId } = await this.request(uow.record, id);
      if (sr.status !== 'draft') {
        conflict(`This referral has already been sent (${sr.status})`);
      }
      if (versionId !== seen) {
        conflict('The referral changed while the service was checked: send again');
      }
      const offered = sr.extension
        ?.find((e) => e.url === SHORTLIST_EXTENSION)
        ?.extension?.find((e) => e.valueReference?.reference === `HealthcareService/${input.serviceId}`);
      if (!offered) {
        fail('business-rule', 'Choose a service from the shortlist offered to the patient', ['serviceId']);
      }
      await this.checkForm(uow.record, sr);
      const patientId = idIn(sr.subject.reference, 'Patient')!;
      const service = options.find((o) => o.serviceId === input.serviceId && o.eligible);
      if (!service) {
        fail('business-rule', 'The chosen service no longer takes this referral; shortlist again', ['serviceId']);
      }
      if (input.action === 'book' && !service.directlyBookable) {
        fail('business-rule', `${service.name} is not directly bookable: defer to the provider`, ['action']);
      }
      const ubrn = await claimUbrn(uow.tx, { serviceRequestId: id, patientId, passwordHash });
      const now = new Date().toISOString();
      const active: ServiceRequest = {
        ...sr,
        status: 'active',
        identifier: [
          ...(sr.identifier ?? []).filter((i) => i.system !== UBRN_SYSTEM),
          { system: UBRN_SYSTEM, value: ubrn },
        ],
        performer: [
          { reference: `Organization/${service.provider.id}`, display: service.provider.name },
          { reference: `HealthcareService/${service.serviceId}`, display: service.name },
        ],
        occurrencePeriod: {
          start: now,
          end: bookingWindowEnd(fromFhirPriority(sr.priority), new Date(now), this.context.settings).toISOString(),
        },
        authoredOn: now,
        extension: [
          ...(sr.extension ?? []).filter((e) => e.url !== BOOKING_ACTION_EXTENSION),
          { url: BOOKING_ACTION_EXTENSION, valueCode: input.action },
        ],
      };
      const written = (await uow.record.update('ServiceRequest', id, active, { ifMatch: versionId }))
        .resource as ServiceRequest;
      const initial: BusinessStatus =
        input.action === 'triage' ? 'for-review' : input.action === 'advice' ? 'advice-requested' : 'awaiting-booking';
      // The worklist item is the provider's record (its source), so its staff can act on it; the
      // referrer may not write another organisation's record, so the module files it (H-205).
      const task: Task = {
        resourceType: 'Task',
        meta: {
          source: `Organization/${service.provider.id}`,
          tag: [{ system: REFERRER_TAG_SYSTEM, code: staff.organizationId }],
        },
        identifier: [{ system: UBRN_SYSTEM, value: ubrn }],
        status: 'requested',
        intent: 'order',
        priority: sr.priority ?? 'routine',
        code: TASK_CODE,
        businessStatus: businessStatus(initial),
        focus: { reference: `ServiceRequest/${id}` },
        for: { reference: `Patient/${patientId}` },
        authoredOn: now,
        requester: { reference: practitioner(staff) },
        owner: { reference: `Organization/${service.provider.id}`, display: service.provider.name },
        restriction: { period: active.occurrencePeriod! },
        input: [
          {
            type: concept(REFERRAL_SYSTEM, 'service'),
            valueReference: { reference: `HealthcareService/${service.serviceId}`, display: service.name },
          },
        ],
      };
      const created = (await uow.system().create('Task', task)).resource as Task;
      return { sr: written, task: created, service };
    });
    const view: SentReferral = { ...referralView(sent.sr, sent.task), letterPassword: password };
    if (input.action !== 'book') {
      return view;
    }
    const booked = await this.bookWithin(staff, sent.task, sent.sr, input.slotId);
    return { ...view, ...booked.view, letterPassword: password, ...booked.flags };
  }

  /** The provider triages a referral or an advice request: accept, reject or return with advice. */
  async triage(actor: Actor | undefined, taskId: string, body: unknown): Promise<ReferralView> {
    return (await this.triageTask(actor, taskId, body)).view;
  }

  /**
   * `triage`, answering the Task as written too: once rejected or returned the provider no longer has
   * a relationship with the patient (the request is on hold), so it could not read it back.
   */
  async triageTask(
    actor: Actor | undefined,
    taskId: string,
    body: unknown,
  ): Promise<{ view: ReferralView; task: Task }> {
    const staff = requireStaff(actor, { doing: 'triage referrals' });
    const input = parse(TRIAGE, body);
    return this.context.unitOfWork(staff, async (uow) => {
      const { task, versionId } = await this.providerTask(uow, staff, taskId, 'triage');
      const srId = idIn(task.focus?.reference, 'ServiceRequest')!;
      const { resource: sr } = await readAs<ServiceRequest>(uow.record, 'ServiceRequest', srId);
      const now = new Date().toISOString();
      const note = { time: now, authorReference: { reference: practitioner(staff) } };
      if (input.decision === 'accept') {
        const next: Task = {
          ...task,
          status: 'accepted',
          businessStatus: businessStatus('awaiting-booking'),
          note: [...(task.note ?? []), { ...note, text: input.note ?? 'Accepted' }],
        };
        const written = (await uow.record.update('Task', taskId, next, { ifMatch: versionId })).resource as Task;
        return { view: referralView(sr, written), task: written };
      }
      const reason = OUTCOME_REASONS[input.reason];
      if ((reason.decision === 'reject') !== (input.decision === 'reject')) {
        fail('invalid', `'${input.reason}' is a reason to ${reason.decision}, not to ${input.decision}`, ['reason']);
      }
      const status: BusinessStatus = input.decision === 'reject' ? 'rejected' : 'returned-with-advice';
      const text = input.decision === 'reject' ? input.note : input.advice;
      const next: Task = {
        ...task,
        status: 'rejected',
        businessStatus: businessStatus(status),
        statusReason: { ...concept(REFERRAL_REASON_SYSTEM, input.reason, reason.display), text },
        executionPeriod: { ...task.executionPeriod, end: now },
        note: [...(task.note ?? []), { ...note, text: `${reason.display}: ${text}` }],
      };
      const written = (await uow.record.update('Task', taskId, next, { ifMatch: versionId })).resource as Task;
      await this.writeLetter(uow, staff, sr, written, input.reason);
      // Last: the request waits for the referrer (on-hold: their worklist until they act, H-207), and
      // the provider's relationship from it ends (need to know).
      const { resource: current, versionId: srVersion } = await readAs<ServiceRequest>(
        uow.system(),
        'ServiceRequest',
        srId,
      );
      const held = (
        await uow.system().update(
          'ServiceRequest',
          srId,
          {
            ...current,
            status: 'on-hold',
            note: [...(current.note ?? []), { time: now, text: `${BUSINESS_STATUSES[status]}: ${reason.display}` }],
          },
          { ifMatch: srVersion },
        )
      ).resource as ServiceRequest;
      return { view: referralView(held, written), task: written };
    });
  }

  /** Books a referral awaiting booking (the provider's staff, or the referrer for one they deferred). */
  async book(
    actor: Actor | undefined,
    taskId: string,
    body: unknown,
  ): Promise<ReferralView & { slotIssue?: boolean; bookingProblem?: string }> {
    const staff = requireStaff(actor, { doing: 'book referrals' });
    const input = parse(BOOK, body);
    const record = this.context.recordAs(staff);
    const { resource: task } = await readAs<Task>(record, 'Task', taskId);
    this.checkTask(task, staff, 'book', { referrerMay: true });
    const srId = idIn(task.focus?.reference, 'ServiceRequest')!;
    const { resource: sr } = await readAs<ServiceRequest>(record, 'ServiceRequest', srId);
    const booked = await this.bookWithin(staff, task, sr, input.slotId);
    return { ...booked.view, ...booked.flags };
  }

  /** The provider records whether the patient came. */
  async attendance(actor: Actor | undefined, taskId: string, body: unknown): Promise<ReferralView> {
    const staff = requireStaff(actor, { doing: 'record attendance' });
    const input = parse(ATTENDANCE, body);
    return this.context.unitOfWork(staff, async (uow) => {
      const { task, versionId } = await this.providerTask(uow, staff, taskId, 'attendance');
      const written = (
        await uow.record.update(
          'Task',
          taskId,
          { ...task, status: 'in-progress', businessStatus: businessStatus(input.outcome) },
          { ifMatch: versionId },
        )
      ).resource as Task;
      const { resource: sr } = await readAs<ServiceRequest>(
        uow.record,
        'ServiceRequest',
        idIn(task.focus?.reference, 'ServiceRequest')!,
      );
      return referralView(sr, written);
    });
  }

  /** The provider discharges the patient back to the referrer: the Task and the request completed. */
  async discharge(actor: Actor | undefined, taskId: string, body: unknown): Promise<ReferralView> {
    const staff = requireStaff(actor, { doing: 'discharge referrals' });
    const input = parse(DISCHARGE, body);
    return this.context.unitOfWork(staff, async (uow) => {
      const { task, versionId } = await this.providerTask(uow, staff, taskId, 'discharge');
      const now = new Date().toISOString();
      const written = (
        await uow.record.update(
          'Task',
          taskId,
          {
            ...task,
            status: 'completed',
            businessStatus: businessStatus('discharged'),
            executionPeriod: { ...task.executionPeriod, end: now },
            note: [
              ...(task.note ?? []),
              { time: now, authorReference: { reference: practitioner(staff) }, text: input.summary },
            ],
          },
          { ifMatch: versionId },
        )
      ).resource as Task;
      const srId = idIn(task.focus?.reference, 'ServiceRequest')!;
      const { resource: sr, versionId: srVersion } = await readAs<ServiceRequest>(uow.system(), 'ServiceRequest', srId);
      const done = (
        await uow.system().update('ServiceRequest', srId, { ...sr, status: 'completed' }, { ifMatch: srVersion })
      ).resource as ServiceRequest;
      return referralView(done, written);
    });
  }

  /**
   * The referrer acts on a rejected or returned referral (H-207): `close` it (revoked) or `revise` it
   * (back to draft, to shortlist and send again). Until then it stays on their worklist.
   */
  async acknowledge(actor: Actor | undefined, id: string, body: unknown): Promise<ReferralView> {
    const staff = requireStaff(actor, { doing: 'act on returned referrals' });
    const input = parse(ACKNOWLEDGE, body);
    return this.context.unitOfWork(staff, async (uow) => {
      await uow.lock(`referrals:request:${id}`);
      const { resource: sr, versionId } = await this.request(uow.record, id);
      if (sr.status !== 'on-hold') {
        conflict(`Only a rejected or returned referral is acted on this way (this one is ${sr.status})`);
      }
      const now = new Date().toISOString();
      const next: ServiceRequest = {
        ...sr,
        status: input.action === 'close' ? 'revoked' : 'draft',
        ...(input.action === 'revise' ? { performer: [], occurrencePeriod: { start: now } } : {}),
        note: [
          ...(sr.note ?? []),
          {
            time: now,
            authorReference: { reference: practitioner(staff) },
            text: `${input.action === 'close' ? 'Closed' : 'Revised'} by the referrer${input.note ? `: ${input.note}` : ''}`,
          },
        ],
      };
      if (input.action === 'revise') {
        delete next.performer;
        delete next.occurrencePeriod;
      }
      const written = (await uow.record.update('ServiceRequest', id, next, { ifMatch: versionId }))
        .resource as ServiceRequest;
      return referralView(written);
    });
  }

  /** A referral ServiceRequest as `record` sees it (404 when hidden, absent or not a referral). */
  private async request(record: ResourceService, id: string) {
    const read = await readAs<ServiceRequest>(record, 'ServiceRequest', id);
    if (!hasCode(read.resource.category, REFERRAL_SYSTEM, ELECTRONIC_REFERRAL)) {
      fail('not-found', `ServiceRequest/${id} is not an electronic referral`);
    }
    return read;
  }

  private async taskOf(record: ResourceService, srId: string): Promise<Task | undefined> {
    const bundle = await record.search('Task', [
      ['focus', `ServiceRequest/${srId}`],
      ['code', `${REFERRAL_SYSTEM}|${REFERRAL_TASK}`],
      ['_sort', '-_lastUpdated'],
      ['_count', '1'],
    ]);
    return bundle.entry?.[0]?.resource as Task | undefined;
  }

  /** Only the provider's own staff act on its Task, and only from the statuses the action allows. */
  private checkTask(
    task: Task,
    staff: StaffActor,
    action: keyof typeof ALLOWED_FROM,
    options: { referrerMay?: boolean } = {},
  ): void {
    if (!hasCode(task.code, REFERRAL_SYSTEM, REFERRAL_TASK)) {
      fail('not-found', `Task/${task.id!} is not a referral`);
    }
    const owner = task.owner?.reference === `Organization/${staff.organizationId}`;
    const referrer = task.meta?.tag?.some((t) => t.system === REFERRER_TAG_SYSTEM && t.code === staff.organizationId);
    if (!owner && !(options.referrerMay && referrer)) {
      fail('forbidden', 'Only the provider the referral was sent to may do this');
    }
    const status = statusOf(task);
    if (!status || !ALLOWED_FROM[action].includes(status)) {
      conflict(
        `The referral is ${status ? BUSINESS_STATUSES[status] : 'in an unknown state'}: it cannot be ${action === 'book' ? 'booked' : `given a ${action}`} now`,
      );
    }
  }

  private async providerTask(uow: UnitOfWork, staff: StaffActor, taskId: string, action: keyof typeof ALLOWED_FROM) {
    const { resource: task } = await readAs<Task>(uow.record, 'Task', taskId);
    this.checkTask(task, staff, action);
    await uow.lock(`referrals:task:${taskId}`);
    const fresh = await readAs<Task>(uow.record, 'Task', taskId);
    this.checkTask(fresh.resource, staff, action);
    return { task: fresh.resource, versionId: fresh.versionId };
  }

  /**
   * Books the first free slot inside the booking window (or `slotId`, which must be inside it). No
   * slot inside the window puts the referral on the slot-issues worklist (H-200); a slot taken in the
   * meantime leaves it awaiting booking and says so. The Task is the provider's record: the module
   * updates it for a referrer who books.
   */
  private async bookWithin(
    staff: StaffActor,
    task: Task,
    sr: ServiceRequest,
    slotId: string | undefined,
  ): Promise<{ view: ReferralView; flags: { slotIssue?: boolean; bookingProblem?: string } }> {
    const serviceId = idIn(task.input?.find((i) => i.valueReference)?.valueReference?.reference, 'HealthcareService');
    const windowEnd = new Date(
      sr.occurrencePeriod?.end ??
        bookingWindowEnd(fromFhirPriority(sr.priority), new Date(sr.authoredOn ?? Date.now()), this.context.settings),
    );
    const slots = serviceId
      ? (await this.directory.freeSlots(staff, serviceId, { to: windowEnd.toISOString(), limit: 50 })).filter((s) =>
          insideWindow(s.start, windowEnd),
        )
      : [];
    const slot = slotId ? slots.find((s) => s.id === slotId) : slots[0];
    if (slotId && !slot && slots.length) {
      fail('business-rule', 'That slot is not free inside the booking window for this priority', ['slotId']);
    }
    const patientId = idIn(task.for?.reference, 'Patient')!;
    let appointment: Appointment | undefined;
    let bookingProblem: string | undefined;
    if (slot) {
      try {
        appointment = await this.directory.book(staff, {
          slotId: slot.id!,
          patientId,
          basedOn: `ServiceRequest/${sr.id!}`,
        });
      } catch (error) {
        if (!isOperationOutcomeError(error) || error.status !== 409) {
          throw error;
        }
        bookingProblem = 'The slot was taken by someone else: choose another';
      }
    }
    const status: BusinessStatus = appointment ? 'booked' : bookingProblem ? statusOf(task)! : 'slot-issue';
    const written = await this.context.unitOfWork(staff, async (uow) => {
      await uow.lock(`referrals:task:${task.id!}`);
      const { resource: current, versionId } = await readAs<Task>(uow.system(), 'Task', task.id!);
      const next: Task = {
        ...current,
        status: appointment ? 'accepted' : current.status,
        businessStatus: businessStatus(status),
        ...(appointment
          ? {
              output: [
                ...(current.output ?? []),
                {
                  type: concept(REFERRAL_SYSTEM, 'appointment'),
                  valueReference: { reference: `Appointment/${appointment.id!}` },
                },
              ],
            }
          : {}),
      };
      return (await uow.system().update('Task', task.id!, next, { ifMatch: versionId })).resource as Task;
    });
    return {
      view: referralView(sr, written),
      flags: { ...(status === 'slot-issue' ? { slotIssue: true } : {}), ...(bookingProblem ? { bookingProblem } : {}) },
    };
  }

  /** The referral form, read as the caller sees it, about the same patient. */
  private async form(record: ResourceService, id: string, patientId: string): Promise<QuestionnaireResponse> {
    const { resource } = await readAs<QuestionnaireResponse>(record, 'QuestionnaireResponse', id);
    if (resource.subject?.reference !== `Patient/${patientId}`) {
      fail('invalid', 'The referral form is about another patient', ['form']);
    }
    return resource;
  }

  /**
   * The specialty's form (the two-week-wait form for a two-week wait) must be attached and valid, and
   * a red flag answered yes makes the referral a two-week wait (H-202, H-203).
   */
  private async checkForm(record: ResourceService, sr: ServiceRequest): Promise<void> {
    const priority = fromFhirPriority(sr.priority);
    const questionnaire = formFor(
      priority === 'two-week-wait' ? 'suspected-cancer' : (codeOf(sr.code, SPECIALTY_SYSTEM) ?? ''),
    );
    const formId = idIn(
      sr.supportingInfo?.find((s) => s.reference?.startsWith('QuestionnaireResponse/'))?.reference,
      'QuestionnaireResponse',
    );
    if (!questionnaire) {
      return;
    }
    if (!formId) {
      fail('business-rule', `Complete and attach the form "${questionnaire.title!}" before sending`, ['form']);
    }
    const response = await this.form(record, formId, idIn(sr.subject.reference, 'Patient')!);
    if (response.questionnaire?.split('|')[0] !== questionnaire.url) {
      fail('business-rule', `The form attached is not "${questionnaire.title!}"`, ['form']);
    }
    const problems = validateResponse(questionnaire, response);
    if (problems.length) {
      fail(
        'invalid',
        `The referral form is incomplete: ${problems.map((p) => `${p.linkId} ${p.message}`).join('; ')}`,
        ['form'],
      );
    }
    const flags = redFlagsRaised(response);
    if (flags.length && priority !== 'two-week-wait') {
      fail(
        'business-rule',
        `Red flags answered yes (${flags.join(', ')}): this must be a two-week-wait referral on the suspected cancer form`,
        ['priority'],
      );
    }
  }

  /** The plain-English letter to the patient, from the coded reason (H-206), filed by the provider. */
  private async writeLetter(
    uow: UnitOfWork,
    staff: StaffActor,
    sr: ServiceRequest,
    task: Task,
    reason: OutcomeReason,
  ): Promise<void> {
    const patientId = idIn(sr.subject.reference, 'Patient')!;
    const { resource: patient } = await readAs<Patient>(uow.record, 'Patient', patientId);
    const letter: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      category: [concept(REFERRAL_SYSTEM, 'referral-outcome-letter', 'Referral outcome letter')],
      subject: { reference: `Patient/${patientId}` },
      recipient: [{ reference: `Patient/${patientId}` }],
      sender: { reference: `Organization/${staff.organizationId}` },
      basedOn: [{ reference: `ServiceRequest/${sr.id!}` }],
      about: [{ reference: `Task/${task.id!}` }],
      sent: new Date().toISOString(),
      payload: [
        {
          contentString: patientLetter({ request: sr, task, patient, reason }),
        },
      ],
    };
    await uow.record.create('Communication', letter);
  }
}
