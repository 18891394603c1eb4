/**
 * Referrals into the single point of access (SPA) and their triage. A referral is the referrer's
 * `ServiceRequest` (performer the SPA's organisation) and the SPA's worklist `Task` (requested →
 * accepted / rejected); accepting it creates or updates the patient's care-coordination `CareTeam`
 * (the coordinator's legitimate relationship) and `CarePlan`. Every read and write is the caller's
 * own view, except the two the caller may not make themselves and the hub makes for them, as its
 * system actor in the same transaction: the SPA's Task on receipt (it is the SPA's record, not the
 * referrer's) and the request's status when the SPA declines it (docs/COORDINATION.md, "Access").
 */
import type { CarePlan, CareTeam, CareTeamParticipant, Practitioner, ServiceRequest, Task } from '@medplum/fhirtypes';
import { z } from 'zod';
import type { Actor, StaffActor } from '../access/actor.ts';
import { requireStaff } from '../access/guards.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { conflict, fail, invalidInput, isOperationOutcomeError, notFound } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import {
  CARE_TEAM_ROLE_SYSTEM,
  CATEGORY,
  concept,
  COORDINATION_SYSTEM,
  hasCode,
  idIn,
  londonToday,
  NEXT_REVIEW_EXTENSION,
  readAs,
  REFERRAL_TASK,
  roleConcept,
  searchAs,
  TEAM_CATEGORY,
  type CareTeamRole,
} from './fhir.ts';
import type { CoordinationSettings } from './settings.ts';
import { patientsById, type PatientSummary } from './views.ts';

const REFERRAL = z.object({
  patientId: z.string().min(1).max(64),
  reason: z.string().trim().min(10, 'must say why, in at least 10 characters').max(2000),
  priority: z.enum(['routine', 'urgent']).default('routine'),
});
const TRIAGE = z.discriminatedUnion('decision', [
  z.object({
    decision: z.literal('accept'),
    priority: z.enum(['routine', 'urgent', 'asap']),
    coordinator: z.string().min(1).max(64),
  }),
  z.object({ decision: z.literal('reject'), reason: z.string().trim().min(5).max(2000) }),
  z.object({
    decision: z.literal('redirect'),
    organization: z.string().min(1).max(64),
    reason: z.string().trim().min(5).max(2000),
  }),
]);
export type TriageInput = z.input<typeof TRIAGE>;

/** The role a referrer takes on the care team, from their organisation's type. */
const REFERRER_ROLE: Partial<Record<string, CareTeamRole>> = {
  'gp-practice': 'gp',
  community: 'district-nurse',
  'social-care': 'social-worker',
  'voluntary-sector': 'voluntary-sector',
  ambulance: 'paramedic',
};

export interface ReferralView {
  id: string;
  serviceRequest: string;
  status: Task['status'];
  priority: string;
  receivedAt?: string;
  patient?: PatientSummary;
  reason: string;
  referrer?: string;
  outcome?: string;
  owner?: string;
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw invalidInput(parsed.error);
  }
  return parsed.data;
}

const practitioner = (staff: StaffActor) => `Practitioner/${staff.practitionerId}`;

export function referralView(task: Task, patients: Map<string, PatientSummary>): ReferralView {
  const patient = patients.get(idIn(task.for?.reference, 'Patient') ?? '');
  return {
    id: task.id!,
    serviceRequest: task.focus?.reference ?? '',
    status: task.status,
    priority: task.priority ?? 'routine',
    ...(task.authoredOn ? { receivedAt: task.authoredOn } : {}),
    ...(patient ? { patient } : {}),
    reason: task.description ?? '',
    ...(task.requester?.display ? { referrer: task.requester.display } : {}),
    ...(task.statusReason?.text ? { outcome: task.statusReason.text } : {}),
    ...(task.owner?.reference ? { owner: task.owner.reference } : {}),
  };
}

export class ReferralService {
  private readonly context: ModuleContext<CoordinationSettings>;

  constructor(context: ModuleContext<CoordinationSettings>) {
    this.context = context;
  }

  private get spa(): string {
    return `Organization/${this.context.settings.SPA_ORGANIZATION}`;
  }

  /** A referral into the SPA: the referrer's ServiceRequest and the SPA's worklist Task, together. */
  async refer(actor: Actor | undefined, body: unknown): Promise<ReferralView> {
    const staff = requireStaff(actor, { doing: 'refer to the single point of access' });
    const input = parse(REFERRAL, body);
    return this.context.unitOfWork(staff, (uow) => this.referWithin(uow, staff, input));
  }

