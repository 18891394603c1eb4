import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import type { Level, Protocol } from './api.ts';
import { describeCondition, describeTrend, LEVEL_NAME, LEVEL_TAG, MEASURES } from './describe.ts';

/** One row of the rules table: a level rule, a trend rule or a total, in words. */
interface Row {
  key: string;
  level: Level;
  what: string;
  when: string;
  reason: string;
}

function rows(protocol: Protocol): Row[] {
  return [
    ...protocol.levels.map((rule, index) => ({
      key: `level-${index}`,
      level: rule.level,
      what: rule.measure === 'answer' ? 'Yes or no question' : MEASURES[rule.measure].label,
      when: describeCondition(rule),
      reason: rule.reason,
    })),
    ...protocol.trends.map((rule, index) => ({
      key: `trend-${index}`,
      level: rule.level,
      what: 'Change over days',
      when: describeTrend(rule),
      reason: rule.reason,
    })),
    ...protocol.totals.map((rule, index) => ({
      key: `total-${index}`,
      level: rule.level,
      what: 'Total score',
      when: `${rule.atLeast} or more, added up over ${rule.prompts.length} questions`,
      reason: rule.reason,
    })),
  ];
}

/**
 * The protocol's rules, in the order the service reads them: a reading is red if any red rule
 * matches, else amber if any amber rule does, else green.
 */
export function RulesTable({ protocol }: { protocol: Protocol }) {
  return (
    <ResponsiveTable
      caption="When a reading is amber or red"
      columns={[
        {
          key: 'level',
          header: 'Level',
          cell: (row: Row) => <strong className={`nhsuk-tag ${LEVEL_TAG[row.level]}`}>{LEVEL_NAME[row.level]}</strong>,
        },
        { key: 'what', header: 'Reading', cell: (row: Row) => row.what },
        { key: 'when', header: 'When', cell: (row: Row) => row.when },
        { key: 'reason', header: 'Reason given', cell: (row: Row) => row.reason },
      ]}
      rows={rows(protocol)}
      rowKey={(row) => row.key}
    />
  );
}
