/**
 * Advice conversations as the web app reads them: the provider's Task and its thread of
 * `Communication`s, turned into plain views. Pure: everything here was read through the caller's view.
 */
import type { Attachment, Communication, Patient, Task } from '@medplum/fhirtypes';
import {
  codeOf,
  hasCode,
  idIn,
  REFERRAL_SYSTEM,
  REFERRER_TAG_SYSTEM,
  SPECIALTY_SYSTEM,
} from '../lifecycle/vocabulary.ts';
import { fromFhirPriority } from '../lifecycle/rules.ts';
import {
  ADVICE_STATUSES,
  CLOSABLE_FROM,
  isOverdue,
  MESSAGE_KINDS,
  OUTCOMES,
  TRANSITIONS,
  type AdviceOutcome,
  type AdviceStatus,
  type MessageKind,
  type Side,
} from './rules.ts';
import {
  ADVICE_MESSAGE_SYSTEM,
  ADVICE_OUTCOME_SYSTEM,
  ADVICE_STATUS_SYSTEM,
  ADVICE_TASK,
  OUTPUT,
} from './vocabulary.ts';

export interface AdviceSummary {
  task: string;
  serviceRequest: string;
  status: AdviceStatus;
  statusText: string;
  priority: string;
  specialty?: string;
  patient: { id: string; name?: string; nhsNumber?: string };
  service?: string;
  provider?: string;
  requestedAt?: string;
  /** When the provider's answer is due (the agreed working days from the last question or reply). */
  dueAt?: string;
  overdue: boolean;
  outcome?: { code: AdviceOutcome; text: string };
  referral?: string;
}

export interface AdviceMessage {
  id: string;
  kind: MessageKind;
  kindText: string;
  side: Side;
  sender?: string;
  sent?: string;
  text?: string;
  attachments: { index: number; title?: string; contentType?: string; size?: number }[];
}

export interface AdviceThread extends AdviceSummary {
  /** Which side of the conversation the caller is on. */
  side: Side;
  /** What the caller may do now. */
  actions: (MessageKind | 'close')[];
  proposal?: { priority: string; text?: string };
  firstResponseAt?: string;
  messages: AdviceMessage[];
}

const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';

export const isAdviceTask = (task: Task): boolean => hasCode(task.code, REFERRAL_SYSTEM, ADVICE_TASK);
export const adviceStatusOf = (task: Task): AdviceStatus =>
  (codeOf(task.businessStatus, ADVICE_STATUS_SYSTEM) as AdviceStatus | undefined) ?? 'closed';

/** The caller's side: the provider that owns the Task, or the organisation that asked; else none. */
export function sideOf(task: Task, organizationId: string): Side | undefined {
  if (task.owner?.reference === `Organization/${organizationId}`) {
    return 'provider';
  }
  return task.meta?.tag?.some((t) => t.system === REFERRER_TAG_SYSTEM && t.code === organizationId)
    ? 'requester'
    : undefined;
}

function patientSummary(patient: Patient | undefined, id: string): AdviceSummary['patient'] {
  const name = patient?.name?.[0];
  const nhsNumber = patient?.identifier?.find((i) => i.system === NHS_NUMBER)?.value;
  return {
    id,
    ...(name ? { name: [name.given?.join(' '), name.family].filter(Boolean).join(' ') } : {}),
    ...(nhsNumber ? { nhsNumber } : {}),
  };
}

const output = (task: Task, code: string) => task.output?.find((o) => hasCode(o.type, REFERRAL_SYSTEM, code));

