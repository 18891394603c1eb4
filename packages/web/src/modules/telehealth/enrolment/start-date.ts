import { londonDay } from '../../../lib/dates.ts';

/** The start date as the three boxes of the NHS.UK date input. */
export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export function dateParts(isoDay: string): DateParts {
  const [year, month, day] = isoDay.split('-');
  return { day: String(Number(day)), month: String(Number(month)), year: year! };
}

/**
 * The start date (yyyy-mm-dd), or what is wrong with it: a real date, today or later (texts are
 * never sent for days gone by), and within a year.
 */
export function checkStartDate(parts: DateParts, today = londonDay(new Date())): { value: string } | { error: string } {
  const [day, month, year] = [parts.day, parts.month, parts.year].map((p) => p.trim());
  if (!day || !month || !year) {
    return { error: 'Enter the start date, with a day, month and year' };
  }
  if (![day, month, year].every((p) => /^\d+$/.test(p)) || year.length !== 4) {
    return { error: 'The start date must be a real date, like 7 12 2026' };
  }
  const value = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = new Date(`${value}T12:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    return { error: 'The start date must be a real date, like 7 12 2026' };
  }
  if (value < today) {
    return { error: 'The start date must be today or in the future' };
  }
  const yearAhead = new Date(`${today}T12:00:00Z`);
  yearAhead.setUTCFullYear(yearAhead.getUTCFullYear() + 1);
  if (date > yearAhead) {
    return { error: 'The start date must be within a year from today' };
  }
  return { value };
}
