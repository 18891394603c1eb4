import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { book, idOf, REFERRALS_KEY, worklistQuery, type WorklistItem } from '../api.ts';
import { PriorityTag } from '../fields.tsx';
import { reasonName, specialtyName, WORKLISTS } from '../vocabulary.ts';
import { WorklistFilters } from '../WorklistFilters.tsx';

/**
 * Worklists for referrers and providers (docs/REFERRALS.md, "Worklists"): each list filtered by
 * priority, specialty and side, longest wait first; the awaiting-booking list books from the row.
 */
export default function Worklists() {
  const [params] = useSearchParams();
  const list = WORKLISTS.find((w) => w.name === params.get('list')) ?? WORKLISTS[0]!;
  const filters = Object.fromEntries(
    ['priority', 'specialty', 'side'].flatMap((key) => (params.get(key) ? [[key, params.get(key)!]] : [])),
  );
  const items = useQuery(worklistQuery(list.name, filters));
  const [done, setDone] = useState<string | undefined>();
  const query = (name: string) => new URLSearchParams({ ...filters, list: name }).toString();
  return (
    <>
      <PageTitle caption="Referrals" title={`${list.title} – referral worklists`}>
        Referral worklists
      </PageTitle>
      <nav className="cw-tabs" aria-label="Worklists">
        <ul className="cw-tabs__list">
          {WORKLISTS.map((w) => (
            <li key={w.name} className={`cw-tabs__item${w.name === list.name ? ' cw-tabs__item--current' : ''}`}>
              <a href={`/referrals?${query(w.name)}`} aria-current={w.name === list.name ? 'page' : undefined}>
                {w.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <WorklistFilters list={list.name} filters={filters} />
      {done && <Notice title={done} />}
      <QueryStatus query={items} what="the worklist" errorTitle="The worklist could not be loaded" />
      {items.data &&
        (items.data.items.length === 0 ? (
          <Empty>
            Nothing on the “{list.title}” list{Object.keys(filters).length ? ' with these filters' : ''}.
          </Empty>
        ) : (
          <ResponsiveTable
            caption={`${list.title}: ${items.data.items.length} referral${items.data.items.length === 1 ? '' : 's'}, longest wait first`}
            columns={columns(list.name, setDone)}
            rows={items.data.items}
            rowKey={(row) => row.serviceRequest}
          />
        ))}
    </>
  );
}

function columns(list: string, onDone: (message: string) => void): Column<WorklistItem>[] {
  return [
    {
      key: 'patient',
      header: 'Patient',
      rowHeader: true,
      cell: (row) => (
        <>
          <a href={`/referrals/${encodeURIComponent(idOf(row.serviceRequest))}`}>
            {row.patient?.name ?? 'A patient'}
            <span className="nhsuk-u-visually-hidden">: open the referral</span>
          </a>
          {row.patient?.nhsNumber && <span className="cw-muted nhsuk-body-s"> NHS number {row.patient.nhsNumber}</span>}
        </>
      ),
    },
    { key: 'ubrn', header: 'UBRN', cell: (row) => row.ubrn ?? '—' },
    { key: 'specialty', header: 'Specialty', cell: (row) => specialtyName(row.specialty) },
    { key: 'priority', header: 'Priority', cell: (row) => <PriorityTag priority={row.priority} /> },
    {
      key: 'status',
      header: 'Status',
      cell: (row) => (
        <>
          {row.status}
          {row.outcome?.reason ? `: ${reasonName(row.outcome.reason)}` : ''}
          {row.needsReferrerAction ? ' (needs your action)' : ''}
        </>
      ),
    },
    { key: 'service', header: 'Service', cell: (row) => [row.service, row.provider].filter(Boolean).join(', ') || '—' },
    { key: 'waiting', header: 'Waiting', numeric: true, cell: (row) => `${row.waitingDays} days` },
    ...(list === 'awaiting-booking' || list === 'slot-issues'
      ? [{ key: 'book', header: 'Book', cell: (row: WorklistItem) => <BookButton row={row} onDone={onDone} /> }]
      : []),
  ];
}

/** Books the first free slot inside the window, from the row (the server picks it and checks who may). */
function BookButton({ row, onDone }: { row: WorklistItem; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const name = row.patient?.name ?? 'the patient';
  const run = useMutation({
    mutationFn: () => book(idOf(row.task)),
    onSuccess: async (result) => {
      onDone(
        result.bookingProblem ??
          (result.slotIssue
            ? `No appointment inside the booking window for ${name}: on the slot issues list`
            : `Booked the first free appointment for ${name}`),
      );
      await queryClient.invalidateQueries({ queryKey: REFERRALS_KEY });
    },
  });
  return (
    <>
      {run.error && <ErrorMessage title="Not booked" error={run.error} />}
      <button
        type="button"
        className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
        disabled={run.isPending || !row.task}
        onClick={() => run.mutate()}
      >
        Book first free<span className="nhsuk-u-visually-hidden"> appointment for {name}</span>
      </button>
    </>
  );
}
