/**
 * NHS numbers (NHS Data Dictionary, "NHS NUMBER" — Modulus 11 check digit).
 *
 * The first nine digits are multiplied by weights 10..2, summed, and the check digit
 * is 11 - (sum mod 11); a result of 11 becomes 0, and a result of 10 means the
 * nine-digit stem is never issued (so any number with that stem is invalid).
 */

import { NHS_NUMBER_SYSTEM } from '@careweave/vocabulary';

/** The identifier system of NHS numbers in England (UK Core). */
export { NHS_NUMBER_SYSTEM };

const TEN_DIGITS = /^\d{10}$/;
const NINE_DIGITS = /^\d{9}$/;

/** Check digit for a nine-digit stem, or null if the stem can never be issued (remainder check 10). */
export function nhsNumberCheckDigit(stem: string): number | null {
  if (!NINE_DIGITS.test(stem)) {
    throw new TypeError(`NHS number stem must be 9 digits, got "${stem}"`);
  }
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    sum += (stem.charCodeAt(i) - 48) * (10 - i);
  }
  const check = 11 - (sum % 11);
  if (check === 11) {
    return 0;
  }
  if (check === 10) {
    return null;
  }
  return check;
}

/** True only for a string of exactly 10 digits whose last digit is the correct Modulus 11 check digit. */
export function isValidNhsNumber(value: string): boolean {
  if (typeof value !== 'string' || !TEN_DIGITS.test(value)) {
    return false;
  }
  const check = nhsNumberCheckDigit(value.slice(0, 9));
  return check !== null && check === value.charCodeAt(9) - 48;
}
