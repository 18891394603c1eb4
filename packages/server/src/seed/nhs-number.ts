/**
 * Synthetic NHS numbers for the demo population. The check digit rules live with validation
 * (src/fhir/validation/nhs-number.ts), which refuses an NHS number that breaks them.
 */
import { nhsNumberCheckDigit } from '../fhir/validation/nhs-number.ts';

export { isValidNhsNumber, nhsNumberCheckDigit } from '../fhir/validation/nhs-number.ts';

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
