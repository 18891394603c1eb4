import { EGFR_CODES } from '../../../lib/observations.ts';
import type { Observation } from '@medplum/fhirtypes';
import { useMemo } from 'react';
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
import { organisationName, sourceOrganisationId, type PatientRecord } from '../../../api/record.ts';
import { Empty } from '../../../components/feedback.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDate, formatShortDate } from '../../../lib/dates.ts';
import { hasCode, LOINC } from '../../../lib/fhir-display.ts';
import { valueAxis } from '../../../lib/chart-scale.ts';
import { componentValue, hba1cMmolPerMol } from '../../../lib/observations.ts';

interface Series {
  key: string;
  name: string;
  colour: string;
  dash?: string;
  dot: 'circle' | 'square';
}

/** A line drawn across a chart: a target or threshold, labelled in words (docs/CLINICAL-SAFETY.md H-186). */
interface TargetLine {
  value: number;
  label: string;
}

interface Chart {
  id: string;
  title: string;
  unit: string;
  series: Series[];
  targets: TargetLine[];
  /** What the target lines mean, in a sentence under the chart. */
  note?: string;
  points: { time: number; source: string; [key: string]: number | string }[];
}

const NHS_BLUE = '#005eb8';
const NHS_DARK_PINK = '#7c2855';
const NHS_GREY = '#4c6272';

const HBA1C_CODES = ['4548-4', '17856-6'];
const CHOLESTEROL_CODES = ['14647-2', '2093-3'];

/** Trend charts of vital signs and the tests of long-term conditions, each with the same readings as a table. */
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
  const vitals: Chart[] = [
    {
      id: 'blood-pressure',
      title: 'Blood pressure',
      unit: 'mmHg',
      series: [
        { key: 'Systolic', name: 'Systolic', colour: NHS_BLUE, dot: 'circle' },
        { key: 'Diastolic', name: 'Diastolic', colour: NHS_DARK_PINK, dash: '6 4', dot: 'square' },
      ],
      targets: [
        { value: 140, label: 'Systolic 140' },
        { value: 90, label: 'Diastolic 90' },
      ],
      note: 'Lines at 140/90 mmHg: the usual clinic target for adults under 80 (NICE NG136). Individual targets vary.',
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
      targets: [{ value: 94, label: '94%' }],
      note: 'Line at 94%: the lower end of the usual target range of 94 to 98%. Some people with lung conditions have a lower target.',
      points: series(LOINC.spo2, (o) => ({ SpO2: o.valueQuantity?.value })),
    },
    {
      id: 'weight',
      title: 'Weight',
      unit: 'kg',
      series: [single('Weight')],
      targets: [],
      points: series(LOINC.weight, (o) => ({ Weight: o.valueQuantity?.value })),
    },
    {
      id: 'heart-rate',
      title: 'Heart rate',
      unit: 'beats per minute',
      series: [single('Heart rate')],
      targets: [],
      points: series(LOINC.heartRate, (o) => ({ 'Heart rate': o.valueQuantity?.value })),
    },
  ];
  const tests: Chart[] = [
    {
      id: 'egfr',
      title: 'Kidney function (eGFR)',
      unit: 'mL/min/1.73m²',
      series: [single('eGFR')],
      targets: [{ value: 60, label: '60' }],
      note: 'Line at 60: an eGFR below 60 for three months or more is chronic kidney disease stage 3 or worse (NICE NG203).',
      points: series(EGFR_CODES, (o) => ({ eGFR: o.valueQuantity?.value })),
    },
    {
      id: 'hba1c',
      title: 'HbA1c (blood sugar over 2 to 3 months)',
      unit: 'mmol/mol',
      series: [single('HbA1c')],
      targets: [{ value: 48, label: '48' }],
      note: 'Line at 48 mmol/mol (6.5%): the level at which diabetes is diagnosed, and a usual target for people with diabetes. Readings stored in % are shown in mmol/mol.',
      points: series(HBA1C_CODES, (o) => ({ HbA1c: hba1cMmolPerMol(o) })),
    },
    {
      id: 'cholesterol',
      title: 'Total cholesterol',
      unit: 'mmol/L',
      series: [single('Cholesterol')],
      targets: [{ value: 5, label: '5' }],
      note: 'Line at 5 mmol/L: total cholesterol below 5 is healthy for most adults.',
      points: series(CHOLESTEROL_CODES, (o) => ({ Cholesterol: o.valueQuantity?.value })),
    },
  ];
  // Vital signs always (an empty chart says so); a test's chart only when the record has that test.
  return [...vitals, ...tests.filter((chart) => chart.points.length > 0)];
}

function describe(chart: Chart): string {
  const first = chart.points[0]!;
  const last = chart.points[chart.points.length - 1]!;
  const latest = chart.series.map((s) => `${s.name} ${last[s.key]}`).join(', ');
  const when =
    chart.points.length === 1
      ? `1 reading, on ${formatDate(new Date(first.time))}`
      : `${chart.points.length} readings from ${formatDate(new Date(first.time))} to ${formatDate(new Date(last.time))}`;
  const targets = chart.targets.length ? ` Target lines at ${chart.targets.map((t) => t.value).join(' and ')}.` : '';
  return `${chart.title}: ${when}. Latest ${latest} ${chart.unit}.${targets} The readings are in the table below the chart.`;
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
  const axis = valueAxis(
    values,
    chart.targets.map((t) => t.value),
  );
  const readings = chart.points.length === 1 ? 'the reading' : `the ${chart.points.length} readings`;
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
            <YAxis domain={axis.domain} ticks={axis.ticks} stroke={NHS_GREY} fontSize={14} width={48} />
            {chart.targets.map((target) => (
              <ReferenceLine
                key={target.value}
                y={target.value}
                stroke={NHS_GREY}
                strokeDasharray="2 4"
                label={{ value: target.label, position: 'insideTopRight', fill: NHS_GREY, fontSize: 13 }}
              />
            ))}
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
      {chart.note && <p className="nhsuk-body-s cw-chart__note">{chart.note}</p>}
      <details className="nhsuk-details">
        <summary className="nhsuk-details__summary">
          <span className="nhsuk-details__summary-text">Show {readings} as a table</span>
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
