import type { Resource } from '@medplum/fhirtypes';
import { useMemo, useState } from 'react';
import { organisationName, sourceOrganisationId, type PatientRecord } from '../../../api/record.ts';
import { Empty } from '../../../components/feedback.tsx';
import { NotOnlineTag } from '../../../components/RecordTable.tsx';
import { formatDate, formatTime, parseFhirDate } from '../../../lib/dates.ts';
import { KIND_LABEL, resourceDate, resourceTime, resourceTitle } from '../../../lib/fhir-display.ts';
import { observationName, observationValue } from '../../../lib/observations.ts';
import { withheldFromOnlineView } from '../../../lib/online-view.ts';

const PAGE = 100;

interface Item {
  key: string;
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
  const [kind, setKind] = useState('');
  const [org, setOrg] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [shown, setShown] = useState(PAGE);

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
      <form className="cw-filters" role="search" aria-label="Filter the timeline" onSubmit={(e) => e.preventDefault()}>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="filter-kind">
            Type
          </label>
          <select
            className="nhsuk-select"
            id="filter-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setShown(PAGE);
            }}
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
            onChange={(e) => {
              setOrg(e.target.value);
              setShown(PAGE);
            }}
          >
            <option value="">All organisations</option>
            {orgs.map((o) => (
              <option key={o} value={o}>
                {organisationName(o)}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="filter-from">
            From
          </label>
          <input
            className="nhsuk-input"
            type="date"
            id="filter-from"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="filter-to">
            To
          </label>
          <input
            className="nhsuk-input"
            type="date"
            id="filter-to"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
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
                    {item.title}
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
