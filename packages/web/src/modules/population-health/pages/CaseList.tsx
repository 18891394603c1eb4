import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { caseListQuery, idOf, removeFromCaseList, type CaseListEntry } from '../api.ts';

/**
 * "My case list": the people the signed-in member of staff has added from the risk list (their own
 * FHIR List; only people they may still see are shown). Removing takes them off the list only.
 */
export default function CaseList() {
  const entries = useQuery(caseListQuery);
  return (
    <>
      <PageTitle caption="Population health">My case list</PageTitle>
      <p className="nhsuk-body">
        People you have added from the <a href="/population-health">risk of emergency admission list</a>. Only you see
        this list.
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

const COLUMNS: readonly Column<CaseListEntry>[] = [
  {
    key: 'patient',
    header: 'Patient',
    rowHeader: true,
    cell: (entry) => <a href={`/patients/${encodeURIComponent(idOf(entry.patient))}`}>{entry.name}</a>,
  },
  { key: 'added', header: 'Added', cell: (entry) => (entry.added ? formatDateTime(entry.added) : 'Not known') },
  { key: 'reason', header: 'Reason', cell: (entry) => entry.reason ?? 'None given' },
  { key: 'remove', header: 'Remove', cell: (entry) => <Remove entry={entry} /> },
];

function Remove({ entry }: { entry: CaseListEntry }) {
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
        Remove<span className="nhsuk-u-visually-hidden"> {entry.name} from your case list</span>
      </button>
      {remove.error && (
        <span className="nhsuk-error-message nhsuk-u-display-block" role="alert">
          <span className="nhsuk-u-visually-hidden">Error:</span> {remove.error.message}
        </span>
      )}
    </span>
  );
}
