import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import {
  dashboardQuery,
  idOf,
  protocolsQuery,
  type DashboardFilter,
  type DashboardRow,
  type Level,
} from '../dashboard/api.ts';
import { nhsNumberText, responseRate, statusText, when } from '../dashboard/format.ts';
import { LevelTag } from '../dashboard/LevelTag.tsx';

const LEVELS: readonly Level[] = ['red', 'amber', 'green'];

/**
 * The team dashboard: the patients on telehealth the signed-in person may see, red first, with the
 * latest reading, open alerts and engagement. Filters live in the address so a view can be shared.
 */
export default function Dashboard() {
  const [params, setParams] = useSearchParams();
  const level = params.get('level');
  const filter: DashboardFilter = {
    level: LEVELS.includes(level as Level) ? (level as Level) : '',
    mine: params.get('mine') === 'true',
    protocol: params.get('protocol') ?? '',
  };
  const dashboard = useQuery(dashboardQuery(filter));
  const setFilter = (next: DashboardFilter): void =>
    setParams(
      Object.fromEntries(
        Object.entries({ level: next.level, mine: next.mine ? 'true' : '', protocol: next.protocol }).filter(
          ([, value]) => value,
        ),
      ),
      { replace: true },
    );
  return (
    <>
      <PageTitle caption="Telehealth">Team dashboard</PageTitle>
      <p className="nhsuk-body">
        Patients on telehealth whose records you may see, most urgent first.{' '}
        <a href="/telehealth/alerts">Open alerts</a> · <a href="/telehealth/enrol">Enrol a patient</a> ·{' '}
        <a href="/telehealth/protocols">Protocol library</a>
      </p>
      <Filters filter={filter} onChange={setFilter} />
      {dashboard.status === 'pending' && <Loading what="the dashboard" />}
      {dashboard.status === 'error' && (
        <ErrorMessage
          title="The dashboard could not be loaded"
          error={dashboard.error}
          onRetry={() => void dashboard.refetch()}
        />
      )}
      {dashboard.status === 'success' && <Patients rows={dashboard.data.patients} filtered={Boolean(params.size)} />}
    </>
  );
}

function Filters({ filter, onChange }: { filter: DashboardFilter; onChange: (filter: DashboardFilter) => void }) {
  const protocols = useQuery(protocolsQuery);
  return (
    <form className="cw-filters" role="search" aria-label="Filter patients" onSubmit={(e) => e.preventDefault()}>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-level">
          Level
        </label>
        <select
          className="nhsuk-select"
          id="filter-level"
          value={filter.level}
          onChange={(e) => onChange({ ...filter, level: e.target.value as Level | '' })}
        >
          <option value="">All levels</option>
          <option value="red">Red only</option>
          <option value="amber">Amber only</option>
          <option value="green">Green only</option>
        </select>
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-protocol">
          Protocol
        </label>
        <select
          className="nhsuk-select"
          id="filter-protocol"
          value={filter.protocol}
          onChange={(e) => onChange({ ...filter, protocol: e.target.value })}
        >
          <option value="">All protocols</option>
          {(protocols.data?.protocols ?? []).map((protocol) => (
            <option key={protocol.id} value={protocol.id}>
              {protocol.title}
            </option>
          ))}
        </select>
      </div>
      <div className="nhsuk-form-group">
        <div className="nhsuk-checkboxes nhsuk-checkboxes--small">
          <div className="nhsuk-checkboxes__item">
            <input
              className="nhsuk-checkboxes__input"
              id="filter-mine"
              type="checkbox"
              checked={filter.mine}
              onChange={(e) => onChange({ ...filter, mine: e.target.checked })}
            />
            <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="filter-mine">
              Only patients I enrolled
            </label>
          </div>
        </div>
      </div>
    </form>
  );
}

/**
 * One wrapping block per cell: on a phone the NHS.UK responsive table lays a cell out as a row of
 * flex items (its heading, then the content), so the content must be one item.
 */
function Block({ children }: { children: ReactNode }) {
  return <span className="nhsuk-u-display-inline-block">{children}</span>;
}

const COLUMNS: readonly Column<DashboardRow>[] = [
  {
    key: 'patient',
    header: 'Patient',
    rowHeader: true,
    cell: (row) => (
      <Block>
        <a href={`/telehealth/patients/${idOf(row.patient.reference)}`}>{row.patient.name}</a>
        {row.patient.nhsNumber && (
          <span className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">
            {nhsNumberText(row.patient)}
          </span>
        )}
      </Block>
    ),
  },
  { key: 'level', header: 'Level', cell: (row) => <LevelTag level={row.level} /> },
  {
    key: 'latest',
    header: 'Latest reading',
    cell: (row) =>
      row.latest ? (
        <Block>
          {row.latestRound.map((reading) => (
            <span className="nhsuk-u-display-block" key={reading.observation}>
              {reading.label}: <strong>{reading.display}</strong>
            </span>
          ))}
          <span className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">{when(row.latest.at)}</span>
        </Block>
      ) : (
        'None yet'
      ),
  },
  { key: 'alerts', header: 'Open alerts', numeric: true, cell: (row) => row.openAlerts },
  {
    key: 'engagement',
    header: 'Replies (30 days)',
    cell: (row) => (
      <Block>
        {responseRate(row.engagement)}
        {row.engagement.droppedOff && (
          <strong className="nhsuk-tag nhsuk-tag--orange nhsuk-u-display-block nhsuk-u-margin-top-1">
            Not replied for 7 days
          </strong>
        )}
      </Block>
    ),
  },
  {
    key: 'protocol',
    header: 'Protocol',
    cell: (row) => (
      <Block>
        {row.protocol.title}
        {row.status !== 'active' && (
          <span className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">{statusText(row.status)}</span>
        )}
      </Block>
    ),
  },
];

function Patients({ rows, filtered }: { rows: DashboardRow[]; filtered: boolean }) {
  const red = rows.filter((row) => row.level === 'red').length;
  return (
    <>
      <p className="nhsuk-body-s" role="status" aria-live="polite">
        {rows.length} {rows.length === 1 ? 'patient' : 'patients'} shown, {red} at red.
      </p>
      {rows.length === 0 ? (
        <Empty>{filtered ? 'No patients match these filters.' : 'No patients on telehealth that you may see.'}</Empty>
      ) : (
        <ResponsiveTable
          caption="Patients on telehealth, most urgent first"
          captionHidden
          columns={COLUMNS}
          rows={rows}
          rowKey={(row) => row.carePlan}
        />
      )}
    </>
  );
}
