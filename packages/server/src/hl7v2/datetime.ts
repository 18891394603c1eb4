/**
 * HL7 v2 date/times (DTM/TS: `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`) as FHIR dateTime.
 * A time without an offset is local time where the sender is (`timeZone`), so a discharge at
 * 10:00 in British Summer Time is 09:00Z, not 10:00Z.
 */

const DTM = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The FHIR dateTime for an HL7 DTM, '' for an empty value, or undefined when it is not a valid
 * date/time (the caller says which field).
 *
 * @example
 * fhirDateTime('20150208113419+0110', 'Europe/London') // '2015-02-08T11:34:19+01:10'
 * fhirDateTime('202107011000', 'Europe/London')        // '2021-07-01T10:00:00+01:00'
 */
export function fhirDateTime(value: string, timeZone: string): string | undefined {
  if (value === '') {
    return '';
  }
  const match = DTM.exec(value);
  if (!match) {
    return undefined;
  }
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const y = Number(year);
  const mo = Number(month ?? '1');
  const d = Number(day ?? '1');
  const h = Number(hour ?? '0');
  const mi = Number(minute ?? '0');
  const s = Number(second ?? '0');
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  if (
    mo < 1 ||
    mo > 12 ||
    calendar.getUTCDate() !== d ||
    calendar.getUTCMonth() !== mo - 1 ||
    h > 23 ||
    mi > 59 ||
    s > 59 ||
    (offset !== undefined && !validOffset(offset))
  ) {
    return undefined;
  }
  const date = [year, month, day].filter(Boolean).join('-');
  if (hour === undefined) {
    return date;
  }
  const time = `${hour}:${minute ?? '00'}:${second ?? '00'}${fraction ? `.${fraction}` : ''}`;
  const zone =
    offset !== undefined
      ? `${offset.slice(0, 3)}:${offset.slice(3)}`
      : formatOffset(localOffsetMinutes(Date.UTC(y, mo - 1, d, h, mi, s), timeZone));
  return `${date}T${time}${zone}`;
}

function validOffset(offset: string): boolean {
  const hours = Number(offset.slice(1, 3));
  const minutes = Number(offset.slice(3));
  return hours <= 14 && minutes <= 59;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The zone's UTC offset at the instant `utcMs`, in minutes. */
function offsetAt(utcMs: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * The offset of a wall-clock time (given as if it were UTC) in the zone. A time that occurs twice
 * (the hour the clocks go back) gets one of its two offsets; one that never occurs (the hour they
 * go forward), the offset after the change.
 */
function localOffsetMinutes(wallMs: number, timeZone: string): number {
  const first = offsetAt(wallMs, timeZone);
  const second = offsetAt(wallMs - first * 60_000, timeZone);
  if (second === first) {
    return first;
  }
  return offsetAt(wallMs - second * 60_000, timeZone) === second ? Math.max(first, second) : first;
}

/** HL7 DTM for an instant, in UTC: `YYYYMMDDHHMMSS+0000`. */
export function hl7Now(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}+0000`;
}
