import {
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ResponsiveTable, type Column } from '../../components/ResponsiveTable.tsx';
import type { Flag, Funnel } from './api.ts';
import { decimal, FLAG_TEXT, MEASURE_TEXT, percent } from './format.ts';

const FLAG_COLOUR: Record<Flag, string> = {
  'high-alarm': '#d5281b',
  'high-alert': '#ed8b00',
  within: '#005eb8',
  'low-alert': '#ffb81c',
  'low-alarm': '#330072',
};

type Point = Funnel['points'][number];

function valueText(funnel: Funnel, value: number | null): string {
  return funnel.kind === 'ratio' ? decimal(value, 2) : percent(value);
}

function describe(funnel: Funnel): string {
  const text = MEASURE_TEXT[funnel.measure];
  const outliers = funnel.points.filter((p) => p.flag !== 'within');
  return (
    `Funnel plot: ${text.title} for each practice against the area (${valueText(funnel, funnel.centre)}), ` +
    `with 95% and 99.8% control limits. ${outliers.length ? `Outside the limits: ${outliers.map((p) => `${p.name} (${FLAG_TEXT[p.flag].label.toLowerCase()})`).join('; ')}.` : 'No practice is outside the limits.'} ` +
    'The figures are in the table below the chart.'
  );
}

/**
 * One measure's funnel plot (docs/REFERRALS.md, "Analytics"): each practice's value against its size,
 * the area's value as a line, and the 95% (dashed) and 99.8% (solid) limits — a practice outside the
 * funnel differs by more than chance. A table gives the same figures to everyone.
 */
export function FunnelPlot({ funnel }: { funnel: Funnel }) {
  const text = MEASURE_TEXT[funnel.measure];
  const id = `funnel-${funnel.measure}`;
  const scale = funnel.kind === 'ratio' ? 1 : 100;
  const curve = funnel.curve.map((c) => ({
    size: c.size,
    lower95: c.lower95 * scale,
    upper95: c.upper95 * scale,
    lower998: c.lower998 * scale,
    upper998: c.upper998 * scale,
  }));
  const points = funnel.points.flatMap((p) =>
    p.value === null ? [] : [{ ...p, size: p.size, value: p.value * scale }],
  );
  const columns: Column<Point>[] = [
    { key: 'name', header: 'Practice', cell: (p) => p.name, rowHeader: true },
    { key: 'size', header: text.x, cell: (p) => decimal(p.size, funnel.kind === 'ratio' ? 1 : 0), numeric: true },
    {
      key: 'value',
      header: text.axis,
      cell: (p) => (p.value === null ? 'Not shown (fewer than 5)' : valueText(funnel, p.value)),
      numeric: true,
    },
    {
      key: 'flag',
      header: 'Against the area',
      cell: (p) => <strong className={`nhsuk-tag ${FLAG_TEXT[p.flag].tag}`}>{FLAG_TEXT[p.flag].label}</strong>,
    },
  ];
  return (
    <section aria-labelledby={id} className="cw-chart">
      <h3 className="nhsuk-heading-s" id={id}>
        {text.title}
      </h3>
      {funnel.points.length === 0 ? (
        <p className="nhsuk-body">No practice has figures for this in the period.</p>
      ) : (
        <>
          <div role="img" aria-label={describe(funnel)} className="cw-chart__plot">
            <ResponsiveContainer width="100%" height={280}>
              <ComposedChart
                data={curve}
                margin={{ top: 8, right: 24, bottom: 16, left: 0 }}
                accessibilityLayer={false}
              >
                <CartesianGrid stroke="#d8dde0" strokeDasharray="3 3" />
                <XAxis
                  dataKey="size"
                  type="number"
                  domain={['dataMin', 'dataMax']}
                  stroke="#4c6272"
                  fontSize={14}
                  name={text.x}
                />
                <YAxis
                  type="number"
                  domain={funnel.kind === 'ratio' ? [0, 'auto'] : [0, 100]}
                  unit={funnel.kind === 'ratio' ? '' : '%'}
                  stroke="#4c6272"
                  fontSize={14}
                  width={52}
                  allowDataOverflow
                />
                <Tooltip formatter={(value) => decimal(Number(value), funnel.kind === 'ratio' ? 2 : 1)} />
                {funnel.centre !== null && <ReferenceLine y={funnel.centre * scale} stroke="#4c6272" />}
                <Line dataKey="upper998" name="99.8% limit" stroke="#d5281b" dot={false} isAnimationActive={false} />
                <Line
                  dataKey="lower998"
                  name="99.8% limit (lower)"
                  stroke="#d5281b"
                  dot={false}
                  isAnimationActive={false}
                />
                <Line
                  dataKey="upper95"
                  name="95% limit"
                  stroke="#ed8b00"
                  strokeDasharray="6 4"
                  dot={false}
                  isAnimationActive={false}
                />
                <Line
                  dataKey="lower95"
                  name="95% limit (lower)"
                  stroke="#ed8b00"
                  strokeDasharray="6 4"
                  dot={false}
                  isAnimationActive={false}
                />
                <Scatter
                  data={points}
                  dataKey="value"
                  name="Practice"
                  isAnimationActive={false}
                  shape={(props: { cx?: number; cy?: number; payload?: Point }) => (
                    <circle
                      cx={props.cx}
                      cy={props.cy}
                      r={5}
                      fill={FLAG_COLOUR[props.payload?.flag ?? 'within']}
                      stroke="#fff"
                    />
                  )}
                />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
          <p className="nhsuk-body-s">
            Area: {valueText(funnel, funnel.centre)}. Dashed lines: 95% limits; solid: 99.8% limits. A practice outside
            the solid lines differs from the area by more than chance.
          </p>
          <details className="nhsuk-details">
            <summary className="nhsuk-details__summary">
              <span className="nhsuk-details__summary-text">Show the practices as a table</span>
            </summary>
            <div className="nhsuk-details__text">
              <ResponsiveTable caption={text.title} columns={columns} rows={funnel.points} rowKey={(p) => p.id} />
            </div>
          </details>
        </>
      )}
    </section>
  );
}
