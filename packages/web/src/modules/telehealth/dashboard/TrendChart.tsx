import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDate, formatShortDate } from '../../../lib/dates.ts';
import type { PatientView, Reading } from './api.ts';
import { when } from './format.ts';
import { LevelTag } from './LevelTag.tsx';

type Series = PatientView['series'][number];
const COLOURS = ['#005eb8', '#7c2855'];

interface Point {
  time: number;
  [label: string]: number;
}

function labelsOf(series: Series): string[] {
  return [...new Set(series.readings.flatMap((reading) => reading.values.map((v) => v.label)))];
}

function pointsOf(series: Series): Point[] {
  return series.readings.map((reading) => ({
    time: Date.parse(reading.at),
    ...Object.fromEntries(reading.values.map((v) => [v.label, v.value])),
  }));
}

function describe(series: Series): string {
  const first = series.readings[0]!;
  const last = series.readings.at(-1)!;
  const red = series.readings.filter((r) => r.level === 'red').length;
  const amber = series.readings.filter((r) => r.level === 'amber').length;
  return (
    `${series.label}: ${series.readings.length} readings from ${formatDate(first.at)} to ${formatDate(last.at)}, ` +
    `${red} red and ${amber} amber. Latest ${last.display}. The readings are in the table below the chart.`
  );
}

function columnsOf(): Column<Reading>[] {
  return [
    { key: 'when', header: 'When', cell: (reading) => when(reading.at) },
    { key: 'value', header: 'Reading', cell: (reading) => reading.display },
    { key: 'level', header: 'Level', cell: (reading) => <LevelTag level={reading.level} /> },
    { key: 'reason', header: 'Why', cell: (reading) => reading.reason ?? '' },
  ];
}

/** One measure's readings as a line chart, with the same readings as a table for everyone. */
export function TrendChart({ series }: { series: Series }) {
  const headingId = `chart-${series.measure}`;
  const labels = labelsOf(series);
  const points = pointsOf(series);
  const values = points.flatMap((p) => labels.map((label) => p[label]).filter((v): v is number => v !== undefined));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = Math.max(1, (max - min) * 0.15);
  return (
    <section aria-labelledby={headingId} className="cw-chart">
      <h3 className="nhsuk-heading-s" id={headingId}>
        {series.label} {series.unit && <span className="nhsuk-u-font-weight-normal">({series.unit})</span>}
      </h3>
      <div role="img" aria-label={describe(series)} className="cw-chart__plot">
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid stroke="#d8dde0" strokeDasharray="3 3" />
            <XAxis
              dataKey="time"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(t: number) => formatShortDate(new Date(t))}
              stroke="#4c6272"
              fontSize={14}
              minTickGap={24}
            />
            <YAxis domain={[Math.floor(min - pad), Math.ceil(max + pad)]} stroke="#4c6272" fontSize={14} width={48} />
            <Tooltip labelFormatter={(t) => formatDate(new Date(Number(t)))} />
            {labels.length > 1 && <Legend />}
            {labels.map((label, index) => (
              <Line
                key={label}
                dataKey={label}
                name={label}
                stroke={COLOURS[index % COLOURS.length]}
                strokeWidth={2}
                strokeDasharray={index ? '6 4' : undefined}
                dot={points.length > 40 ? false : { r: 3 }}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details className="nhsuk-details">
        <summary className="nhsuk-details__summary">
          <span className="nhsuk-details__summary-text">
            {series.readings.length === 1 ? 'Show the reading' : `Show the ${series.readings.length} readings`} as a
            table
          </span>
        </summary>
        <div className="nhsuk-details__text">
          <ResponsiveTable
            caption={`${series.label}, newest first`}
            columns={columnsOf()}
            rows={[...series.readings].reverse()}
            rowKey={(reading) => reading.observation}
          />
        </div>
      </details>
    </section>
  );
}
