import type { Priority } from './api.ts';

/**
 * The referral service's words for its codes (mirrors packages/server/src/referrals: the directory's
 * specialties, the lifecycle's business statuses and coded outcomes, the worklists).
 */
export const SPECIALTIES: readonly { code: string; name: string }[] = [
  { code: 'msk', name: 'MSK (musculoskeletal) and physiotherapy' },
  { code: 'trauma-orthopaedics', name: 'Trauma and orthopaedics' },
  { code: 'dermatology', name: 'Dermatology' },
  { code: 'cardiology', name: 'Cardiology' },
  { code: 'gynaecology', name: 'Gynaecology' },
  { code: 'breast', name: 'Breast' },
];
export const specialtyName = (code: string | undefined): string =>
  SPECIALTIES.find((s) => s.code === code)?.name ?? code ?? 'Unknown specialty';

export const PRIORITY_NAMES: Record<Priority, string> = {
  routine: 'Routine',
  urgent: 'Urgent',
  'two-week-wait': 'Two-week wait (suspected cancer)',
};

/** Specialties with their own standardised form; every two-week wait uses the suspected cancer form. */
const FORM_SPECIALTIES = ['msk', 'dermatology', 'cardiology', 'gynaecology'];

/** The Questionnaire id of the form a referral needs (undefined: the specialty has none). */
export function formIdFor(specialty: string, priority: Priority): string | undefined {
  if (priority === 'two-week-wait') {
    return 'referral-form-suspected-cancer';
  }
  return FORM_SPECIALTIES.includes(specialty) ? `referral-form-${specialty}` : undefined;
}

const STATUS_NAMES: Record<string, string> = {
  'awaiting-booking': 'Awaiting booking',
  'for-review': 'For review (triage)',
  'advice-requested': 'Advice requested',
  'slot-issue': 'Appointment slot issue',
  booked: 'Booked',
  rejected: 'Rejected',
  'returned-with-advice': 'Returned with advice',
  attended: 'Attended',
  'did-not-attend': 'Did not attend',
  discharged: 'Discharged',
  cancelled: 'Cancelled',
};
export const statusName = (code: string | undefined): string => (code && STATUS_NAMES[code]) || code || 'Draft';

/** The coded triage outcomes (server `OUTCOME_REASONS`): each belongs to one decision. */
export const OUTCOME_REASONS: readonly { code: string; decision: 'reject' | 'return'; name: string }[] = [
  { code: 'criteria-not-met', decision: 'reject', name: 'Does not meet the referral criteria' },
  { code: 'wrong-service', decision: 'reject', name: 'Referred to the wrong service' },
  { code: 'insufficient-information', decision: 'reject', name: 'Not enough information to decide' },
  { code: 'manage-in-primary-care', decision: 'return', name: 'Can be managed by the GP, with advice' },
  { code: 'tests-first', decision: 'return', name: 'Tests are needed before a referral' },
];
export const reasonName = (code: string | undefined): string =>
  OUTCOME_REASONS.find((r) => r.code === code)?.name ?? code ?? '';

export const WORKLISTS: readonly { name: string; title: string }[] = [
  { name: 'awaiting-booking', title: 'Awaiting booking' },
  { name: 'for-review', title: 'For review' },
  { name: 'slot-issues', title: 'Slot issues' },
  { name: 'rejected-or-returned', title: 'Rejected or returned' },
  { name: 'booked', title: 'Booked' },
  { name: 'did-not-attend', title: 'Did not attend' },
  { name: 'attended', title: 'Attended' },
];

export const PATHWAY_SECTIONS = [
  { key: 'criteria', title: 'Refer when' },
  { key: 'tests-first', title: 'Tests to do first' },
  { key: 'advice-and-guidance', title: 'When advice and guidance fits better' },
  { key: 'red-flag', title: 'Red flags: refer as a two-week wait' },
] as const;

/**
 * Which actions the referral's status allows, for the referrer's organisation or the provider's
 * (the server decides who may; it refuses the rest, and the refusal is shown).
 */
export function actionsFor(
  businessStatus: string | undefined,
  requestStatus: string,
  side: 'referrer' | 'provider' = 'provider',
): string[] {
  if (requestStatus === 'on-hold') {
    return side === 'referrer' ? ['acknowledge'] : [];
  }
  if (side === 'referrer') {
    // A referrer books what they deferred (or what has no slot yet); the rest is the provider's.
    return businessStatus === 'awaiting-booking' || businessStatus === 'slot-issue' ? ['book'] : [];
  }
  switch (businessStatus) {
    case 'for-review':
    case 'advice-requested':
      return ['triage'];
    case 'awaiting-booking':
    case 'slot-issue':
      return ['book'];
    case 'booked':
      return ['attendance'];
    case 'did-not-attend':
      return ['book', 'discharge'];
    case 'attended':
      return ['discharge'];
    default:
      return [];
  }
}

/** "2026-12-07T09:30:00Z" → "Monday 7 December 2026, 09:30" (London time). */
export function slotTime(iso: string | undefined): string {
  if (!iso) {
    return '—';
  }
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  }).format(new Date(iso));
}

/** "12 days", "1 day", "About 18 weeks" — waits as a referrer reads them. */
export function waitWords(days: number | undefined): string {
  if (days === undefined) {
    return 'No free appointments';
  }
  if (days < 28) {
    return `${days} day${days === 1 ? '' : 's'}`;
  }
  return `About ${Math.round(days / 7)} weeks`;
}

/** Indicative booking windows (server defaults; the server checks the real one when booking). */
export const WINDOW_DAYS: Record<Priority, number> = { routine: 126, urgent: 28, 'two-week-wait': 14 };

/** Whether a slot starts after the priority's booking window counted from `from` (shown as a warning). */
export const outsideWindow = (start: string, priority: Priority, from = new Date()): boolean =>
  new Date(start).getTime() > from.getTime() + WINDOW_DAYS[priority] * 86_400_000;
