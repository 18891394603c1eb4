import type { Observation } from '@medplum/fhirtypes';
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { organisationName, sourceOrganisationId, type PatientRecord } from '../../../api/record.ts';
import { Empty } from '../../../components/feedback.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDate, formatShortDate } from '../../../lib/dates.ts';
import { hasCode, LOINC } from '../../../lib/fhir-display.ts';
import { componentValue } from '../../../lib/observations.ts';

interface Series {
  key: string;
  name: string;
  colour: string;
  dash?: string;
  dot: 'circle' | 'square';
}

interface Chart {
  id: string;
  title: string;
  unit: string;
  series: Series[];
  points: { time: number; source: string; [key: string]: number | string }[];
}

const NHS_BLUE = '#005eb8';
const NHS_DARK_PINK = '#7c2855';

/** Trend charts of vital signs, each with the same readings as a table. */
export default function Trends({ record }: { record: PatientRecord }) {
  const charts = useMemo(() => buildCharts(record), [record]);
  return (
    <div className="cw-trends">
      <h2 className="nhsuk-heading-m">Trends</h2>
      {charts.map((chart) => (
        <TrendChart key={chart.id} chart={chart} />
      ))}
    </div>
  );
}

function buildCharts(record: PatientRecord): Chart[] {
  const observations = ((record.byType.get('Observation') ?? []) as Observation[]).filter(
    (o) => o.status !== 'entered-in-error' && o.status !== 'cancelled' && o.effectiveDateTime,
  );
  const point = (o: Observation, values: Record<string, number | undefined>) => {
    const defined = Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== undefined);
    return defined.length === Object.keys(values).length
      ? {
          time: Date.parse(o.effectiveDateTime!),
          source: organisationName(sourceOrganisationId(o, record)),
          ...Object.fromEntries(defined),
        }
      : undefined;
  };
  const series = (codes: string | readonly string[], read: (o: Observation) => Record<string, number | undefined>) =>
    observations
      .filter((o) => hasCode(o.code, codes))
      .map((o) => point(o, read(o)))
      .filter((p): p is NonNullable<typeof p> => Boolean(p))
      .sort((a, b) => a.time - b.time);
  const single = (key: string): Series => ({ key, name: key, colour: NHS_BLUE, dot: 'circle' });
  return [
    {
      id: 'blood-pressure',
      title: 'Blood pressure',
      unit: 'mmHg',
      series: [
        { key: 'Systolic', name: 'Systolic', colour: NHS_BLUE, dot: 'circle' },
        { key: 'Diastolic', name: 'Diastolic', colour: NHS_DARK_PINK, dash: '6 4', dot: 'square' },
      ],
      points: series(LOINC.bloodPressure, (o) => ({
        Systolic: componentValue(o, LOINC.systolic),
        Diastolic: componentValue(o, LOINC.diastolic),
      })),
    },
    {
      id: 'spo2',
      title: 'Oxygen saturation (SpO2)',
      unit: '%',
      series: [single('SpO2')],
      points: series(LOINC.spo2, (o) => ({ SpO2: o.valueQuantity?.value })),
    },
    {
      id: 'weight',
      title: 'Weight',
      unit: 'kg',
      series: [single('Weight')],
      points: series(LOINC.weight, (o) => ({ Weight: o.valueQuantity?.value })),
    },
    {
      id: 'heart-rate',
      title: 'Heart rate',
      unit: 'beats per minute',
      series: [single('Heart rate')],
      points: series(LOINC.heartRate, (o) => ({ 'Heart rate': o.valueQuantity?.value })),
    },
  ];
}

function describe(chart: Chart): string {
  const first = chart.points[0]!;
  const last = chart.points[chart.points.length - 1]!;
  const latest = chart.series.map((s) => `${s.name} ${last[s.key]}`).join(', ');
  return `${chart.title}: ${chart.points.length} readings from ${formatDate(new Date(first.time))} to ${formatDate(new Date(last.time))}. Latest ${latest} ${chart.unit}. The readings are in the table below the chart.`;
}

type Point = Chart['points'][number];

/** The readings table: the date, one numeric column for each series, and who recorded it. */
function readingColumns(chart: Chart): Column<Point>[] {
  return [
    { key: 'date', header: 'Date', cell: (point) => formatDate(new Date(point.time)) },
    ...chart.series.map((series): Column<Point> => ({
      key: series.key,
      header: series.name,
      numeric: true,
      cell: (point) => point[series.key],
    })),
    { key: 'source', header: 'Recorded by', cell: (point) => point.source },
  ];
}

function TrendChart({ chart }: { chart: Chart }) {
  const headingId = `${chart.id}-heading`;
  if (chart.points.length === 0) {
    return (
      <section aria-labelledby={headingId} className="cw-chart">
        <h3 className="nhsuk-heading-s" id={headingId}>
          {chart.title}
        </h3>
        <Empty>No {chart.title.toLowerCase()} readings in the shared record.</Empty>
      </section>
    );
  }
  const values = chart.points.flatMap((p) => chart.series.map((s) => Number(p[s.key])));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = Math.max(2, (max - min) * 0.15);
  return (
    <section aria-labelledby={headingId} className="cw-chart">
      <h3 className="nhsuk-heading-s" id={headingId}>
        {chart.title} <span className="nhsuk-u-font-weight-normal">({chart.unit})</span>
      </h3>
      <div role="img" aria-label={describe(chart)} className="cw-chart__plot">
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={chart.points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }} accessibilityLayer={false}>
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
            <YAxis
              domain={[Math.floor(min - pad), Math.ceil(max + pad)]}
              stroke="#4c6272"
              fontSize={14}
              width={48}
              allowDecimals={false}
            />
            <Tooltip
              labelFormatter={(t) => formatDate(new Date(Number(t)))}
              formatter={(value) => [`${String(value)} ${chart.unit}`]}
            />
            {chart.series.length > 1 && <Legend />}
            {chart.series.map((s) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.name}
                stroke={s.colour}
                strokeWidth={2}
                strokeDasharray={s.dash}
                dot={
                  chart.points.length > 40
                    ? false
                    : s.dot === 'square'
                      ? { r: 3, strokeWidth: 2, fill: '#fff' }
                      : { r: 3, fill: s.colour }
                }
                legendType={s.dot === 'square' ? 'square' : 'circle'}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details className="nhsuk-details">
        <summary className="nhsuk-details__summary">
          <span className="nhsuk-details__summary-text">Show the {chart.points.length} readings as a table</span>
        </summary>
        <div className="nhsuk-details__text">
          <ResponsiveTable
            caption={`${chart.title} (${chart.unit}), newest first`}
            columns={readingColumns(chart)}
            rows={[...chart.points].reverse()}
            rowKey={(point, i) => `${point.time}-${i}`}
          />
        </div>
      </details>
    </section>
  );
}
