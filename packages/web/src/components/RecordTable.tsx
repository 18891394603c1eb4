import type { ReactNode } from 'react';
import { Empty } from './feedback.tsx';
import { ResponsiveTable, type Column } from './ResponsiveTable.tsx';

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

function columns(dateLabel: string): Column<RecordRow>[] {
  return [
    {
      key: 'item',
      header: 'Item',
      // One box, so that on a phone the title, detail and marking stack beside the "Item" label.
      cell: (row) => (
        <span className="cw-item">
          <span className="cw-item-title">{row.title}</span>
          {row.detail && <span className="cw-item-detail">{row.detail}</span>}
          {row.withheldOnline && (
            <span className="cw-item-tags">
              <NotOnlineTag />
            </span>
          )}
        </span>
      ),
    },
    { key: 'date', header: dateLabel, className: 'cw-col-date', cell: (row) => row.date },
    { key: 'source', header: 'From', cell: (row) => row.source },
  ];
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
    <ResponsiveTable
      caption={caption}
      captionHidden
      className="cw-record-table"
      columns={columns(dateLabel)}
      rows={rows}
      rowKey={(row) => row.key}
    />
  );
}
