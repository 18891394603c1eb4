/**
 * What leaves CareWeave by text message or e-mail: never the inbox text. A module may word the text
 * message itself (minimal: "a patient of yours was admitted to hospital"), but never with the
 * patient's name or any digits (values, dates, NHS numbers); a text with either is replaced by the
 * generic one. The rest is the calling module's duty: say that there is something, never what.
 */
import type { HumanName, Identifier } from '@medplum/fhirtypes';
import type { Priority } from './types.ts';

export const GENERIC_SMS = 'You have a new CareWeave notification. Sign in to see it.';
export const GENERIC_URGENT_SMS = 'You have a new urgent CareWeave notification. Sign in to see it.';
export const GENERIC_EMAIL_SUBJECT = 'You have a new CareWeave notification';
/** What an inbox item whose subject the reader can no longer see shows instead of its words. */
export const HIDDEN_ITEM = 'A notification you can no longer see';
const MAX_SMS = 320;
const MAX_SUBJECT = 120;

export function genericSms(priority: Priority): string {
  return priority === 'urgent' ? GENERIC_URGENT_SMS : GENERIC_SMS;
}

export function emailBody(baseUrl: string): string {
  return [
    'You have a new CareWeave notification.',
    '',
    `Sign in to see it: ${baseUrl}`,
    '',
    'For your privacy this e-mail does not say what it is about.',
  ].join('\n');
}

/** The words that would identify the patient: names of 3+ letters and identifiers (NHS number). */
export function identifyingWords(patient: { name?: HumanName[]; identifier?: Identifier[] } | undefined): string[] {
  if (!patient) {
    return [];
  }
  const names = (patient.name ?? [])
    .flatMap((n) => [...(n.given ?? []), n.family ?? '', n.text ?? ''])
    .flatMap((n) => n.split(/\s+/));
  const ids = (patient.identifier ?? []).flatMap((i) => (i.value ? [i.value, i.value.replace(/\s/g, '')] : []));
  return [...names.filter((n) => n.trim().length >= 3), ...ids.filter((v) => v.length >= 6)].map((w) =>
    w.toLowerCase(),
  );
}

/** `wanted` if it is short and names no one; else `fallback`. */
export function minimalText(
  wanted: string | undefined,
  fallback: string,
  identifying: readonly string[],
  max: number,
): string {
  const text = wanted?.trim();
  if (!text || text.length > max) {
    return fallback;
  }
  // Whole words for names (the surname "One" is not in "someone"), digits run together for numbers.
  const words = new Set(text.toLowerCase().split(/[^\p{L}\p{N}'-]+/u));
  const digits = text.replace(/\D/g, '');
  const names = (word: string): boolean => (/^\d+$/.test(word) ? digits.includes(word) : words.has(word));
  // No digits at all: values, dates and identifiers have no place in a text message.
  return digits || identifying.some(names) ? fallback : text;
}

export function smsText(wanted: string | undefined, priority: Priority, identifying: readonly string[]): string {
  return minimalText(wanted, genericSms(priority), identifying, MAX_SMS);
}

export function emailSubject(wanted: string | undefined, identifying: readonly string[]): string {
  return minimalText(wanted, GENERIC_EMAIL_SUBJECT, identifying, MAX_SUBJECT);
}
