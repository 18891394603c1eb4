/** One row of `GET /api/access/audit` (packages/server/src/access/audit.ts). */
export interface AuditEntry {
  seq: number;
  recordedAt: string;
  actor: {
    kind?: string;
    practitioner?: string;
    organization?: string;
    role?: string;
    relatedPerson?: string;
    patient?: string;
    clientId?: string;
  };
  interaction: string;
  decision: string;
  breakGlassReason: string | null;
  resourceRefs: string[];
}

/** Who a reader of their own log wants to see: everyone, staff, connected systems, or themselves and carers. */
export type WhoFilter = 'all' | 'staff' | 'systems' | 'family';
export const WHO_FILTERS: readonly { value: WhoFilter; label: string }[] = [
  { value: 'all', label: 'Everyone' },
  { value: 'staff', label: 'Health and care staff' },
  { value: 'systems', label: 'Connected systems' },
  { value: 'family', label: 'You and your carers' },
];

export interface LogFilter {
  who: WhoFilter;
  /** Only emergency (break-glass) access and refusals: what a patient most needs to check. */
  concerns: boolean;
}

/** The filter in the page's address (`?who=staff&concerns=1`), so it survives reload and Back. */
export function filterFromSearch(search: URLSearchParams): LogFilter {
  const who = search.get('who');
  return {
    who: WHO_FILTERS.some((f) => f.value === who) ? (who as WhoFilter) : 'all',
    concerns: search.get('concerns') === '1',
  };
}

export const isBreakGlass = (entry: AuditEntry): boolean =>
  entry.decision === 'break-glass' || entry.interaction === 'break-glass' || Boolean(entry.breakGlassReason);
export const isRefusal = (entry: AuditEntry): boolean => entry.decision.startsWith('deny');

function matches(entry: AuditEntry, filter: LogFilter): boolean {
  if (filter.concerns && !isBreakGlass(entry) && !isRefusal(entry)) {
    return false;
  }
  switch (filter.who) {
    case 'staff':
      return entry.actor.kind === 'staff';
    case 'systems':
      return entry.actor.kind === 'system';
    case 'family':
      return entry.actor.kind === 'patient' || entry.actor.kind === 'related-person';
    default:
      return true;
  }
}

/** A run of the same person doing the same thing within a short time, shown as one row. */
export interface Visit {
  entry: AuditEntry;
  /** The earliest time in the run (the entry is the latest: the log is newest first). */
  from: string;
  count: number;
}

/** Entries closer together than this, by the same person doing the same thing, are one visit. */
const VISIT_GAP_MS = 30 * 60_000;

const actorKey = (entry: AuditEntry): string =>
  [
    entry.actor.kind,
    entry.actor.practitioner,
    entry.actor.organization,
    entry.actor.relatedPerson,
    entry.actor.patient,
    entry.actor.clientId,
  ].join('|');

/**
 * The log as a reader takes it in: filtered, and each run of repeated looks (a page of a record
 * opened in one sitting is many reads) folded into one row with a count. Emergency access and
 * refusals are never folded, so each one can be checked on its own.
 */
export function visits(entries: readonly AuditEntry[], filter: LogFilter): Visit[] {
  const result: Visit[] = [];
  for (const entry of entries.filter((e) => matches(e, filter))) {
    const last = result.at(-1);
    const foldable = !isBreakGlass(entry) && !isRefusal(entry);
    if (
      last &&
      foldable &&
      !isBreakGlass(last.entry) &&
      !isRefusal(last.entry) &&
      actorKey(last.entry) === actorKey(entry) &&
      last.entry.interaction === entry.interaction &&
      Date.parse(last.from) - Date.parse(entry.recordedAt) <= VISIT_GAP_MS
    ) {
      last.from = entry.recordedAt;
      last.count += 1;
    } else {
      result.push({ entry, from: entry.recordedAt, count: 1 });
    }
  }
  return result;
}
