/** Case- and accent-insensitive form used for FHIR string search (the spec's default matching). */
export function normalizeString(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();
}

export interface DateRange {
  low: Date;
  high: Date;
}

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Turns a FHIR date, dateTime or instant (any precision) into the instant range it covers:
 * `2020-03` is the whole of March. Values without a time zone are taken as UTC.
 * Returns undefined for malformed input.
 */
export function dateRange(value: string): DateRange | undefined {
  const match = DATE_PATTERN.exec(value.trim());
  if (!match) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s, frac, tz] = match;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  const offsetMinutes = tz && tz !== 'Z' ? tzOffset(tz) : 0;
  const start =
    Date.UTC(
      year,
      month,
      day,
      h ? Number(h) : 0,
      mi ? Number(mi) : 0,
      s ? Number(s) : 0,
      frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0,
    ) -
    offsetMinutes * 60_000;
  if (Number.isNaN(start)) {
    return undefined;
  }
  let end: number;
  if (!mo) {
    end = Date.UTC(year + 1, 0, 1) - offsetMinutes * 60_000;
  } else if (!d) {
    end = Date.UTC(year, month + 1, 1) - offsetMinutes * 60_000;
  } else if (!h) {
    end = Date.UTC(year, month, day + 1) - offsetMinutes * 60_000;
  } else if (!s) {
    end = start + 60_000;
  } else if (!frac) {
    end = start + 1000;
  } else {
    end = start + Math.max(1, 10 ** (3 - Math.min(frac.length, 3)));
  }
  return { low: new Date(start), high: new Date(end - 1) };
}

function tzOffset(tz: string): number {
  const sign = tz.startsWith('-') ? -1 : 1;
  const [hh, mm] = tz.slice(1).split(':').map(Number);
  return sign * ((hh ?? 0) * 60 + (mm ?? 0));
}
