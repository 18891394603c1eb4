import { londonDay } from '../../../lib/dates.ts';
import { readDateParts, type DateParts } from '../../../lib/date-parts.ts';

export { dateParts, type DateParts } from '../../../lib/date-parts.ts';

/**
 * The start date (yyyy-mm-dd), or what is wrong with it: a real date, today or later (texts are
 * never sent for days gone by), and within a year.
 */
export function checkStartDate(parts: DateParts, today = londonDay(new Date())): { value: string } | { error: string } {
  const yearAhead = new Date(`${today}T12:00:00Z`);
  yearAhead.setUTCFullYear(yearAhead.getUTCFullYear() + 1);
  const read = readDateParts(
    parts,
    {
      name: 'start date',
      example: '7 12 2026',
      notBefore: today,
      notAfter: yearAhead.toISOString().slice(0, 10),
      notAfterMessage: 'The start date must be within a year from today',
    },
    today,
  );
  return 'value' in read && !read.value ? { error: 'Enter the start date, with a day, month and year' } : read;
}
