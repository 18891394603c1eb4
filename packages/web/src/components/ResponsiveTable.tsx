import type { Key, ReactNode } from 'react';

/** One column: its header, what each row shows in it, and a key unique among the columns. */
export interface Column<Row> {
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** The first column names the row (`<th scope="row">`), as in a table of questions and answers. */
  rowHeader?: boolean;
  numeric?: boolean;
  /** Extra class on the header cell (for example a width). */
  className?: string;
}

export interface ResponsiveTableProps<Row> {
  caption: ReactNode;
  /** Keep the caption for screen readers only, when a heading just above already says it. */
  captionHidden?: boolean;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => Key;
  className?: string;
}

/**
 * The NHS.UK responsive table: a table on wide screens; on a phone each row becomes a block in
 * which every cell carries its column's name (the `nhsuk-table-responsive__heading` span, hidden
 * from screen readers, which already hear the column header). `role="table"` keeps the table
 * semantics that some browsers drop once CSS changes the table's display.
 */
export function ResponsiveTable<Row>({
  caption,
  captionHidden = false,
  columns,
  rows,
  rowKey,
  className,
}: ResponsiveTableProps<Row>) {
  return (
    <table className={['nhsuk-table-responsive', className].filter(Boolean).join(' ')} role="table">
      <caption className={`nhsuk-table__caption${captionHidden ? ' nhsuk-u-visually-hidden' : ''}`}>{caption}</caption>
      <thead className="nhsuk-table__head" role="rowgroup">
        <tr className="nhsuk-table__row" role="row">
          {columns.map((column) => (
            <th key={column.key} scope="col" role="columnheader" className={headerClass(column)}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="nhsuk-table__body" role="rowgroup">
        {rows.map((row, index) => (
          <tr className="nhsuk-table__row" role="row" key={rowKey(row, index)}>
            {columns.map((column) => (
              <Cell key={column.key} column={column} row={row} />
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function headerClass(column: Column<never>): string {
  return ['nhsuk-table__header', column.numeric && 'nhsuk-table__header--numeric', column.className]
    .filter(Boolean)
    .join(' ');
}

function Cell<Row>({ column, row }: { column: Column<Row>; row: Row }) {
  const className = `nhsuk-table__cell${column.numeric ? ' nhsuk-table__cell--numeric' : ''}`;
  const content = (
    <>
      <span className="nhsuk-table-responsive__heading" aria-hidden="true">
        {column.header}{' '}
      </span>
      {column.cell(row)}
    </>
  );
  return column.rowHeader ? (
    <th scope="row" role="rowheader" className={className}>
      {content}
    </th>
  ) : (
    <td role="cell" className={className}>
      {content}
    </td>
  );
}
