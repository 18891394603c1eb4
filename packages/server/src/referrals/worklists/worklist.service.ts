/**
 * Worklists for referrers and providers (docs/REFERRALS.md, "Worklists"): awaiting booking, for
 * review, slot issues, rejected or returned, advice requests, did not attend — filterable, each item
 * with its waiting time. Every list is a search through the caller's own view (hidden = absent): a
 * provider's lists are the Tasks its organisation owns; a referrer's are the Tasks and requests tagged
 * with their organisation. No item carries the letter password (it is stored only hashed). The
 * commissioner's slot-issues list is counts per service, without patients.
 */
import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Actor, StaffActor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import { fail } from '../../fhir/outcome.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { adviceItems } from './advice-items.ts';
import { BUSINESS_STATUSES, fromFhirPriority, waitingDays, type BusinessStatus } from '../lifecycle/rules.ts';
import {
  CATEGORY,
  codeOf,
  idIn,
  REFERRAL_REASON_SYSTEM,
  REFERRAL_STATUS_SYSTEM,
  REFERRAL_SYSTEM,
  REFERRAL_TASK,
  REFERRER_TAG_SYSTEM,
  searchAs,
  SPECIALTY_SYSTEM,
  UBRN_SYSTEM,
} from '../lifecycle/vocabulary.ts';

export const WORKLISTS = {
  'awaiting-booking': ['awaiting-booking'],
  'for-review': ['for-review'],
  'slot-issues': ['slot-issue'],
  'rejected-or-returned': ['rejected', 'returned-with-advice'],
  'advice-requests': ['advice-requested'],
  'did-not-attend': ['did-not-attend'],
  // The provider's clinic lists: attendance is recorded from `booked`, discharge from `attended`.
  booked: ['booked'],
  attended: ['attended'],
} as const satisfies Record<string, readonly BusinessStatus[]>;
export type WorklistName = keyof typeof WORKLISTS;
export const isWorklist = (name: string): name is WorklistName => Object.hasOwn(WORKLISTS, name);

export type Side = 'referrer' | 'provider';

export interface WorklistQuery {
  side?: Side;
  priority?: string;
  specialty?: string;
  patientId?: string;
}

export interface WorklistItem {
  serviceRequest: string;
  task?: string;
  ubrn?: string;
  businessStatus?: BusinessStatus;
  status: string;
  priority: string;
  specialty?: string;
  patient?: { id: string; name?: string; nhsNumber?: string };
  service?: string;
  provider?: string;
  sentAt?: string;
  waitingDays: number;
  outcome?: { reason?: string; text?: string };
  /** True while the referrer has not acted on a rejected or returned referral (H-207). */
  needsReferrerAction?: boolean;
  /** `advice`: an advice and guidance conversation (advice-requests list), with its due time. */
  kind?: 'referral' | 'advice';
  dueAt?: string;
  overdue?: boolean;
}

export interface SlotIssueCount {
  service: string;
  provider?: string;
  priority: string;
  referrals: number;
  longestWaitDays: number;
}

const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';

function patientSummary(patient: Patient | undefined, id: string): WorklistItem['patient'] {
  const name = patient?.name?.[0];
  return {
    id,
    ...(name ? { name: [name.given?.join(' '), name.family].filter(Boolean).join(' ') } : {}),
    ...(patient?.identifier?.find((i) => i.system === NHS_NUMBER)?.value
      ? { nhsNumber: patient.identifier.find((i) => i.system === NHS_NUMBER)!.value! }
      : {}),
  };
}

export class WorklistService {
  private readonly context: Pick<ModuleContext, 'recordAs' | 'system'>;

  constructor(context: Pick<ModuleContext, 'recordAs' | 'system'>) {
    this.context = context;
  }

