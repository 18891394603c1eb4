/** Dates as the NHS style guide writes them: "3 March 2024", no leading zeros, 24-hour times. */

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});
const shortDateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'Europe/London',
});
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'Europe/London',
});
const dayFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  timeZone: 'Europe/London',
});

/** A FHIR date or dateTime as a Date; partial dates (2024, 2024-03) take their first day. */
export function parseFhirDate(value: string | undefined): Date | undefined {
  if (!value) {
    return undefined;
  }
  const full = /^\d{4}$/.test(value) ? `${value}-01-01` : /^\d{4}-\d{2}$/.test(value) ? `${value}-01` : value;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(full) ? `${full}T12:00:00Z` : full);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function formatDate(value: string | Date | undefined): string {
  const date = typeof value === 'string' ? parseFhirDate(value) : value;
  if (!date) {
    return 'Date not recorded';
  }
  if (typeof value === 'string' && /^\d{4}$/.test(value)) {
    return value;
  }
  return dateFormat.format(date);
}

export function formatShortDate(value: string | Date | undefined): string {
  const date = typeof value === 'string' ? parseFhirDate(value) : value;
  return date ? shortDateFormat.format(date) : '';
}

export function formatTime(value: string | Date | undefined): string {
  const date = typeof value === 'string' ? parseFhirDate(value) : value;
  return date ? timeFormat.format(date) : '';
}

export function formatDateTime(value: string | undefined): string {
  const date = parseFhirDate(value);
  if (!date) {
    return 'Date not recorded';
  }
  return value && value.length > 10
    ? `${dateFormat.format(date)} at ${timeFormat.format(date)}`
    : dateFormat.format(date);
}

export function formatDay(value: string | Date): string {
  return dayFormat.format(typeof value === 'string' ? new Date(value) : value);
}

/** Age in completed years on `today`. */
export function ageOn(birthDate: string, today = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getFullYear() - y;
  const month = today.getMonth() + 1;
  if (month < (m || 1) || (month === (m || 1) && today.getDate() < (d || 1))) {
    age--;
  }
  return age;
}

/** "4 years old"; under two, months ("18 months old"). */
export function describeAge(birthDate: string, today = new Date()): string {
  const years = ageOn(birthDate, today);
  if (years >= 2) {
    return `${years} years old`;
  }
  const [y, m] = birthDate.split('-').map(Number) as [number, number];
  const months = (today.getFullYear() - y) * 12 + (today.getMonth() + 1 - (m || 1));
  return `${months} month${months === 1 ? '' : 's'} old`;
}

/** yyyy-mm-dd for date inputs and searches. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const londonDayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
/** The calendar day (yyyy-mm-dd) an instant falls on in England. */
export function londonDay(value: string | Date): string {
  return londonDayFormat.format(typeof value === 'string' ? new Date(value) : value);
}

/** When something ends, for "… until 14:32 today": the time, and the day unless it is today. */
export function untilWhen(value: string, now = new Date()): string {
  const time = formatTime(value);
  const day = londonDay(value);
  if (day === londonDay(now)) {
    return `${time} today`;
  }
  const tomorrow = new Date(`${londonDay(now)}T12:00:00Z`);
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  if (day === isoDay(tomorrow)) {
    return `${time} tomorrow`;
  }
  return `${time} on ${formatDate(value)}`;
}
