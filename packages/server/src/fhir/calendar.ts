/** Calendar arithmetic the regular expressions of FHIR's date types cannot express. */

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * Why a FHIR `date`, `dateTime` or `instant` names a day that does not exist (`2024-02-30`,
 * `2023-02-29`), or undefined. Only the day of the month is judged: the format, including the
 * ranges of month, hour and minute, is the job of the type's regular expression.
 */
export function impossibleDay(value: string): string | undefined {
  const match = DATE_PREFIX.exec(value);
  if (!match) {
    return undefined;
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) {
    return undefined;
  }
  const days = daysInMonth(year, month);
  return day > days ? `${match[0]} is not a calendar date: ${year}-${match[2]} has ${days} days` : undefined;
}

const TIMESTAMP =
  /^(\d{4,6})-(\d{2})-(\d{2})[ T]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d){0,2})?( BC)?$/;

/**
 * True for a timestamp as PostgreSQL writes a `timestamptz` as text (`2024-02-29 10:00:00.5+00`,
 * `infinity`), naming a real day, so that casting it back cannot fail.
 */
export function isTimestampText(value: string): boolean {
  if (value === 'infinity' || value === '-infinity') {
    return true;
  }
  const match = TIMESTAMP.exec(value);
  if (!match) {
    return false;
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}