  /** `refer` inside a unit of work already open (the caseload's "add from the risk list" is one transaction). */
  async referWithin(uow: UnitOfWork, staff: StaffActor, body: unknown): Promise<ReferralView> {
    const input = parse(REFERRAL, body);
    const { resource: patient } = await readAs(uow.record, 'Patient', input.patientId);
    const me = await this.nameOf(uow.record, practitioner(staff));
    const myOrganisation = await this.nameOf(uow.record, `Organization/${staff.organizationId}`);
    const request: ServiceRequest = {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      priority: input.priority,
      category: [CATEGORY],
      code: {
        ...concept(COORDINATION_SYSTEM, 'spa-referral', 'Referral to care coordination'),
        text: 'Care coordination',
      },
      subject: { reference: `Patient/${patient.id!}` },
      requester: { reference: practitioner(staff), display: me },
      performer: [{ reference: this.spa }],
      reasonCode: [{ text: input.reason }],
      authoredOn: new Date().toISOString(),
    };
    const sr = (await uow.record.create('ServiceRequest', request)).resource as ServiceRequest;
    // The worklist item is the SPA's record (its source), so its coordinators can triage it; the
    // referrer may not write the SPA's record, so the hub files it in the same transaction (H-170).
    const task: Task = {
      resourceType: 'Task',
      meta: { source: this.spa },
      status: 'requested',
      intent: 'order',
      priority: input.priority,
      code: concept(COORDINATION_SYSTEM, REFERRAL_TASK, 'Single point of access referral'),
      focus: { reference: `ServiceRequest/${sr.id!}` },
      for: { reference: `Patient/${patient.id!}` },
      requester: { reference: practitioner(staff), display: `${me} (${myOrganisation})` },
      owner: { reference: this.spa },
      authoredOn: sr.authoredOn!,
      description: input.reason,
      extension: [
        {
          url: 'https://careweave.example/fhir/StructureDefinition/referrer-organization',
          valueReference: { reference: `Organization/${staff.organizationId}` },
        },
      ],
    };
    const created = (await uow.system().create('Task', task)).resource as Task;
    return referralView(created, await patientsById(uow.record, [patient.id!]));
  }

  /** The SPA's worklist: referrals waiting for triage, oldest first (H-170), as the caller may see them. */
  async worklist(actor: Actor | undefined, status: 'requested' | 'all' = 'requested'): Promise<ReferralView[]> {
    const staff = requireStaff(actor, { doing: 'see the single point of access worklist' });
    const record = this.context.recordAs(staff);
    const tasks = await searchAs<Task>(record, 'Task', [
      ['code', `${COORDINATION_SYSTEM}|${REFERRAL_TASK}`],
      ['owner', this.spa],
      ...(status === 'requested' ? ([['status', 'requested']] as [string, string][]) : []),
      ['_sort', 'authored-on'],
      ['_count', '200'],
    ]);
    const patients = await patientsById(
      record,
      tasks.map((t) => idIn(t.for?.reference, 'Patient') ?? ''),
    );
    return tasks.map((task) => referralView(task, patients));
  }

  /** Accepts, rejects or redirects a referral: only the SPA's staff, only a referral still waiting. */
  async triage(actor: Actor | undefined, id: string, body: unknown): Promise<ReferralView> {
    const staff = requireStaff(actor, { doing: 'triage referrals' });
    const input = parse(TRIAGE, body);
    return this.context.unitOfWork(staff, (uow) => this.triageWithin(uow, staff, id, input));
  }

