import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { useSession } from '../../../auth/session.ts';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import {
  bandCountsQuery,
  caseListQuery,
  csvPath,
  isCommissioner,
  organisationQuery,
  riskListQuery,
  type ListMode,
  type RiskList as List,
} from '../api.ts';
import { BandSummary } from '../BandSummary.tsx';
import { DownloadCsv } from '../DownloadCsv.tsx';
import { filterQuery, isFiltered, parseFilter, type ListFilter } from '../filters.ts';
import { Filters } from '../Filters.tsx';
import { IdentifiableTable } from '../IdentifiableTable.tsx';
import { Pager } from '../Pager.tsx';
import { PseudonymisedTable } from '../PseudonymisedTable.tsx';
import { rangeText } from '../format.ts';

const PATH = '/population-health';

/**
 * "Risk of emergency admission": for staff the ranked, explained list of the people they have a
 * legitimate relationship with; for a commissioner (their organisation's type) the pseudonymised list
 * of the practices that share with them. The server decides what each may see; this only picks
 * which list to ask for. Filters and page live in the address.
 */
export default function RiskList() {
  const session = useSession();
  const organisationId = session?.kind === 'staff' ? session.organizationId : undefined;
  const organisation = useQuery({ ...organisationQuery(organisationId ?? ''), enabled: Boolean(organisationId) });
  if (organisationId && organisation.status === 'pending') {
    return <Loading what="your organisation" />;
  }
  // An organisation that cannot be read is treated as not a commissioner: the identifiable list
  // still shows only people the server says the caller has a relationship with.
  return <ListPage mode={isCommissioner(organisation.data) ? 'pseudonymised' : 'identifiable'} />;
}

function ListPage({ mode }: { mode: ListMode }) {
  const [params] = useSearchParams();
  const filter = parseFilter(params);
  const list = useQuery(riskListQuery(mode, filter));
  const pseudonymised = mode === 'pseudonymised';
  return (
    <>
      <PageTitle caption="Population health">
        {pseudonymised ? 'Risk of emergency admission (pseudonymised)' : 'Risk of emergency admission'}
      </PageTitle>
      <p className="nhsuk-body">
        {pseudonymised
          ? 'People registered at the practices that share risk scores with your organisation for commissioning. Each person has a pseudonym; names, NHS numbers and exact ages are not shown, and groups of fewer than 5 people are suppressed.'
          : 'People whose records you may see, ranked by their chance of an emergency hospital admission in the next 12 months, with what drives each score.'}
        {!pseudonymised && (
          <>
            {' '}
            <a href={`${PATH}/case-list`}>My case list</a>
          </>
        )}
      </p>
      <BandMeaning />
      {list.status === 'pending' && <Loading what="the risk list" />}
      {list.status === 'error' && (
        <ErrorMessage
          title="The risk list could not be loaded"
          error={list.error}
          onRetry={() => void list.refetch()}
        />
      )}
      {list.status === 'success' && <Loaded list={list.data} filter={filter} mode={mode} />}
    </>
  );
}

function BandMeaning() {
  return (
    <details className="nhsuk-details">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">What the risk bands mean</span>
      </summary>
      <div className="nhsuk-details__text">
        <p>
          The score is the model&apos;s estimate of the chance of at least one emergency hospital admission in the next
          12 months. The bands are set on the population the model was fitted on:
        </p>
        <ul>
          <li>very high: the top 0.5% (about 1 in 200 people)</li>
          <li>high: the top 5%</li>
          <li>moderate: the top 20%</li>
          <li>low: everyone else</li>
        </ul>
        <p>
          &quot;Rising&quot; means the score has gone up by at least 2 percentage points since last month. A score
          supports clinical judgement; it does not replace it.
        </p>
      </div>
    </details>
  );
}

function Loaded({ list, filter, mode }: { list: List; filter: ListFilter; mode: ListMode }) {
  const linkFor = (band: string): string =>
    `${PATH}?${filterQuery({ ...filter, band: band as ListFilter['band'], page: 1 }).toString()}`;
  const scoredAt = list.rows
    .map((row) => row.scoredAt)
    .sort()
    .at(-1);
  // Narrowed to one band, the list's own counts say 0 for the others: the cards ask without the band.
  const unbanded = useQuery({ ...bandCountsQuery(mode, filter), enabled: Boolean(filter.band) });
  const bands = filter.band ? (unbanded.data ?? {}) : list.bands;
  return (
    <>
      <p className="nhsuk-body-s">
        Model {list.modelVersion}
        {scoredAt ? `, scores made up to ${formatDateTime(scoredAt)}` : ''}.
      </p>
      <BandSummary bands={bands} linkFor={linkFor} />
      <Filters filter={filter} path={PATH} />
      {list.mode === 'pseudonymised' && list.notice && (
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>{list.notice}</p>
        </div>
      )}
      <p className="nhsuk-body-s" role="status" aria-live="polite">
        {rangeText(list.page, list.pageSize, list.rows.length, list.total)}
        {filter.band ? ` in the ${filter.band.replace('-', ' ')} band` : ''}.
      </p>
      {list.rows.length === 0 ? (
        <Empty>{isFiltered(filter) ? 'No one matches these filters.' : 'No one on this list that you may see.'}</Empty>
      ) : list.mode === 'identifiable' ? (
        <CaseAware list={list} />
      ) : (
        <PseudonymisedTable rows={list.rows} />
      )}
      <Pager filter={filter} path={PATH} total={list.total} pageSize={list.pageSize} />
      {list.rows.length > 0 && <DownloadCsv path={csvPath(mode, filter)} />}
    </>
  );
}

/** The identifiable table, knowing who is already on the caller's case list. */
function CaseAware({ list }: { list: Extract<List, { mode: 'identifiable' }> }) {
  const caseList = useQuery(caseListQuery);
  const onList = new Map((caseList.data?.entries ?? []).map((entry) => [entry.patient, entry]));
  return <IdentifiableTable rows={list.rows} onList={onList} firstRank={(list.page - 1) * list.pageSize + 1} />;
}