  /** One worklist, oldest first (the longest wait at the top), as the caller may see it. */
  async list(actor: Actor | undefined, name: string, query: WorklistQuery = {}): Promise<WorklistItem[]> {
    const staff = requireStaff(actor, { doing: 'see referral worklists' });
    if (!isWorklist(name)) {
      fail('not-found', `No worklist '${name}': ${Object.keys(WORKLISTS).join(', ')}`);
    }
    const side: Side = query.side ?? (staff.organizationType === 'gp-practice' ? 'referrer' : 'provider');
    const record = this.context.recordAs(staff);
    const items =
      name === 'rejected-or-returned' && side === 'referrer'
        ? await this.heldRequests(record, staff)
        : await this.tasks(record, staff, side, WORKLISTS[name]);
    if (name === 'advice-requests') {
      items.push(...(await adviceItems(record, staff, side)));
    }
    return this.withPatients(
      record,
      items.filter((item) => this.matches(item, query)),
    ).then((list) => list.sort((a, b) => b.waitingDays - a.waitingDays));
  }

  /** Referrals on the slot-issues list per service and priority, for the commissioner: no patients. */
  async slotIssueCounts(actor: Actor | undefined): Promise<SlotIssueCount[]> {
    const staff = requireStaff(actor, { doing: 'see appointment slot issues' });
    if (staff.organizationType !== 'commissioner') {
      fail('forbidden', 'Only commissioners see slot issues across providers');
    }
    // System work on the commissioner's behalf: only counts and waits leave this method (no patient).
    const tasks = await searchAs<Task>(this.context.system, 'Task', [
      ['code', `${REFERRAL_SYSTEM}|${REFERRAL_TASK}`],
      ['business-status', `${REFERRAL_STATUS_SYSTEM}|slot-issue`],
      ['_count', '1000'],
    ]);
    const counts = new Map<string, SlotIssueCount>();
    for (const task of tasks) {
      const service = task.input?.find((i) => i.valueReference)?.valueReference?.display ?? 'Unknown service';
      const priority = fromFhirPriority(task.priority);
      const key = `${service}|${priority}`;
      const held = counts.get(key) ?? {
        service,
        ...(task.owner?.display ? { provider: task.owner.display } : {}),
        priority,
        referrals: 0,
        longestWaitDays: 0,
      };
      held.referrals++;
      held.longestWaitDays = Math.max(held.longestWaitDays, waitingDays(task.authoredOn));
      counts.set(key, held);
    }
    return [...counts.values()].sort((a, b) => b.longestWaitDays - a.longestWaitDays);
  }

  private matches(item: WorklistItem, query: WorklistQuery): boolean {
    return (
      (!query.priority || item.priority === query.priority) &&
      (!query.specialty || item.specialty === query.specialty) &&
      (!query.patientId || item.patient?.id === query.patientId)
    );
  }

  private async tasks(
    record: ResourceService,
    staff: StaffActor,
    side: Side,
    statuses: readonly BusinessStatus[],
  ): Promise<WorklistItem[]> {
    const tasks = await searchAs<Task>(record, 'Task', [
      ['code', `${REFERRAL_SYSTEM}|${REFERRAL_TASK}`],
      side === 'provider'
        ? ['owner', `Organization/${staff.organizationId}`]
        : ['_tag', `${REFERRER_TAG_SYSTEM}|${staff.organizationId}`],
      ['business-status', statuses.map((s) => `${REFERRAL_STATUS_SYSTEM}|${s}`).join(',')],
      ['_count', '500'],
    ]);
    const requests = new Map(
      (
        await Promise.all(
          [...new Set(tasks.map((t) => idIn(t.focus?.reference, 'ServiceRequest')).filter(Boolean))].map((id) =>
            record.read('ServiceRequest', id!).then(
              (s) => JSON.parse(s.json ?? '{}') as ServiceRequest,
              () => undefined,
            ),
          ),
        )
      )
        .filter((sr): sr is ServiceRequest => !!sr)
        .map((sr) => [sr.id!, sr]),
    );
    return tasks.map((task) => {
      const sr = requests.get(idIn(task.focus?.reference, 'ServiceRequest') ?? '');
      const status = codeOf(task.businessStatus, REFERRAL_STATUS_SYSTEM) as BusinessStatus | undefined;
      const reason = codeOf(task.statusReason, REFERRAL_REASON_SYSTEM);
      return {
        serviceRequest: task.focus?.reference ?? '',
        task: `Task/${task.id!}`,
        ...(task.identifier?.find((i) => i.system === UBRN_SYSTEM)?.value
          ? { ubrn: task.identifier.find((i) => i.system === UBRN_SYSTEM)!.value! }
          : {}),
        ...(status ? { businessStatus: status } : {}),
        status: status ? BUSINESS_STATUSES[status] : task.status,
        priority: fromFhirPriority(task.priority),
        ...(sr && codeOf(sr.code, SPECIALTY_SYSTEM) ? { specialty: codeOf(sr.code, SPECIALTY_SYSTEM)! } : {}),
        patient: { id: idIn(task.for?.reference, 'Patient') ?? '' },
        ...(task.input?.[0]?.valueReference?.display ? { service: task.input[0].valueReference.display } : {}),
        ...(task.owner?.display ? { provider: task.owner.display } : {}),
        ...(task.authoredOn ? { sentAt: task.authoredOn } : {}),
        waitingDays: waitingDays(task.authoredOn),
        ...(task.statusReason
          ? {
              outcome: {
                ...(reason ? { reason } : {}),
                ...(task.statusReason.text ? { text: task.statusReason.text } : {}),
              },
            }
          : {}),
        ...(sr?.status === 'on-hold' ? { needsReferrerAction: true } : {}),
      };
    });
  }

