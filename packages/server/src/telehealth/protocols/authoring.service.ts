/**
 * Publishing a protocol version written by a clinical author. A new version never changes what an
 * enrolled patient is asked or how their readings are judged: each patient stays on the version they
 * were enrolled on, and the clinician responsible for them (the CarePlan's author) gets a review task
 * saying what changed. They move the patient by pointing the CarePlan at the new version
 * (docs/TELEHEALTH.md; hazard H-130).
 */
import type { CarePlan, Organization, Practitioner, Task } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor, StaffActor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import { invalidInput } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import type { UnitOfWork } from '../../modules/unit-of-work.ts';
import { EnrolmentRepository, type Enrolment } from '../enrolment/enrolment.repository.ts';
import { protocolCanonical } from './plan-definition.ts';
import { describeChanges } from './changes.ts';
import { protocolSchema, type Protocol } from './model.ts';
import { planDefinitionId, toPlanDefinition } from './plan-definition.ts';
import { ProtocolRegistry } from './registry.ts';

/** Clinicians (R8000) and nurses (R8001) write protocols; clerical and other staff do not. */
const AUTHOR_ROLES = ['R8000', 'R8001'] as const;
export const REVIEW_TASK_CODE = 'telehealth-protocol-review';
const TASK_CODE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/task-code';

/** What an author sends: a whole protocol; its version is the next one, whatever is given. */
const draftSchema = protocolSchema.extend({ version: z.number().int().min(1).optional() });

export interface Published {
  protocol: Protocol;
  planDefinition: string;
  /** What changed since the version before (empty for a new protocol). */
  changes: string[];
  /** Review tasks raised for enrolled patients on earlier versions. */
  reviews: number;
}

export class ProtocolAuthoring {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  /** Validates and publishes the next version of a protocol, and asks for a review of each patient on an older one. */
  async publish(actor: Actor | undefined, body: unknown): Promise<Published> {
    const staff = requireStaff(actor, { roles: [...AUTHOR_ROLES], doing: 'publish a telehealth protocol' });
    const parsed = draftSchema.safeParse(body);
    if (!parsed.success) {
      throw invalidInput(parsed.error);
    }
    return this.context.unitOfWork(staff, async (uow) => {
      // One author at a time per protocol: versions are numbered without gaps or repeats.
      await uow.lock(`telehealth-protocol:${parsed.data.id}`);
      const previous = (await new ProtocolRegistry().latest(uow.system(), parsed.data.id))?.protocol;
      const protocol = protocolSchema.parse({ ...parsed.data, version: (previous?.version ?? 0) + 1 });
      const plan = toPlanDefinition(protocol, await publication(uow, staff));
      await uow.system().update('PlanDefinition', plan.id!, plan);
      const changes = previous ? describeChanges(previous, protocol) : [];
      const reviews = previous ? await this.askForReviews(uow, protocol, changes) : 0;
      return { protocol, planDefinition: `PlanDefinition/${plan.id!}`, changes, reviews };
    });
  }

  /** A review task per enrolment on an earlier version, for the clinician who enrolled the patient. */
  private async askForReviews(uow: UnitOfWork, protocol: Protocol, changes: string[]): Promise<number> {
    const enrolments = (await new EnrolmentRepository(uow.tx).list({ protocolId: protocol.id }, 10_000)).filter(
      (e) => (e.status === 'active' || e.status === 'paused') && e.protocolVersion < protocol.version,
    );
    const tasks: Task[] = [];
    const notices = [];
    for (const enrolment of enrolments) {
      const plan = JSON.parse((await uow.system().read('CarePlan', enrolment.carePlanId)).json ?? '{}') as CarePlan;
      const task = reviewTask(enrolment, protocol, changes, plan.author?.reference);
      tasks.push(task);
      if (plan.author?.reference?.startsWith('Practitioner/')) {
        notices.push({
          kind: 'telehealth-review',
          category: 'telehealth-alert' as const,
          priority: 'routine' as const,
          recipient: plan.author.reference,
          subject: `Patient/${enrolment.patientId}`,
          about: `Task/${task.id!}`,
          title: `${protocol.title} protocol: version ${protocol.version} to review`,
          text: task.description!,
          idempotencyKey: `telehealth-review:${enrolment.carePlanId}:${protocol.version}`,
        });
      }
    }
    await uow.system().writeMany(tasks.map((resource) => ({ resource, method: 'create' as const })));
    if (notices.length) {
      await this.context.use('notifications').notifyMany(notices, { tx: uow.tx });
    }
    return tasks.length;
  }
}

function reviewTask(enrolment: Enrolment, protocol: Protocol, changes: string[], owner?: string): Task {
  const description =
    `The ${protocol.title} protocol has a new version (${protocol.version}); this patient stays on version ` +
    `${enrolment.protocolVersion} until you move them. Changes: ${changes.join('; ') || 'none to the rules'}.`;
  return {
    resourceType: 'Task',
    id: randomUUID(),
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [{ system: TASK_CODE_SYSTEM, code: REVIEW_TASK_CODE }], text: 'Review telehealth protocol change' },
    description,
    for: { reference: `Patient/${enrolment.patientId}` },
    focus: { reference: `CarePlan/${enrolment.carePlanId}` },
    ...(owner?.startsWith('Practitioner/') ? { owner: { reference: owner } } : {}),
    authoredOn: new Date().toISOString(),
    instantiatesCanonical: `${protocolCanonical(protocol)}|${protocol.version}`,
    input: [
      {
        type: { text: 'new version' },
        valueCanonical: `PlanDefinition/${planDefinitionId(protocol)}`,
      },
    ],
  };
}

/** Who published the version, for the PlanDefinition: the author's name and organisation. */
async function publication(uow: UnitOfWork, staff: StaffActor) {
  const name = async (type: 'Practitioner' | 'Organization', id: string): Promise<string | undefined> => {
    try {
      const resource = JSON.parse((await uow.system().read(type, id)).json ?? '{}') as Practitioner | Organization;
      if (resource.resourceType === 'Organization') {
        return resource.name;
      }
      const human = resource.name?.[0];
      return human?.text ?? ([...(human?.given ?? []), human?.family].filter(Boolean).join(' ') || undefined);
    } catch {
      return undefined;
    }
  };
  return {
    publisher: (await name('Organization', staff.organizationId)) ?? staff.organizationId,
    author: (await name('Practitioner', staff.practitionerId)) ?? `Practitioner/${staff.practitionerId}`,
    date: new Date().toISOString(),
  };
}
