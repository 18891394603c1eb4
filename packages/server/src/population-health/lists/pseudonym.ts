/**
 * Stable pseudonyms per purpose (docs/RISK-MODEL.md, "Pseudonymised lists"): a keyed hash (HMAC-SHA-256)
 * of the purpose and the patient id, so the same person has the same pseudonym in every commissioning
 * list — rows can be followed month to month — but a different one for another purpose, and nobody
 * without the key can link a pseudonym back to the record or across purposes.
 */
import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function pseudonym(key: string, purpose: string, patientId: string): string {
  const digest = createHmac('sha256', key).update(`${purpose}\u0000${patientId}`).digest();
  let out = '';
  for (let i = 0; i < 10; i++) {
    out += ALPHABET[digest[i]! % ALPHABET.length];
  }
  return `PX-${out.slice(0, 5)}-${out.slice(5)}`;
}

/** A five-year age band ("75–79"), 90 and over as one band. */
export function ageBand(age: number): string {
  if (age >= 90) {
    return '90+';
  }
  const low = Math.floor(age / 5) * 5;
  return `${low}–${low + 4}`;
}

/** Small numbers: counts from 1 to 4 are not shown (NHS England's disclosure control convention). */
export const SMALL_NUMBER = 5;

export function suppressed(count: number): number | '<5' {
  return count > 0 && count < SMALL_NUMBER ? '<5' : count;
}
