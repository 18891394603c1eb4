import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ResponsiveTable, type Column } from '../../components/ResponsiveTable.tsx';
import type { Dashboard } from './api.ts';
import { count, monthText, percent } from './format.ts';

type Month = Dashboard['trend'][number];

function describe(dashboard: Dashboard, label: string | undefined): string {
  const shares = dashboard.trend.flatMap((m) => (m.area.share === null ? [] : [m.area.share]));
  const last = dashboard.trend.at(-1);
  const parts = [
    `Share of referrals made electronically by month, ${monthText(dashboard.period.from)} to ${monthText(dashboard.period.to)}, against targets of 80% and 100%.`,
    shares.length ? `Area: from ${percent(shares[0])} to ${percent(shares.at(-1))}.` : 'Area: no referrals.',
    label && last?.practice ? `${label}: ${percent(last.practice.share)} in the last month.` : '',
    'The figures are in the table below the chart.',
  ];
  return parts.filter(Boolean).join(' ');
}

/** The electronic share over time, with the 80% and 100% target lines, and the same figures as a table. */
export function ElectronicTrend({ dashboard }: { dashboard: Dashboard }) {
  const label = dashboard.practice?.name;
  const points = dashboard.trend.map((m) => ({
    month: monthText(m.month),
    area: m.area.share === null ? undefined : m.area.share * 100,
    practice: m.practice?.share === null || m.practice?.share === undefined ? undefined : m.practice.share * 100,
  }));
  const columns: Column<Month>[] = [
    { key: 'month', header: 'Month', cell: (m) => monthText(m.month), rowHeader: true },
    { key: 'area-n', header: 'Area referrals', cell: (m) => count(m.area.referrals), numeric: true },
    { key: 'area', header: 'Area electronic', cell: (m) => percent(m.area.share), numeric: true },
    ...(label
      ? [
          {
            key: 'p-n',
            header: `${label} referrals`,
            cell: (m: Month) => (m.practice ? count(m.practice.referrals) : '–'),
            numeric: true,
          },
          { key: 'p', header: `${label} electronic`, cell: (m: Month) => percent(m.practice?.share), numeric: true },
        ]
      : []),
  ];
  return (
    <section aria-labelledby="trend-heading" className="cw-chart">
      <h2 className="nhsuk-heading-m" id="trend-heading">
        Referrals made electronically
      </h2>
      <div role="img" aria-label={describe(dashboard, label)} className="cw-chart__plot">
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={points} margin={{ top: 8, right: 24, bottom: 8, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid stroke="#d8dde0" strokeDasharray="3 3" />
            <XAxis dataKey="month" stroke="#4c6272" fontSize={14} minTickGap={16} />
            <YAxis
              domain={[0, 100]}
              ticks={[0, 20, 40, 60, 80, 100]}
              unit="%"
              stroke="#4c6272"
              fontSize={14}
              width={52}
            />
            <Tooltip formatter={(value) => `${Number(value).toFixed(1)}%`} />
            <Legend />
            <ReferenceLine
              y={80}
              stroke="#d5281b"
              strokeDasharray="6 4"
              label={{ value: '80% target', position: 'insideBottomRight', fontSize: 13 }}
            />
            <ReferenceLine
              y={100}
              stroke="#007f3b"
              strokeDasharray="6 4"
              label={{ value: '100% target', position: 'insideTopRight', fontSize: 13 }}
            />
            <Line
              dataKey="area"
              name="Area"
              stroke="#005eb8"
              strokeWidth={2}
              dot={{ r: 3 }}
              connectNulls
              isAnimationActive={false}
            />
            {label && (
              <Line
                dataKey="practice"
                name={label}
                stroke="#7c2855"
                strokeWidth={2}
                strokeDasharray="6 4"
                dot={{ r: 3 }}
                connectNulls
                isAnimationActive={false}
              />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details className="nhsuk-details">
        <summary className="nhsuk-details__summary">
          <span className="nhsuk-details__summary-text">Show the monthly figures as a table</span>
        </summary>
        <div className="nhsuk-details__text">
          <ResponsiveTable
            caption="Electronic referrals by month"
            columns={columns}
            rows={dashboard.trend}
            rowKey={(m) => m.month}
          />
        </div>
      </details>
    </section>
  );
}