  /** `triage` inside a unit of work already open. */
  async triageWithin(uow: UnitOfWork, staff: StaffActor, id: string, body: TriageInput): Promise<ReferralView> {
    const input = parse(TRIAGE, body);
    const { resource: task, versionId } = await readAs<Task>(uow.record, 'Task', id);
    if (!hasCode(task.code, COORDINATION_SYSTEM, REFERRAL_TASK)) {
      notFound(`Task/${id} is not known`);
    }
    if (`Organization/${staff.organizationId}` !== this.spa) {
      fail('forbidden', 'Only the single point of access triages its referrals');
    }
    await uow.lock(`coordination:referral:${id}`);
    if (task.status !== 'requested') {
      conflict(`This referral has already been triaged (${task.status})`);
    }
    const patientId = idIn(task.for?.reference, 'Patient')!;
    const now = new Date().toISOString();
    const note = { time: now, authorReference: { reference: practitioner(staff) } };
    let next: Task;
    if (input.decision === 'accept') {
      const coordinator = await this.coordinator(uow.record, input.coordinator);
      next = {
        ...task,
        status: 'accepted',
        priority: input.priority,
        owner: { reference: `Practitioner/${input.coordinator}`, display: coordinator },
        businessStatus: { text: 'Accepted' },
        statusReason: { text: `Accepted (${input.priority}); care coordinator ${coordinator}` },
        note: [...(task.note ?? []), { ...note, text: `Accepted, coordinator ${coordinator}` }],
      };
      await this.openCase(uow, task, patientId, input.coordinator, coordinator);
      if (input.coordinator !== staff.practitionerId) {
        await this.tell(uow, `Practitioner/${input.coordinator}`, patientId, `Task/${id}`, {
          title: 'A case has been allocated to you',
          text: `You are the care coordinator for a new case (${input.priority}).`,
        });
      }
    } else {
      const outcome =
        input.decision === 'reject'
          ? `Not accepted: ${input.reason}`
          : `Redirected to ${await this.nameOf(uow.record, `Organization/${input.organization}`)}: ${input.reason}`;
      next = {
        ...task,
        status: 'rejected',
        businessStatus: { text: input.decision === 'reject' ? 'Rejected' : 'Redirected' },
        statusReason: { text: outcome },
        executionPeriod: { ...task.executionPeriod, end: now },
        note: [...(task.note ?? []), { ...note, text: outcome }],
      };
    }
    const written = (await uow.record.update('Task', id, next, { ifMatch: versionId })).resource as Task;
    const patients = await patientsById(uow.record, [patientId]);
    if (input.decision !== 'accept') {
      // Last: revoking the request ends the SPA's relationship with the patient (need to know).
      await this.decline(uow, task, patientId, next.statusReason!.text!);
    }
    return referralView(written, patients);
  }

  /** The request is revoked (the SPA's relationship from it ends) and the referrer is told why. */
  private async decline(uow: UnitOfWork, task: Task, patientId: string, outcome: string): Promise<void> {
    const srId = idIn(task.focus?.reference, 'ServiceRequest');
    if (srId) {
      const { resource: sr, versionId } = await readAs<ServiceRequest>(uow.system(), 'ServiceRequest', srId);
      await uow
        .system()
        .update(
          'ServiceRequest',
          srId,
          { ...sr, status: 'revoked', note: [...(sr.note ?? []), { text: outcome, time: new Date().toISOString() }] },
          { ifMatch: versionId },
        );
    }
    if (task.requester?.reference?.startsWith('Practitioner/')) {
      await this.tell(uow, task.requester.reference, patientId, task.focus?.reference ?? `Task/${task.id!}`, {
        title: 'Your care coordination referral was not accepted',
        text: outcome,
      });
    }
  }

  /** The care-coordination CareTeam (one current coordinator, H-172) and CarePlan of the patient. */
  private async openCase(
    uow: UnitOfWork,
    task: Task,
    patientId: string,
    coordinatorId: string,
    coordinatorName: string,
  ): Promise<void> {
    await uow.lock(`coordination:case:${patientId}`);
    const subject = { reference: `Patient/${patientId}` };
    const now = new Date().toISOString();
    const coordinator: CareTeamParticipant = {
      role: [roleConcept('care-coordinator')],
      member: { reference: `Practitioner/${coordinatorId}`, display: coordinatorName },
      onBehalfOf: { reference: this.spa },
      period: { start: now },
    };
    const referrerOrg = task.extension?.find((e) => e.url.endsWith('/referrer-organization'))?.valueReference;
    const referrerRole = referrerOrg ? await this.roleOf(uow.record, referrerOrg.reference ?? '') : undefined;
    // A referrer who coordinates the case themselves (SPA staff adding from the risk list) is on the team once.
    const referrer: CareTeamParticipant[] =
      task.requester?.reference && referrerRole && task.requester.reference !== `Practitioner/${coordinatorId}`
        ? [
            {
              role: [roleConcept(referrerRole)],
              member: { reference: task.requester.reference, display: task.requester.display },
              ...(referrerOrg ? { onBehalfOf: { reference: referrerOrg.reference } } : {}),
              period: { start: now },
            },
          ]
        : [];
    const [team] = await this.current<CareTeam>(uow.record, 'CareTeam', patientId);
    let teamId: string;
    if (team) {
      // A new coordinator ends the previous one's membership: the team never has two (H-172).
      const participants = (team.participant ?? []).map((p) =>
        hasCode(p.role, CARE_TEAM_ROLE_SYSTEM, 'care-coordinator') && !p.period?.end
          ? { ...p, period: { ...p.period, end: now } }
          : p,
      );
      const known = new Set(participants.map((p) => p.member?.reference));
      await uow.record.update('CareTeam', team.id!, {
        ...team,
        participant: [...participants, coordinator, ...referrer.filter((p) => !known.has(p.member?.reference))],
      });
      teamId = team.id!;
    } else {
      const created = await uow.record.create('CareTeam', {
        resourceType: 'CareTeam',
        status: 'active',
        category: [TEAM_CATEGORY],
        name: 'Care coordination team',
        subject,
        period: { start: now },
        participant: [coordinator, ...referrer],
        managingOrganization: [{ reference: this.spa }],
      } satisfies CareTeam);
      teamId = created.resource.id!;
    }
    const [plan] = await this.current<CarePlan>(uow.record, 'CarePlan', patientId);
    if (!plan) {
      const review = new Date(Date.now() + this.context.settings.REVIEW_DAYS * 86_400_000);
      await uow.record.create('CarePlan', {
        resourceType: 'CarePlan',
        status: 'active',
        intent: 'plan',
        category: [CATEGORY],
        title: 'Care coordination plan',
        subject,
        created: now,
        period: { start: now },
        author: { reference: `Practitioner/${coordinatorId}`, display: coordinatorName },
        careTeam: [{ reference: `CareTeam/${teamId}` }],
        ...(task.focus?.reference ? { basedOn: [{ reference: task.focus.reference }] } : {}),
        extension: [{ url: NEXT_REVIEW_EXTENSION, valueDate: londonToday(review) }],
      } satisfies CarePlan);
    }
  }

