import { CronExpressionParser } from 'cron-parser';

/** The time zone schedules are read in unless they say otherwise: the clinics' wall clock. */
const DEFAULT_TIME_ZONE = 'Europe/London';

/** A recurring job: a five-field cron expression read in `tz` (default Europe/London). */
export interface JobSchedule {
  /** `minute hour day-of-month month day-of-week`, e.g. `0 9 * * 1-5` (09:00 on weekdays). */
  cron: string;
  /** An IANA time zone; default `Europe/London`, so 09:00 stays 09:00 in summer and winter. */
  tz?: string;
}

/**
 * The local hour the UK's clocks change in (01:00–01:59): skipped on the last Sunday of March and
 * repeated on the last Sunday of October. pg-boss finds an occurrence by stepping back from "now"
 * (cron-parser's `prev()`), which on the March day steps over a time that does not exist on it, so
 * a job set for 01:30 would not run that day at all. A schedule that names that hour is refused.
 */
const CHANGEOVER_HOUR = 1;

/**
 * Checks a schedule when its job is defined, so a mistake fails at start-up rather than silently
 * never firing: the expression must parse, have five fields (pg-boss runs at most one job a minute
 * per schedule, so seconds would mislead), the zone must be known, and a schedule in Europe/London
 * must not pick out the hour the clocks change in (every hour, as in `0 * * * *`, is fine).
 */
export function checkSchedule(name: string, schedule: JobSchedule): Required<JobSchedule> {
  const tz = schedule.tz ?? DEFAULT_TIME_ZONE;
  const fields = schedule.cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(`Job '${name}': cron '${schedule.cron}' must have five fields (minute hour day month weekday)`);
  }
  let hours: readonly number[];
  try {
    const parsed = CronExpressionParser.parse(schedule.cron, { tz, strict: false, currentDate: new Date() });
    parsed.next(); // cron-parser checks the zone only when it computes a date
    hours = parsed.fields.hour.values;
  } catch (error) {
    throw new Error(`Job '${name}': schedule '${schedule.cron}' (${tz}) is invalid: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (tz === DEFAULT_TIME_ZONE && hours.length < 24 && hours.includes(CHANGEOVER_HOUR)) {
    throw new Error(
      `Job '${name}': schedule '${schedule.cron}' runs between 01:00 and 02:00 in Europe/London, the hour the ` +
        'clocks change in (skipped in March, repeated in October); choose another hour',
    );
  }
  return { cron: schedule.cron.trim(), tz };
}

/** The next `count` times a schedule comes due after `from` (what pg-boss will run, for previews and tests). */
export function nextRuns(schedule: JobSchedule, from: Date, count: number): Date[] {
  const parsed = CronExpressionParser.parse(schedule.cron, {
    tz: schedule.tz ?? DEFAULT_TIME_ZONE,
    strict: false,
    currentDate: from,
  });
  return Array.from({ length: count }, () => parsed.next().toDate());
}
