/**
 * Advice and guidance rules, pure (docs/REFERRALS.md, "Advice and guidance"): the conversation's
 * states and who may move it on from each, the agreed response time in working days, the coded
 * outcomes, and which attachments are safe to keep.
 */

/** `Task.businessStatus` (…/advice-business-status): whose turn it is. */
export const ADVICE_STATUSES = {
  'awaiting-advice': 'Awaiting advice',
  'information-requested': 'More information requested',
  'advice-given': 'Advice given',
  'conversion-proposed': 'Referral proposed',
  closed: 'Closed',
} as const;
export type AdviceStatus = keyof typeof ADVICE_STATUSES;

/** What a message in the thread is (`Communication.category`, …/advice-message-kind). */
export const MESSAGE_KINDS = {
  request: 'Question',
  answer: 'Advice',
  question: 'Request for more information',
  reply: 'Reply',
  'propose-referral': 'Proposal to convert to a referral',
  'accept-referral': 'Referral agreed',
  'decline-referral': 'Referral declined',
  close: 'Closed',
} as const;
export type MessageKind = keyof typeof MESSAGE_KINDS;

export type Side = 'requester' | 'provider';

/** Who sends each kind, from which states, and where it leaves the conversation. */
export const TRANSITIONS: Record<
  Exclude<MessageKind, 'request' | 'close'>,
  { by: Side; from: readonly AdviceStatus[]; to: AdviceStatus }
> = {
  answer: { by: 'provider', from: ['awaiting-advice'], to: 'advice-given' },
  question: { by: 'provider', from: ['awaiting-advice'], to: 'information-requested' },
  'propose-referral': { by: 'provider', from: ['awaiting-advice', 'advice-given'], to: 'conversion-proposed' },
  reply: { by: 'requester', from: ['information-requested', 'advice-given', 'awaiting-advice'], to: 'awaiting-advice' },
  'accept-referral': { by: 'requester', from: ['conversion-proposed'], to: 'closed' },
  'decline-referral': { by: 'requester', from: ['conversion-proposed'], to: 'advice-given' },
};
/** The requester closes the conversation from any open state but a pending proposal (they answer it). */
export const CLOSABLE_FROM: readonly AdviceStatus[] = ['awaiting-advice', 'information-requested', 'advice-given'];

/** The coded outcome (…/advice-outcome), recorded in the Task's output when it closes. */
export const OUTCOMES = {
  'referral-avoided': 'Referral avoided',
  'referral-made': 'Referral made',
  other: 'Other',
} as const;
export type AdviceOutcome = keyof typeof OUTCOMES;

export const PRIORITIES = ['routine', 'urgent', 'two-week-wait'] as const;
export type AdvicePriority = (typeof PRIORITIES)[number];
const RANK: Record<AdvicePriority, number> = { routine: 0, urgent: 1, 'two-week-wait': 2 };
/** The more urgent of two priorities: a converted referral never loses urgency (H-232). */
export const higherPriority = (a: AdvicePriority, b: AdvicePriority): AdvicePriority => (RANK[b] > RANK[a] ? b : a);

/**
 * `days` working days after `from` (Monday to Friday, UTC; bank holidays are not known here, so the
 * due time is at worst a day early, never late). The time of day is kept.
 */
export function addWorkingDays(from: Date, days: number): Date {
  const due = new Date(from);
  let left = days;
  while (left > 0) {
    due.setUTCDate(due.getUTCDate() + 1);
    const weekday = due.getUTCDay();
    if (weekday !== 0 && weekday !== 6) {
      left--;
    }
  }
  return due;
}

/** True while the provider owes an answer and the agreed time has passed (H-230). */
export const isOverdue = (status: AdviceStatus, due: string | undefined, now = new Date()): boolean =>
  status === 'awaiting-advice' && !!due && new Date(due).getTime() < now.getTime();

/** Safe types only: a PDF letter or result, a photograph. Named by their first bytes too. */
const ATTACHMENT_TYPES: Record<string, readonly number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
};
export const MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024;
export const MAX_ATTACHMENTS = 5;

interface AttachmentLike {
  contentType?: string;
  data?: string;
  url?: string;
  size?: number;
  title?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * What is wrong with an attachment (empty: nothing): a type outside the safe list, no inline data
 * (a `url` could point anywhere), not base64, over the size limit, a stated size that is not the
 * real one, or content whose first bytes are not of the type it claims (a renamed executable).
 */
export function attachmentProblems(attachment: AttachmentLike, label = 'attachment'): string[] {
  const type = attachment.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const magic = ATTACHMENT_TYPES[type];
  if (!magic) {
    return [`${label}: type '${attachment.contentType ?? 'none'}' is not allowed (PDF, JPEG or PNG only)`];
  }
  if (attachment.url !== undefined || !attachment.data) {
    return [`${label}: the file must be sent inline (data), not as a link`];
  }
  const data = attachment.data.replace(/\s/g, '');
  if (!BASE64.test(data) || data.length % 4 !== 0) {
    return [`${label}: data is not base64`];
  }
  const bytes = Buffer.from(data, 'base64');
  const problems: string[] = [];
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    problems.push(`${label}: ${bytes.length} bytes is over the limit of ${MAX_ATTACHMENT_BYTES}`);
  }
  if (attachment.size !== undefined && attachment.size !== bytes.length) {
    problems.push(`${label}: size says ${attachment.size} bytes but the file has ${bytes.length}`);
  }
  if (!magic.every((b, i) => bytes[i] === b)) {
    problems.push(`${label}: the file is not a ${type} file`);
  }
  if ((attachment.title?.length ?? 0) > 200) {
    problems.push(`${label}: the title is over 200 characters`);
  }
  return problems;
}
