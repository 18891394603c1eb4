import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, fhirGet } from '../../../api/client.ts';
import { ApiError } from '../../../api/errors.ts';
import { organisationName, resolveOrganisations } from '../../../api/record.ts';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { useSession } from '../../../auth/session.ts';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { displayName, refId } from '../../../lib/fhir-display.ts';
import { roleName } from '../../../lib/roles.ts';
import {
  filterFromSearch,
  isBreakGlass,
  isRefusal,
  visits,
  WHO_FILTERS,
  type AuditEntry,
  type LogFilter,
  type Visit,
} from '../access-log.ts';

const INTERACTION: Record<string, string> = {
  read: 'Looked at part of the record',
  vread: 'Looked at an earlier version',
  search: 'Searched the record',
  history: 'Looked at changes',
  everything: 'Opened the whole record',
  create: 'Added information',
  update: 'Changed information',
  patch: 'Changed information',
  delete: 'Removed information',
  'break-glass': 'Used emergency access',
  'sharing-summary': 'Looked at who can see the record',
};

/** The log of the patient's record, with the names of the people and organisations in it. */
async function loadLog(patientId: string) {
  const { entries } = await api<{ entries: AuditEntry[] }>(
    `/api/access/audit?patient=${encodeURIComponent(patientId)}&_count=200`,
  );
  const orgs = entries
    .map((e) => refId(e.actor.organization, 'Organization'))
    .filter((id): id is string => Boolean(id));
  const people = [
    ...new Set(
      entries.map((e) => refId(e.actor.practitioner, 'Practitioner')).filter((id): id is string => Boolean(id)),
    ),
  ];
  await resolveOrganisations([...new Set(orgs)]);
  const names = new Map<string, string>();
  if (people.length) {
    const bundle = await fhirGet<Bundle<Practitioner>>(`Practitioner?_id=${people.slice(0, 100).join(',')}&_count=100`);
    for (const entry of bundle.entry ?? []) {
      names.set(entry.resource!.id!, displayName(entry.resource!.name));
    }
  }
  return { entries, names };
}

/** Who has looked at my record, including emergency (break-glass) access with its reason. */
export default function AccessLog({ patientId }: { patientId: string }) {
  const session = useSession();
  const log = useQuery({ queryKey: ['access-log', patientId], queryFn: () => loadLog(patientId) });
  const [search, setSearch] = useSearchParams();
  const filter = filterFromSearch(search);
  // A carer reads it for the person they act for, in that voice ("their record"), never "your".
  const actingFor = session?.kind === 'related-person' ? session.actingFor?.name : undefined;
  const voice = actingFor ? { whose: `${actingFor}’s`, you: actingFor } : undefined;
  const me = session?.kind === 'related-person' ? session.actingFor?.relatedPersonId : undefined;
  return (
    <>
      <PageTitle caption={actingFor ? `Acting for ${actingFor}` : undefined}>
        {voice ? `Who has looked at ${voice.whose} record` : 'Who has looked at your record'}
      </PageTitle>
      <p className="nhsuk-body">
        {voice
          ? `Every time someone looks at or changes ${voice.whose} record, it is written down. If you think someone looked at it without a good reason, tell ${voice.you} or their GP practice.`
          : 'Every time someone looks at or changes your record, it is written down. If you think someone looked at it without a good reason, contact your GP practice.'}
      </p>
      {log.status === 'pending' && <Loading what="the access log" />}
      {log.status === 'error' &&
        (log.error instanceof ApiError && log.error.status === 404 ? (
          <Empty>The access log is not available on this server yet.</Empty>
        ) : voice && log.error instanceof ApiError && log.error.status === 403 ? (
          <Empty>
            {voice.you} has not shared who has looked at their record with you. They can choose to share it on their
            sharing page.
          </Empty>
        ) : (
          <ErrorMessage error={log.error} onRetry={() => void log.refetch()} />
        ))}
      {log.status === 'success' &&
        (log.data.entries.length === 0 ? (
          <Empty>Nobody has looked at {voice ? `${voice.whose}` : 'your'} record yet.</Empty>
        ) : (
          <FilteredLog
            entries={log.data.entries}
            filter={filter}
            onFilter={(next) => setSearch(searchFor(next), { replace: true })}
            columns={columns(log.data.names, voice?.you, me)}
            whose={voice?.whose}
          />
        ))}
    </>
  );
}

function searchFor(filter: LogFilter): URLSearchParams {
  const search = new URLSearchParams();
  if (filter.who !== 'all') {
    search.set('who', filter.who);
  }
  if (filter.concerns) {
    search.set('concerns', '1');
  }
  return search;
}

