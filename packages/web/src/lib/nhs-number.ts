/** NHS numbers: 10 digits whose last is a Modulus 11 check digit (NHS Data Dictionary). */

export type NhsNumberCheck = { valid: true; value: string } | { valid: false; error: string };

/** Removes the spaces and dashes people type; keeps everything else so the error can name it. */
export function normaliseNhsNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

/** The Modulus 11 check digit for the first 9 digits, or undefined when none exists (remainder 10). */
export function checkDigit(nineDigits: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    sum += Number(nineDigits[i]) * (10 - i);
  }
  const digit = 11 - (sum % 11);
  if (digit === 11) {
    return 0;
  }
  return digit === 10 ? undefined : digit;
}

/** Checks an NHS number as typed and says, in plain words, what is wrong with it. */
export function checkNhsNumber(input: string): NhsNumberCheck {
  const value = normaliseNhsNumber(input);
  if (value === '') {
    return { valid: false, error: 'Enter an NHS number' };
  }
  if (!/^\d+$/.test(value)) {
    return { valid: false, error: 'NHS number must only contain numbers' };
  }
  if (value.length !== 10) {
    return { valid: false, error: `NHS number must be 10 digits (you entered ${value.length})` };
  }
  const expected = checkDigit(value.slice(0, 9));
  if (expected === undefined || expected !== Number(value[9])) {
    return {
      valid: false,
      error: 'This is not a valid NHS number: the last digit does not match. Check it has been typed correctly',
    };
  }
  return { valid: true, value };
}

export function isValidNhsNumber(input: string): boolean {
  return checkNhsNumber(input).valid;
}

/** 9434765919 → "943 476 5919" (the 3-3-4 format NHS number is always shown in). */
export function formatNhsNumber(value: string): string {
  const digits = normaliseNhsNumber(value);
  return /^\d{10}$/.test(digits) ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : value;
}
