/**
 * The advice-requests worklist also lists advice and guidance conversations (advice/): open ones
 * whose turn is the listing side's, as worklist items with their due time.
 */
import type { StaffActor } from '../../access/actor.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { listAdvice } from '../advice/advice.service.ts';
import type { AdviceStatus } from '../advice/rules.ts';
import { waitingDays } from '../lifecycle/rules.ts';

type Side = 'referrer' | 'provider';

/** A worklist item of an advice conversation (the shape of `WorklistItem`, kept here to avoid a cycle). */
interface AdviceWorklistItem {
  kind: 'advice';
  serviceRequest: string;
  task: string;
  status: string;
  priority: string;
  specialty?: string;
  patient: { id: string };
  service?: string;
  provider?: string;
  sentAt?: string;
  waitingDays: number;
  dueAt?: string;
  overdue: boolean;
}

/** Whose turn each open state is. */
const TURN: Record<Exclude<AdviceStatus, 'closed'>, Side> = {
  'awaiting-advice': 'provider',
  'information-requested': 'referrer',
  'advice-given': 'referrer',
  'conversion-proposed': 'referrer',
};

export async function adviceItems(
  record: ResourceService,
  staff: StaffActor,
  side: Side,
): Promise<AdviceWorklistItem[]> {
  const open = await listAdvice(record, staff, side === 'provider' ? 'provider' : 'requester', true);
  return open
    .filter((a) => a.status !== 'closed' && TURN[a.status] === side)
    .map((a) => ({
      kind: 'advice' as const,
      serviceRequest: a.serviceRequest,
      task: a.task,
      status: a.statusText,
      priority: a.priority,
      ...(a.specialty ? { specialty: a.specialty } : {}),
      patient: { id: a.patient.id },
      ...(a.service ? { service: a.service } : {}),
      ...(a.provider ? { provider: a.provider } : {}),
      ...(a.requestedAt ? { sentAt: a.requestedAt } : {}),
      waitingDays: waitingDays(a.requestedAt),
      ...(a.dueAt ? { dueAt: a.dueAt } : {}),
      overdue: a.overdue,
    }));
}