  /** The patient's active care-coordination resources of a type (newest first). */
  private current<T extends CareTeam | CarePlan>(record: ResourceService, type: string, patientId: string) {
    return searchAs<T>(record, type, [
      ['subject', `Patient/${patientId}`],
      [
        'category',
        type === 'CareTeam'
          ? `${TEAM_CATEGORY.coding![0]!.system}|care-coordination`
          : `${COORDINATION_SYSTEM}|care-coordination`,
      ],
      ['status', 'active'],
      ['_sort', '-_lastUpdated'],
    ]);
  }

  private async coordinator(record: ResourceService, id: string): Promise<string> {
    try {
      return await this.nameOf(record, `Practitioner/${id}`, true);
    } catch (error) {
      if (isOperationOutcomeError(error)) {
        fail('invalid', `No practitioner Practitioner/${id}: choose the care coordinator again`, ['coordinator']);
      }
      throw error;
    }
  }

  private async roleOf(record: ResourceService, organization: string): Promise<CareTeamRole | undefined> {
    const id = idIn(organization, 'Organization');
    if (!id) {
      return undefined;
    }
    const { resource } = await readAs<{ resourceType: 'Organization'; type?: { coding?: { code?: string }[] }[] }>(
      record,
      'Organization',
      id,
    ).catch(() => ({ resource: undefined }));
    const type = resource?.type?.flatMap((t) => t.coding ?? []).map((c) => c.code ?? '') ?? [];
    return type.map((code) => REFERRER_ROLE[code]).find(Boolean);
  }

  /** A Practitioner's or Organization's display name (directory data). */
  private async nameOf(record: ResourceService, reference: string, strict = false): Promise<string> {
    const [type, id] = reference.split('/') as [string, string];
    try {
      const { resource } = await readAs<Practitioner | { resourceType: 'Organization'; name?: string }>(
        record,
        type,
        id,
      );
      if (resource.resourceType === 'Practitioner') {
        const name = resource.name?.[0];
        return name
          ? [name.prefix?.join(' '), name.given?.join(' '), name.family].filter(Boolean).join(' ')
          : reference;
      }
      return resource.name ?? reference;
    } catch (error) {
      if (strict) {
        throw error;
      }
      return reference;
    }
  }

  private async tell(
    uow: UnitOfWork,
    recipient: string,
    patientId: string,
    about: string,
    message: { title: string; text: string },
  ): Promise<void> {
    await this.context.use('notifications').notify(
      {
        kind: 'coordination-referral',
        category: 'referral',
        priority: 'routine',
        recipient,
        subject: `Patient/${patientId}`,
        about,
        ...message,
        smsText: 'CareWeave: there is news about a care coordination referral. Sign in to see it.',
        idempotencyKey: `coordination:${about}:${recipient}:${message.title}`,
      },
      { tx: uow.tx },
    );
  }
}
