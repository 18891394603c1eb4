import { useQuery } from '@tanstack/react-query';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { BAND_NAMES, casesQuery, longDate, type CaseRow } from '../api.ts';
import { HubNav, OverdueTag } from '../fields.tsx';

const COLUMNS: readonly Column<CaseRow>[] = [
  {
    key: 'patient',
    header: 'Patient',
    rowHeader: true,
    cell: (row) => (
      <>
        <a href={`/coordination/cases/${encodeURIComponent(row.patient.id)}`}>{row.patient.name}</a>
        {row.patient.nhsNumber && <span className="nhsuk-body-s"> (NHS number {row.patient.nhsNumber})</span>}
      </>
    ),
  },
  {
    key: 'risk',
    header: 'Risk band',
    cell: (row) => (row.riskBand ? (BAND_NAMES[row.riskBand] ?? row.riskBand) : 'Not scored'),
  },
  {
    key: 'review',
    header: 'Next review',
    cell: (row) => (
      <>
        {longDate(row.nextReview)} {row.reviewOverdue && <OverdueTag />}
      </>
    ),
  },
  { key: 'open', header: 'Open tasks', numeric: true, cell: (row) => row.openTasks },
  {
    key: 'overdue',
    header: 'Overdue tasks',
    numeric: true,
    cell: (row) =>
      row.overdueTasks ? <strong className="nhsuk-tag nhsuk-tag--red">{row.overdueTasks} overdue</strong> : 0,
  },
];

/** The coordinator's open cases: overdue work first, then the soonest review. */
export default function Cases() {
  const cases = useQuery(casesQuery);
  return (
    <>
      <PageTitle caption="Care coordination">My case list</PageTitle>
      <HubNav />
      {cases.status === 'pending' && <Loading what="your cases" />}
      {cases.status === 'error' && (
        <ErrorMessage title="Your cases could not be loaded" error={cases.error} onRetry={() => void cases.refetch()} />
      )}
      {cases.status === 'success' &&
        (cases.data.cases.length === 0 ? (
          <Empty>You are not the care coordinator for anyone yet.</Empty>
        ) : (
          <ResponsiveTable
            caption="Patients you coordinate care for"
            columns={COLUMNS}
            rows={cases.data.cases}
            rowKey={(row) => row.patient.id}
          />
        ))}
    </>
  );
}
