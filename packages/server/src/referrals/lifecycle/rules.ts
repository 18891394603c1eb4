/**
 * The referral lifecycle's rules, without I/O (docs/REFERRALS.md, "Lifecycle"): priorities and their
 * booking windows, the unique booking reference number (UBRN) and the patient's letter password, the
 * coded triage outcomes and the plain-English letter each one writes to the patient.
 */
import { randomInt, scrypt as scryptCallback, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

export const PRIORITIES = ['routine', 'urgent', 'two-week-wait'] as const;
export type ReferralPriority = (typeof PRIORITIES)[number];

/** FHIR ServiceRequest/Task.priority for each referral priority (2WW is the most urgent: `asap`). */
export const FHIR_PRIORITY: Record<ReferralPriority, 'routine' | 'urgent' | 'asap'> = {
  routine: 'routine',
  urgent: 'urgent',
  'two-week-wait': 'asap',
};
export const fromFhirPriority = (priority: string | undefined): ReferralPriority =>
  priority === 'asap' ? 'two-week-wait' : priority === 'urgent' ? 'urgent' : 'routine';

export interface BookingWindows {
  TWO_WEEK_WAIT_DAYS: number;
  URGENT_DAYS: number;
  ROUTINE_DAYS: number;
}

/** The last moment a first appointment may be, counted from when the referral was sent (H-200). */
export function bookingWindowEnd(priority: ReferralPriority, sentAt: Date, windows: BookingWindows): Date {
  const days =
    priority === 'two-week-wait'
      ? windows.TWO_WEEK_WAIT_DAYS
      : priority === 'urgent'
        ? windows.URGENT_DAYS
        : windows.ROUTINE_DAYS;
  return new Date(sentAt.getTime() + days * 86_400_000);
}

/** Whether a slot starting at `start` is inside the priority's booking window. */
export const insideWindow = (start: string, windowEnd: Date): boolean =>
  new Date(start).getTime() <= windowEnd.getTime();

/** The Luhn check digit of a string of digits. */
export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A candidate UBRN: 12 digits, not starting with 0, the last a Luhn check digit (uniqueness: the table). */
export function newUbrn(): string {
  let body = String(randomInt(1, 10));
  while (body.length < 11) {
    body += String(randomInt(0, 10));
  }
  return body + String(luhnDigit(body));
}

/** Whether a string is a well-formed UBRN (12 digits, valid check digit). */
export const isUbrn = (value: string): boolean =>
  /^[1-9]\d{11}$/.test(value) && luhnDigit(value.slice(0, 11)) === Number(value[11]);

/** Letters and digits a patient cannot misread on a printed letter (no 0/O, 1/l/I). */
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** The password printed on the patient's appointment request letter (shown once, stored hashed). */
export function newLetterPassword(length = 8): string {
  let password = '';
  for (let i = 0; i < length; i++) {
    password += PASSWORD_ALPHABET[randomInt(0, PASSWORD_ALPHABET.length)];
  }
  return password;
}

export async function hashLetterPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.toLowerCase(), salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function letterPasswordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) {
    return false;
  }
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password.toLowerCase(), Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(expected, actual);
}

/** What the referrer chose to do with the referral once a service is chosen. */
export const SEND_ACTIONS = ['book', 'defer', 'triage', 'advice'] as const;

/** Where a referral is, on the provider's Task (`businessStatus`). */
export const BUSINESS_STATUSES = {
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
} as const;
export type BusinessStatus = keyof typeof BUSINESS_STATUSES;

/** The statuses from which each provider action may start (anything else: 409). */
export const ALLOWED_FROM: Record<'triage' | 'book' | 'attendance' | 'discharge', readonly BusinessStatus[]> = {
  triage: ['for-review', 'advice-requested'],
  book: ['awaiting-booking', 'slot-issue', 'did-not-attend'],
  attendance: ['booked'],
  discharge: ['attended', 'did-not-attend'],
};

/** Coded outcomes of triage: why a referral was rejected or returned, and what the patient is told. */
export const OUTCOME_REASONS = {
  'criteria-not-met': {
    decision: 'reject',
    display: 'Does not meet the referral criteria',
    letter:
      'The hospital team has read the referral from your GP and decided that you do not need to be seen in ' +
      'their clinic at the moment, because your symptoms do not meet the criteria agreed locally for this ' +
      'service. Your GP practice has been told why.',
  },
  'wrong-service': {
    decision: 'reject',
    display: 'Referred to the wrong service',
    letter:
      'The hospital team has read the referral from your GP and thinks a different clinic is the right place ' +
      'for you. Your GP practice has been told which one, so that they can refer you there.',
  },
  'insufficient-information': {
    decision: 'reject',
    display: 'Not enough information to decide',
    letter:
      'The hospital team needs more information from your GP before they can decide about an appointment. ' +
      'Your GP practice has been asked for it.',
  },
  'manage-in-primary-care': {
    decision: 'return',
    display: 'Can be managed by the GP, with advice',
    letter:
      'The hospital specialist has read the referral from your GP and has sent your GP advice on how to ' +
      'look after your condition at your GP practice. You do not need a hospital appointment for now.',
  },
  'tests-first': {
    decision: 'return',
    display: 'Tests are needed before a referral',
    letter:
      'The hospital specialist has asked your GP to arrange some tests first. Once the results are back, ' +
      'your GP can refer you again if you still need to be seen.',
  },
} as const;
export type OutcomeReason = keyof typeof OUTCOME_REASONS;

/**
 * The plain-English letter to the patient about a rejected or returned referral (H-206): the coded
 * reason's words, what to do next and who to contact — never the clinicians' free-text advice,
 * which is written for the GP.
 */
export function outcomeLetter(input: {
  patientName: string;
  specialty: string;
  provider: string;
  reason: OutcomeReason;
  ubrn: string;
}): string {
  const reason = OUTCOME_REASONS[input.reason];
  return [
    `Dear ${input.patientName},`,
    '',
    `About your referral to ${input.specialty} at ${input.provider} (booking reference ${input.ubrn}).`,
    '',
    reason.letter,
    '',
    'What happens next: your GP practice will be in touch with you. If your symptoms get worse, or you ' +
      'notice anything new that worries you, contact your GP practice or NHS 111 — do not wait for them.',
    '',
    `Yours sincerely,`,
    input.provider,
  ].join('\n');
}

/** Whole days waited since `since` (never negative). */
export const waitingDays = (since: string | undefined, now = new Date()): number =>
  since ? Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 86_400_000)) : 0;