/** The filters (kept in the address) and the log folded into visits. */
function FilteredLog({
  entries,
  filter,
  onFilter,
  columns,
  whose,
}: {
  entries: AuditEntry[];
  filter: LogFilter;
  onFilter: (filter: LogFilter) => void;
  columns: Column<Visit>[];
  whose?: string;
}) {
  const rows = visits(entries, filter);
  const concerns = entries.filter((e) => isBreakGlass(e) || isRefusal(e)).length;
  return (
    <>
      <form
        className="cw-filters"
        role="search"
        aria-label="Filter the access log"
        onSubmit={(e) => e.preventDefault()}
      >
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="log-who">
            Who
          </label>
          <select
            className="nhsuk-select"
            id="log-who"
            value={filter.who}
            onChange={(e) => onFilter({ ...filter, who: e.target.value as LogFilter['who'] })}
          >
            {WHO_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.value === 'family' && whose ? 'You, the patient and their carers' : f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <div className="nhsuk-checkboxes nhsuk-checkboxes--small">
            <div className="nhsuk-checkboxes__item">
              <input
                className="nhsuk-checkboxes__input"
                id="log-concerns"
                type="checkbox"
                checked={filter.concerns}
                onChange={(e) => onFilter({ ...filter, concerns: e.target.checked })}
              />
              <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="log-concerns">
                Only emergency access and refused requests ({concerns})
              </label>
            </div>
          </div>
        </div>
      </form>
      <p className="nhsuk-body-s" role="status">
        {rows.length === 0
          ? 'Nothing matches these filters.'
          : `Showing ${rows.length} ${rows.length === 1 ? 'visit' : 'visits'} (${rows.reduce((n, r) => n + r.count, 0)} of ${entries.length} entries). Repeated looks by the same person within half an hour are shown once.`}
      </p>
      {rows.length > 0 && (
        <ResponsiveTable
          caption={`Who has looked at ${whose ?? 'your'} record, newest first`}
          captionHidden
          columns={columns}
          rows={rows}
          rowKey={(visit) => visit.entry.seq}
        />
      )}
    </>
  );
}

function columns(names: Map<string, string>, patientName?: string, me?: string): Column<Visit>[] {
  return [
    { key: 'when', header: 'When', cell: (visit) => when(visit) },
    { key: 'who', header: 'Who', cell: (visit) => who(visit.entry, names, patientName, me) },
    {
      key: 'what',
      header: 'What they did',
      cell: (visit) => <WhatTheyDid entry={visit.entry} count={visit.count} />,
    },
  ];
}

/** "7 Dec 2026 10:40", or for a folded visit "7 Dec 2026 10:29 to 10:40". */
function when(visit: Visit): string {
  const latest = formatDateTime(visit.entry.recordedAt);
  if (visit.count === 1) {
    return latest;
  }
  const earliest = formatDateTime(visit.from);
  const [latestDay, latestTime] = [latest.slice(0, latest.lastIndexOf(' ')), latest.slice(latest.lastIndexOf(' ') + 1)];
  return earliest.startsWith(latestDay) ? `${earliest} to ${latestTime}` : `${earliest} to ${latest}`;
}

function WhatTheyDid({ entry, count }: { entry: AuditEntry; count: number }) {
  const breakGlass = isBreakGlass(entry);
  return (
    <>
      {breakGlass && <strong className="nhsuk-tag nhsuk-tag--red cw-tag-s">Emergency access</strong>}{' '}
      {entry.decision.startsWith('deny')
        ? 'Asked to see part of your record and was refused'
        : (INTERACTION[entry.interaction] ?? entry.interaction)}
      {count > 1 && ` (${count} times)`}
      {entry.breakGlassReason && <span className="cw-item-detail">Reason given: “{entry.breakGlassReason}”</span>}
    </>
  );
}

function who(entry: AuditEntry, names: Map<string, string>, patientName?: string, me?: string): string {
  switch (entry.actor.kind) {
    case 'staff': {
      const person = names.get(refId(entry.actor.practitioner, 'Practitioner') ?? '') ?? 'A member of staff';
      const role = roleName(entry.actor.role);
      return `${person}${role ? ` (${role})` : ''}, ${organisationName(refId(entry.actor.organization, 'Organization'))}`;
    }
    case 'patient':
      return patientName ?? 'You';
    case 'related-person':
      if (!patientName) {
        return 'Your carer';
      }
      return me && refId(entry.actor.relatedPerson, 'RelatedPerson') === me ? 'You' : 'A carer';
    case 'system':
      return `A connected system (${entry.actor.clientId ?? 'unknown'})`;
    default:
      return 'Unknown';
  }
}
