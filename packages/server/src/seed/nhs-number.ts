/**
 * NHS number helpers (NHS Data Dictionary, "NHS NUMBER" — Modulus 11 check digit).
 *
 * The first nine digits are multiplied by weights 10..2, summed, and the check digit
 * is 11 - (sum mod 11); a result of 11 becomes 0, and a result of 10 means the
 * nine-digit stem is never issued (so any number with that stem is invalid).
 */

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

/** Size of the serial space: patient serials 0 .. NHS_NUMBER_CAPACITY-1 map to distinct NHS numbers. */
export const NHS_NUMBER_CAPACITY = 10_000_000;
// Multiplier coprime with 10^7 (odd, not a multiple of 5) => (serial * A + B) mod 10^7 is a bijection.
const SCRAMBLE_MULTIPLIER = 3_141_593;

/**
 * Deterministic, valid, unique synthetic NHS number for a serial number.
 *
 * Layout: "9" + 7 scrambled digits (a bijection of the serial) + 1 adjustment digit + check digit.
 * The adjustment digit is the first of 0–9 (starting from a serial-dependent offset) that gives a
 * stem with a valid check digit; since its weight is 2, at most one of the ten values is unusable.
 * Distinct serials (0 <= serial < 10^7) therefore always give distinct numbers. Numbers starting with
 * 9 are not issued to real patients in England (the 9xx range is used for testing), so these cannot
 * collide with a real person's NHS number.
 *
 * @param serial 0-based serial (e.g. patient index)
 * @param salt   optional salt (e.g. the seed) so different seeds give different numbers
 */
export function generateNhsNumber(serial: number, salt = 0): string {
  if (!Number.isInteger(serial) || serial < 0 || serial >= NHS_NUMBER_CAPACITY) {
    throw new RangeError(`serial must be an integer in [0, ${NHS_NUMBER_CAPACITY}), got ${serial}`);
  }
  const offset = ((Math.trunc(salt) % NHS_NUMBER_CAPACITY) + NHS_NUMBER_CAPACITY) % NHS_NUMBER_CAPACITY;
  // (serial * A + offset) mod 10^7 without losing precision: serial*A < 10^7 * 3.2e6 < 2^53.
  const scrambled = (serial * SCRAMBLE_MULTIPLIER + offset) % NHS_NUMBER_CAPACITY;
  const body = '9' + String(scrambled).padStart(7, '0');
  const start = serial % 10;
  for (let k = 0; k < 10; k++) {
    const stem = body + String((start + k) % 10);
    const check = nhsNumberCheckDigit(stem);
    if (check !== null) {
      return stem + String(check);
    }
  }
  /* c8 ignore next */
  throw new Error('unreachable: no valid adjustment digit');
}
