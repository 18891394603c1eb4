import { londonDay } from './dates.ts';

/** A date as the three boxes of the NHS.UK date input (day, month, year as typed). */
export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export const NO_DATE: DateParts = { day: '', month: '', year: '' };

/** "2026-12-07" → { day: '7', month: '12', year: '2026' }. */
export function dateParts(isoDay: string): DateParts {
  const [year, month, day] = isoDay.split('-');
  return { day: String(Number(day)), month: String(Number(month)), year: year! };
}

export const isEmptyDate = (parts: DateParts): boolean =>
  !parts.day.trim() && !parts.month.trim() && !parts.year.trim();

export interface DateRules {
  /** What the field is called in messages, lower case after "the": "start date", "end date". */
  name: string;
  /** The example in "must be a real date, like …" (defaults to today as d m yyyy). */
  example?: string;
  /** yyyy-mm-dd: no earlier than this day ("must be today or in the future" when it is today). */
  notBefore?: string;
  /** yyyy-mm-dd: no later than this day. */
  notAfter?: string;
  notAfterMessage?: string;
}

/**
 * The date typed into a date input as yyyy-mm-dd, or what is wrong with it in the NHS.UK design
 * system's words (missing part, not a real date, out of range). Empty boxes give `{ value: '' }`:
 * the caller decides whether the date is needed.
 */
export function readDateParts(
  parts: DateParts,
  rules: DateRules,
  today = londonDay(new Date()),
): { value: string } | { error: string } {
  const [day, month, year] = [parts.day, parts.month, parts.year].map((p) => p.trim());
  if (!day && !month && !year) {
    return { value: '' };
  }
  const example = rules.example ?? dateParts(today).day + ' ' + dateParts(today).month + ' ' + dateParts(today).year;
  const missing = [!day && 'day', !month && 'month', !year && 'year'].filter(Boolean);
  if (missing.length) {
    return { error: `The ${rules.name} must include a ${missing.join(' and ')}` };
  }
  const value = `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
  const date = new Date(`${value}T12:00:00Z`);
  if (
    ![day, month, year].every((p) => /^\d+$/.test(p!)) ||
    year!.length !== 4 ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== value
  ) {
    return { error: `The ${rules.name} must be a real date, like ${example}` };
  }
  if (rules.notBefore && value < rules.notBefore) {
    return {
      error:
        rules.notBefore === today
          ? `The ${rules.name} must be today or in the future`
          : `The ${rules.name} must be on or after ${rules.notBefore.split('-').reverse().join('/')}`,
    };
  }
  if (rules.notAfter && value > rules.notAfter) {
    return {
      error:
        rules.notAfterMessage ??
        `The ${rules.name} must be on or before ${rules.notAfter.split('-').reverse().join('/')}`,
    };
  }
  return { value };
}
