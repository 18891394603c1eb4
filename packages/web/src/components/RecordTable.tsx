import type { ReactNode } from 'react';
import { Empty } from './feedback.tsx';

export interface RecordRow {
  key: string;
  title: ReactNode;
  detail?: ReactNode;
  date: string;
  source: string;
  /** Kept out of the patient's online view (lib/online-view.ts): marked for the clinician. */
  withheldOnline?: boolean;
}

/** The marking on an item the patient and their carers do not see online (docs/ACCESS.md). */
export function NotOnlineTag() {
  return <strong className="nhsuk-tag nhsuk-tag--grey cw-tag-s">Not shown in the patient’s online record</strong>;
}

/**
 * One section of a record as a responsive NHS table: what, when, and which organisation holds
 * it. On a phone each row becomes a block with its own labels.
 */
export function RecordTable({
  caption,
  rows,
  empty,
  dateLabel = 'Date',
}: {
  caption: string;
  rows: RecordRow[];
  empty: string;
  dateLabel?: string;
}) {
  if (rows.length === 0) {
    return <Empty>{empty}</Empty>;
  }
  return (
    <table className="nhsuk-table-responsive cw-record-table">
      <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">{caption}</caption>
      <thead className="nhsuk-table__head">
        <tr className="nhsuk-table__row">
          <th scope="col" className="nhsuk-table__header">
            Item
          </th>
          <th scope="col" className="nhsuk-table__header cw-col-date">
            {dateLabel}
          </th>
          <th scope="col" className="nhsuk-table__header">
            From
          </th>
        </tr>
      </thead>
      <tbody className="nhsuk-table__body">
        {rows.map((row) => (
          <tr className="nhsuk-table__row" key={row.key}>
            <td className="nhsuk-table__cell">
              <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                Item{' '}
              </span>
              {/* One box, so that on a phone the title, detail and marking stack beside the "Item" label. */}
              <span className="cw-item">
                <span className="cw-item-title">{row.title}</span>
                {row.detail && <span className="cw-item-detail">{row.detail}</span>}
                {row.withheldOnline && (
                  <span className="cw-item-tags">
                    <NotOnlineTag />
                  </span>
                )}
              </span>
            </td>
            <td className="nhsuk-table__cell">
              <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                {dateLabel}{' '}
              </span>
              {row.date}
            </td>
            <td className="nhsuk-table__cell">
              <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                From{' '}
              </span>
              {row.source}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
