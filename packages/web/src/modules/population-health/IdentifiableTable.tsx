import type { ReactNode } from 'react';
import { ResponsiveTable, type Column } from '../../components/ResponsiveTable.tsx';
import { idOf, type CaseListEntry, type IdentifiableRow } from './api.ts';
import { BandTag } from './BandTag.tsx';
import { CaseListButton } from './CaseListButton.tsx';
import { changeText, frailtyText, listText, money, nhsNumberText, percent, sexText } from './format.ts';

/**
 * One wrapping block per cell: on a phone the NHS.UK responsive table lays a cell out as a row of
 * flex items (its heading, then the content), so the content must be one item.
 */
function Block({ children }: { children: ReactNode }) {
  return <span className="nhsuk-u-display-inline-block">{children}</span>;
}

function Small({ children }: { children: ReactNode }) {
  return <span className="nhsuk-body-s nhsuk-u-display-block nhsuk-u-margin-bottom-0">{children}</span>;
}

const columns = (
  onList: ReadonlyMap<string, CaseListEntry>,
  firstRank: number,
): readonly Column<IdentifiableRow & { rank: number }>[] => [
  { key: 'rank', header: 'Rank', numeric: true, cell: (row) => row.rank + firstRank },
  {
    key: 'patient',
    header: 'Patient',
    rowHeader: true,
    cell: (row) => (
      <Block>
        <a href={`/patients/${encodeURIComponent(idOf(row.patient.reference))}`}>{row.patient.name}</a>
        <Small>{nhsNumberText(row.patient.nhsNumber)}</Small>
        <Small>
          {row.age} years, {sexText(row.sex)}
          {row.practice ? ` · ${row.practice.name}` : ''}
        </Small>
        <span className="nhsuk-u-display-block nhsuk-u-margin-top-2">
          <CaseListButton
            patient={row.patient.reference}
            name={row.patient.name}
            onList={onList.get(row.patient.reference)}
          />
        </span>
      </Block>
    ),
  },
  {
    key: 'risk',
    header: 'Risk',
    cell: (row) => (
      <Block>
        <BandTag band={row.band} /> <strong>{percent(row.probability)}</strong>
        <Small>
          {row.rising ? (
            <strong>{changeText(row.probability, row.previousProbability, true)}</strong>
          ) : (
            changeText(row.probability, row.previousProbability, false)
          )}
        </Small>
        <Small>
          <a href={`/population-health/patients/${encodeURIComponent(idOf(row.patient.reference))}`}>
            Score details<span className="nhsuk-u-visually-hidden"> for {row.patient.name}</span>
          </a>
        </Small>
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
        <Small>Cost {money(row.cost12m)}</Small>
      </Block>
    ),
  },
  {
    key: 'conditions',
    header: 'Conditions',
    cell: (row) => (
      <Block>
        {listText(row.conditions)}
        <Small>
          {frailtyText(row.frailty)} (eFI {row.efi.toFixed(2)}) · {row.repeatMedicines} repeat medicines
        </Small>
      </Block>
    ),
  },
  {
    key: 'why',
    header: 'Why',
    cell: (row) => (
      <Block>
        {row.factors.length ? (
          <ul className="nhsuk-list nhsuk-list--bullet nhsuk-body-s nhsuk-u-margin-bottom-0">
            {row.factors.map((factor) => (
              <li key={factor} className="nhsuk-u-margin-bottom-0">
                {factor}
              </li>
            ))}
          </ul>
        ) : (
          'No single factor stands out'
        )}
      </Block>
    ),
  },
];

/** The identifiable list: ranked, each row explained, each patient linked to their record. */
export function IdentifiableTable({
  rows,
  onList,
  firstRank,
}: {
  rows: readonly IdentifiableRow[];
  onList: ReadonlyMap<string, CaseListEntry>;
  firstRank: number;
}) {
  return (
    <ResponsiveTable
      caption="People ranked by risk of emergency admission in the next 12 months, highest first"
      columns={columns(onList, firstRank)}
      rows={rows.map((row, rank) => ({ ...row, rank }))}
      rowKey={(row) => row.patient.reference}
    />
  );
}