  /** The referrer's rejected and returned referrals: their own requests on hold until they act (H-207). */
  private async heldRequests(record: ResourceService, staff: StaffActor): Promise<WorklistItem[]> {
    const requests = await searchAs<ServiceRequest>(record, 'ServiceRequest', [
      ['category', `${CATEGORY.coding![0]!.system}|${CATEGORY.coding![0]!.code}`],
      ['_tag', `${REFERRER_TAG_SYSTEM}|${staff.organizationId}`],
      ['status', 'on-hold'],
      ['_count', '500'],
    ]);
    const items: WorklistItem[] = [];
    for (const sr of requests) {
      const [task] = await searchAs<Task>(record, 'Task', [
        ['focus', `ServiceRequest/${sr.id!}`],
        ['code', `${REFERRAL_SYSTEM}|${REFERRAL_TASK}`],
        ['_sort', '-_lastUpdated'],
        ['_count', '1'],
      ]);
      const status = codeOf(task?.businessStatus, REFERRAL_STATUS_SYSTEM) as BusinessStatus | undefined;
      const reason = codeOf(task?.statusReason, REFERRAL_REASON_SYSTEM);
      items.push({
        serviceRequest: `ServiceRequest/${sr.id!}`,
        ...(task?.id ? { task: `Task/${task.id}` } : {}),
        ...(sr.identifier?.find((i) => i.system === UBRN_SYSTEM)?.value
          ? { ubrn: sr.identifier.find((i) => i.system === UBRN_SYSTEM)!.value! }
          : {}),
        ...(status ? { businessStatus: status } : {}),
        status: status ? BUSINESS_STATUSES[status] : sr.status,
        priority: fromFhirPriority(sr.priority),
        ...(codeOf(sr.code, SPECIALTY_SYSTEM) ? { specialty: codeOf(sr.code, SPECIALTY_SYSTEM)! } : {}),
        patient: { id: idIn(sr.subject.reference, 'Patient') ?? '' },
        ...(sr.performer?.[1]?.display ? { service: sr.performer[1].display } : {}),
        ...(sr.performer?.[0]?.display ? { provider: sr.performer[0].display } : {}),
        ...(sr.authoredOn ? { sentAt: sr.authoredOn } : {}),
        waitingDays: waitingDays(sr.authoredOn),
        ...(task?.statusReason
          ? {
              outcome: {
                ...(reason ? { reason } : {}),
                ...(task.statusReason.text ? { text: task.statusReason.text } : {}),
              },
            }
          : {}),
        needsReferrerAction: true,
      });
    }
    return items;
  }

  /** Names and NHS numbers of the patients the caller may see (others keep only their id). */
  private async withPatients(record: ResourceService, items: WorklistItem[]): Promise<WorklistItem[]> {
    const ids = [...new Set(items.map((i) => i.patient?.id).filter(Boolean))] as string[];
    const patients = ids.length
      ? await searchAs<Patient>(record, 'Patient', [
          ['_id', ids.join(',')],
          ['_count', String(ids.length)],
        ])
      : [];
    const byId = new Map(patients.map((p) => [p.id!, p]));
    return items.map((item) => ({ ...item, patient: patientSummary(byId.get(item.patient!.id), item.patient!.id) }));
  }
}
