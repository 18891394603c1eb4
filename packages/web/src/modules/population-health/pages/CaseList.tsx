import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { caseListQuery, idOf, removeFromCaseList, type Band, type CaseListEntry } from '../api.ts';
import { BandTag } from '../BandTag.tsx';

/**
 * "My case list": the care coordination hub's case list (docs/COORDINATION.md, "From the risk list") —
 * the signed-in person's caseload as care coordinator, and the people they referred to the single
 * point of access (waiting for triage, or with a coordinator now). Only people they may still see.
 * A referral still waiting can be withdrawn; a case on a caseload is closed from its care plan.
 */
export default function CaseList() {
  const entries = useQuery(caseListQuery);
  return (
    <>
      <PageTitle caption="Population health">My case list</PageTitle>
      <p className="nhsuk-body">
        People you have added from the <a href="/population-health">risk of emergency admission list</a>. If you work
        for the single point of access they are on your caseload in <a href="/coordination">care coordination</a>;
        otherwise they are referred to it, with their risk score as the reason, and a coordinator takes them on.
      </p>
      {entries.status === 'pending' && <Loading what="your case list" />}
      {entries.status === 'error' && (
        <ErrorMessage
          title="Your case list could not be loaded"
          error={entries.error}
          onRetry={() => void entries.refetch()}
        />
      )}
      {entries.status === 'success' &&
        (entries.data.entries.length === 0 ? (
          <Empty>Your case list is empty. Add people from the risk list.</Empty>
        ) : (
          <ResponsiveTable
            caption={`${entries.data.entries.length} ${entries.data.entries.length === 1 ? 'person' : 'people'} on your case list`}
            columns={COLUMNS}
            rows={entries.data.entries}
            rowKey={(entry) => entry.patient}
          />
        ))}
    </>
  );
}

function StatusText({ entry }: { entry: CaseListEntry }) {
  switch (entry.status) {
    case 'caseload':
      return (
        <>
          <strong className="nhsuk-tag nhsuk-tag--green">On your caseload</strong>{' '}
          <a href={`/coordination/cases/${encodeURIComponent(idOf(entry.patient))}`}>
            Care plan<span className="nhsuk-u-visually-hidden"> for {entry.name}</span>
          </a>
        </>
      );
    case 'allocated':
      return (
        <>
          <strong className="nhsuk-tag nhsuk-tag--blue">Allocated</strong> Care coordinator:{' '}
          {entry.coordinator ?? 'not known'}
        </>
      );
    case 'referred':
      return <strong className="nhsuk-tag nhsuk-tag--yellow">Referred: waiting for triage</strong>;
  }
}

const COLUMNS: readonly Column<CaseListEntry>[] = [
  {
    key: 'patient',
    header: 'Patient',
    rowHeader: true,
    cell: (entry) => <a href={`/patients/${encodeURIComponent(idOf(entry.patient))}`}>{entry.name}</a>,
  },
  {
    key: 'status',
    header: 'Status',
    cell: (entry) => (
      <span className="nhsuk-u-display-inline-block">
        <StatusText entry={entry} />
      </span>
    ),
  },
  {
    key: 'reason',
    header: 'Why',
    cell: (entry) => (
      <span className="nhsuk-u-display-inline-block">
        {entry.riskBand && <BandTag band={entry.riskBand as Band} />}{' '}
        {entry.reason ?? (entry.riskBand ? '' : 'None given')}
        {entry.added && (
          <span className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">
            Referred {formatDateTime(entry.added)}
          </span>
        )}
      </span>
    ),
  },
  {
    key: 'action',
    header: 'Action',
    cell: (entry) => (entry.status === 'referred' ? <Withdraw entry={entry} /> : ''),
  },
];

function Withdraw({ entry }: { entry: CaseListEntry }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => removeFromCaseList(idOf(entry.patient)),
    onSuccess: (result) => client.setQueryData(caseListQuery.queryKey, result),
  });
  return (
    <span className="nhsuk-u-display-inline-block">
      <button
        type="button"
        className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
        disabled={remove.isPending}
        onClick={() => remove.mutate()}
      >
        Withdraw referral<span className="nhsuk-u-visually-hidden"> for {entry.name}</span>
      </button>
      {remove.error && (
        <span className="nhsuk-error-message nhsuk-u-display-block" role="alert">
          <span className="nhsuk-u-visually-hidden">Error:</span> {remove.error.message}
        </span>
      )}
    </span>
  );
}
