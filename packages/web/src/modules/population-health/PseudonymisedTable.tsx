import type { ReactNode } from 'react';
import { ResponsiveTable, type Column } from '../../components/ResponsiveTable.tsx';
import type { PseudonymisedRow } from './api.ts';
import { BandTag } from './BandTag.tsx';
import { ageBandText, changeText, frailtyText, listText, money, percent, sexText } from './format.ts';

function Block({ children }: { children: ReactNode }) {
  return <span className="nhsuk-u-display-inline-block">{children}</span>;
}

/**
 * The commissioner's list: a pseudonym per person (stable for commissioning), never a name, NHS
 * number, exact age or link to a record; age bands shared by fewer than five people are suppressed.
 */
const COLUMNS: readonly Column<PseudonymisedRow>[] = [
  { key: 'pseudonym', header: 'Pseudonym', rowHeader: true, cell: (row) => <code>{row.pseudonym}</code> },
  { key: 'practice', header: 'Practice', cell: (row) => row.practice?.name ?? 'Not known' },
  {
    key: 'person',
    header: 'Age band and sex',
    cell: (row) => (
      <Block>
        {ageBandText(row.ageBand)}, {sexText(row.sex)}
      </Block>
    ),
  },
  {
    key: 'risk',
    header: 'Risk',
    cell: (row) => (
      <Block>
        <BandTag band={row.band} /> <strong>{percent(row.probability)}</strong>
        <span className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">
          {changeText(row.probability, row.previousProbability, row.rising)}
        </span>
      </Block>
    ),
  },
  {
    key: 'use',
    header: 'Last 12 months',
    cell: (row) => (
      <Block>
        <span className="nhsuk-u-display-block">Emergency admissions: {row.emergencyAdmissions12m}</span>
        <span className="nhsuk-u-display-block">A&amp;E: {row.aeAttendances12m}</span>
        <span className="nhsuk-u-display-block">Outpatient: {row.outpatientAttendances12m}</span>
        <span className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">
          Cost about {money(row.cost12m)}
        </span>
      </Block>
    ),
  },
  {
    key: 'conditions',
    header: 'Conditions and frailty',
    cell: (row) => (
      <Block>
        {listText(row.conditions)}
        <span className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">{frailtyText(row.frailty)}</span>
      </Block>
    ),
  },
  { key: 'why', header: 'Why', cell: (row) => listText(row.factors, 'No single factor stands out') },
];

export function PseudonymisedTable({ rows }: { rows: readonly PseudonymisedRow[] }) {
  return (
    <ResponsiveTable
      caption="Pseudonymised people ranked by risk of emergency admission, highest first"
      columns={COLUMNS}
      rows={rows}
      rowKey={(row) => row.pseudonym}
    />
  );
}
