import type { Resource } from '@medplum/fhirtypes';
import { Button } from 'nhsuk-react-components';
import { useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { DateInput } from '../../../components/DateInput.tsx';
import { dateParts, NO_DATE, type DateParts } from '../../../lib/date-parts.ts';
import { readRange, timelineFilter, timelineSearch, type TimelineFilter } from '../timeline-filter.ts';
import { organisationName, sourceOrganisationId, type PatientRecord } from '../../../api/record.ts';
import { Empty } from '../../../components/feedback.tsx';
import { NotOnlineTag } from '../../../components/RecordTable.tsx';
import { formatDate, formatTime, parseFhirDate } from '../../../lib/dates.ts';
import { KIND_LABEL, resourceDate, resourceTime, resourceTitle } from '../../../lib/fhir-display.ts';
import { observationName, observationValue } from '../../../lib/observations.ts';
import { withheldFromOnlineView } from '../../../lib/online-view.ts';
import { entryPath } from '../../../lib/record-links.ts';

const PAGE = 100;

interface Item {
  key: string;
  /** The entry's own page (its facts and what it is linked to). */
  path: string;
  kind: string;
  label: string;
  title: string;
  detail?: string;
  time: number;
  date?: string;
  org?: string;
  withheldOnline: boolean;
}

function toItem(record: PatientRecord, resource: Resource): Item | undefined {
  const kind = resource.resourceType;
  const label = KIND_LABEL[kind];
  const date = resourceDate(resource);
  if (!label || !date) {
    return undefined;
  }
  const observation = kind === 'Observation' ? resource : undefined;
  return {
    key: `${kind}/${resource.id}`,
    path: entryPath(record.patient.id ?? '', resource),
    kind: label,
    label,
    title: observation ? observationName(observation) : resourceTitle(resource),
    detail: observation ? observationValue(observation) : undefined,
    time: resourceTime(resource),
    date,
    org: sourceOrganisationId(resource, record),
    withheldOnline: withheldFromOnlineView(resource),
  };
}

/** Everything in the record in date order, across organisations, with filters. */
export function Timeline({ record }: { record: PatientRecord }) {
  const items = useMemo(
    () =>
      record.resources
        .map((r) => toItem(record, r))
        .filter((i): i is Item => Boolean(i))
        .sort((a, b) => b.time - a.time),
    [record],
  );
  const kinds = useMemo(() => [...new Set(items.map((i) => i.kind))].sort(), [items]);
  const orgs = useMemo(
    () =>
      [...new Set(items.map((i) => i.org).filter((o): o is string => Boolean(o)))].sort((a, b) =>
        organisationName(a).localeCompare(organisationName(b)),
      ),
    [items],
  );
  const [search, setSearch] = useSearchParams();
  const filter = timelineFilter(search);
  const { kind, org, from, to } = filter;
  const [fromParts, setFromParts] = useState<DateParts>(from ? dateParts(from) : NO_DATE);
  const [toParts, setToParts] = useState<DateParts>(to ? dateParts(to) : NO_DATE);
  const [dateErrors, setDateErrors] = useState<{ from?: string; to?: string }>({});
  const [shown, setShown] = useState(PAGE);
  const change = (next: Partial<TimelineFilter>): void => {
    setSearch(timelineSearch({ ...filter, ...next }), { replace: true });
    setShown(PAGE);
  };
  const applyDates = (event: FormEvent): void => {
    event.preventDefault();
    const range = readRange(fromParts, toParts);
    if ('errors' in range) {
      setDateErrors(range.errors);
      return;
    }
    setDateErrors({});
    change(range);
  };

  const fromTime = from ? parseFhirDate(`${from}T00:00:00`)?.getTime() : undefined;
  const toTime = to ? parseFhirDate(`${to}T23:59:59`)?.getTime() : undefined;
  const filtered = items.filter(
    (i) =>
      (!kind || i.kind === kind) &&
      (!org || i.org === org) &&
      (fromTime === undefined || i.time >= fromTime) &&
      (toTime === undefined || i.time <= toTime),
  );
  const visible = filtered.slice(0, shown);

  return (
    <div className="cw-timeline">
      <h2 className="nhsuk-heading-m">Timeline</h2>
      <form className="cw-filters" role="search" aria-label="Filter the timeline" onSubmit={applyDates} noValidate>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="filter-kind">
            Type
          </label>
          <select
            className="nhsuk-select"
            id="filter-kind"
            value={kind}
            onChange={(e) => change({ kind: e.target.value })}
          >
            <option value="">All types</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="filter-org">
            Organisation
          </label>
          <select
            className="nhsuk-select"
            id="filter-org"
            value={org}
            onChange={(e) => change({ org: e.target.value })}
          >
            <option value="">All organisations</option>
            {orgs.map((o) => (
              <option key={o} value={o}>
                {organisationName(o)}
              </option>
            ))}
          </select>
        </div>
        <DateInput id="filter-from" legend="From" value={fromParts} error={dateErrors.from} onChange={setFromParts} />
        <DateInput id="filter-to" legend="To" value={toParts} error={dateErrors.to} onChange={setToParts} />
        <div className="nhsuk-form-group cw-filters__apply">
          <Button type="submit" secondary>
            Apply dates
          </Button>
        </div>
      </form>
      <p className="nhsuk-body-s" role="status" aria-live="polite">
        Showing {visible.length} of {filtered.length} {filtered.length === 1 ? 'entry' : 'entries'}
        {filtered.length !== items.length ? ` (filtered from ${items.length})` : ''}.
      </p>
      {filtered.length === 0 ? (
        <Empty>Nothing in the record matches these filters.</Empty>
      ) : (
        <ol className="cw-timeline__list">
          {visible.map((item, index) => {
            // A day's heading goes above its first entry (the list is in date order).
            const day = formatDate(item.date);
            const heading = index === 0 || day !== formatDate(visible[index - 1]!.date) ? day : undefined;
            return (
              <li key={item.key} className="cw-timeline__item">
                {heading && <h3 className="cw-timeline__day nhsuk-heading-xs">{heading}</h3>}
                <div className="cw-timeline__entry">
                  <span className="cw-timeline__kind">{item.kind}</span>
                  <span className="cw-timeline__title">
                    <a href={item.path}>{item.title}</a>
                    {item.detail ? `: ${item.detail}` : ''}
                    {item.withheldOnline && (
                      <span className="cw-item-tags">
                        <NotOnlineTag />
                      </span>
                    )}
                  </span>
                  <span className="cw-timeline__meta">
                    {item.date && item.date.length > 10 ? `${formatTime(item.date)} · ` : ''}
                    {organisationName(item.org)}
                  </span>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {filtered.length > shown && (
        <button
          type="button"
          className="nhsuk-button nhsuk-button--secondary"
          onClick={() => setShown((s) => s + PAGE)}
        >
          Show {Math.min(PAGE, filtered.length - shown)} more
        </button>
      )}
    </div>
  );
}
