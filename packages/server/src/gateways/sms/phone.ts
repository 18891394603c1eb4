import type { ContactPoint } from '@medplum/fhirtypes';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { badRequest } from '../../fhir/outcome.ts';

/**
 * Ofcom's numbers reserved for drama (07700 900000–900999): they reach nobody, so demos, tests and
 * GOV.UK Notify's own test numbers use them; libphonenumber calls them invalid, we accept them.
 */
const FICTIONAL_UK_MOBILE = /^\+447700900\d{3}$/;

/** Why a number cannot be texted, or undefined when it can. */
export class InvalidPhoneNumber extends Error {}

/**
 * A phone number in E.164 (`+447700900123`), read as a UK number unless it has a country code.
 * `international`: the number is written with its country code but without `+` (GOV.UK Notify's
 * `source_number`, `447700900123`). Throws InvalidPhoneNumber for anything that is not a valid number.
 *
 * @example normalisePhone('07700 900123') // '+447700900123'
 */
export function normalisePhone(input: string, options: { international?: boolean } = {}): string {
  const text = input.trim();
  const candidate = options.international && /^[1-9]\d{6,14}$/.test(text) ? `+${text}` : text;
  const parsed = parsePhoneNumberFromString(candidate, 'GB');
  if (parsed && (parsed.isValid() || FICTIONAL_UK_MOBILE.test(parsed.number))) {
    return parsed.number;
  }
  throw new InvalidPhoneNumber(`'${input}' is not a valid phone number`);
}

/** normalisePhone for a request: an invalid number is a 400 naming it. */
export function requirePhone(input: unknown, field: string): string {
  if (typeof input !== 'string' || !input.trim()) {
    return badRequest(`${field} must be a phone number`, [field]);
  }
  try {
    return normalisePhone(input);
  } catch (error) {
    return badRequest((error as Error).message, [field]);
  }
}

/**
 * The number to text among a person's `telecom`, as E.164: `system: sms` first, then `use: mobile`,
 * then any phone. A UK mobile (+447…) is taken wherever it is; with `anyCountry`, so is any number
 * marked as a mobile (staff abroad). Undefined when none can be texted.
 */
export function mobileOf(
  telecom: readonly ContactPoint[] | undefined,
  options: { anyCountry?: boolean } = {},
): string | undefined {
  const phones = (telecom ?? []).filter((t) => (t.system === 'sms' || t.system === 'phone') && t.value);
  const marked = (t: ContactPoint): boolean => t.system === 'sms' || t.use === 'mobile';
  for (const telecomEntry of [...phones.filter(marked), ...phones.filter((t) => !marked(t))]) {
    try {
      const number = normalisePhone(telecomEntry.value!);
      if (number.startsWith('+447') || (options.anyCountry && marked(telecomEntry))) {
        return number;
      }
    } catch {
      // Not a number we can text: try the next.
    }
  }
  return undefined;
}