export function summary(task: Task, patient?: Patient, now = new Date()): AdviceSummary {
  const status = adviceStatusOf(task);
  const patientId = idIn(task.for?.reference, 'Patient') ?? '';
  const outcome = codeOf(output(task, OUTPUT.outcome)?.valueCodeableConcept, ADVICE_OUTCOME_SYSTEM) as
    AdviceOutcome | undefined;
  const referral = output(task, OUTPUT.referral)?.valueReference?.reference;
  const specialty = codeOf(task.input?.find((i) => i.valueCodeableConcept)?.valueCodeableConcept, SPECIALTY_SYSTEM);
  const due = task.restriction?.period?.end;
  return {
    task: `Task/${task.id!}`,
    serviceRequest: task.focus?.reference ?? '',
    status,
    statusText: ADVICE_STATUSES[status],
    priority: fromFhirPriority(task.priority),
    ...(specialty ? { specialty } : {}),
    patient: patientSummary(patient, patientId),
    ...(task.input?.find((i) => i.valueReference)?.valueReference?.display
      ? { service: task.input.find((i) => i.valueReference)!.valueReference!.display! }
      : {}),
    ...(task.owner?.display ? { provider: task.owner.display } : {}),
    ...(task.authoredOn ? { requestedAt: task.authoredOn } : {}),
    ...(due && status !== 'closed' ? { dueAt: due } : {}),
    overdue: isOverdue(status, due, now),
    ...(outcome ? { outcome: { code: outcome, text: OUTCOMES[outcome] } } : {}),
    ...(referral ? { referral } : {}),
  };
}

/** What `side` may do from `status`. */
export function actionsFor(side: Side, status: AdviceStatus): AdviceThread['actions'] {
  const moves = (Object.entries(TRANSITIONS) as [MessageKind, (typeof TRANSITIONS)['answer']][])
    .filter(([, t]) => t.by === side && t.from.includes(status))
    .map(([kind]) => kind);
  return side === 'requester' && CLOSABLE_FROM.includes(status) ? [...moves, 'close'] : moves;
}

function message(c: Communication, requesterOrg: string | undefined): AdviceMessage {
  const kind = (codeOf(c.category, ADVICE_MESSAGE_SYSTEM) as MessageKind | undefined) ?? 'reply';
  const attachments = (c.payload ?? [])
    .map((p) => p.contentAttachment)
    .filter((a): a is Attachment => !!a)
    .map((a, index) => ({
      index,
      ...(a.title ? { title: a.title } : {}),
      ...(a.contentType ? { contentType: a.contentType } : {}),
      ...(a.size !== undefined ? { size: a.size } : {}),
    }));
  const text = c.payload?.find((p) => p.contentString !== undefined)?.contentString;
  return {
    id: c.id!,
    kind,
    kindText: MESSAGE_KINDS[kind],
    side: c.meta?.source?.endsWith(`Organization/${requesterOrg ?? '-'}`) ? 'requester' : 'provider',
    ...(c.sender?.display ? { sender: c.sender.display } : {}),
    ...(c.sent ? { sent: c.sent } : {}),
    ...(text !== undefined ? { text } : {}),
    attachments,
  };
}

export function threadView(
  task: Task,
  messages: Communication[],
  side: Side,
  patient: Patient | undefined,
  now = new Date(),
): AdviceThread {
  const status = adviceStatusOf(task);
  const requesterOrg = task.meta?.tag?.find((t) => t.system === REFERRER_TAG_SYSTEM)?.code;
  const proposal = task.input?.find((i) => hasCode(i.type, REFERRAL_SYSTEM, 'proposed-priority'));
  const firstResponse = output(task, OUTPUT.firstResponse)?.valueDateTime;
  const proposalText = [...messages]
    .reverse()
    .find((m) => codeOf(m.category, ADVICE_MESSAGE_SYSTEM) === 'propose-referral')
    ?.payload?.find((p) => p.contentString !== undefined)?.contentString;
  return {
    ...summary(task, patient, now),
    side,
    actions: actionsFor(side, status),
    ...(proposal?.valueCode && status === 'conversion-proposed'
      ? { proposal: { priority: proposal.valueCode, ...(proposalText ? { text: proposalText } : {}) } }
      : {}),
    ...(firstResponse ? { firstResponseAt: firstResponse } : {}),
    messages: [...messages]
      .sort((a, b) => (a.sent ?? '').localeCompare(b.sent ?? ''))
      .map((c) => message(c, requesterOrg)),
  };
}
