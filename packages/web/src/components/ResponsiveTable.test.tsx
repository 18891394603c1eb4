import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ResponsiveTable, type Column, type ResponsiveTableProps } from './ResponsiveTable.tsx';

interface Reading {
  id: string;
  date: string;
  value: number;
}

const columns: Column<Reading>[] = [
  { key: 'date', header: 'Date', rowHeader: true, cell: (row) => row.date },
  { key: 'value', header: 'Systolic', numeric: true, cell: (row) => <strong>{row.value}</strong> },
  { key: 'note', header: 'Note', className: 'cw-col-note', cell: () => 'None' },
];
const rows: Reading[] = [
  { id: 'a', date: '1 March 2026', value: 120 },
  { id: 'b', date: '2 March 2026', value: 131 },
];

/** The table's HTML, as the server-side renderer writes it (no DOM needed). */
const render = (props: Partial<ResponsiveTableProps<Reading>> = {}): string =>
  renderToStaticMarkup(
    <ResponsiveTable caption="Blood pressure" columns={columns} rows={rows} rowKey={(row) => row.id} {...props} />,
  );

const count = (html: string, text: string): number => html.split(text).length - 1;

describe('ResponsiveTable', () => {
  it('is the NHS.UK responsive table, with table semantics kept for screen readers', () => {
    const html = render();
    expect(html).toMatch(/^<table class="nhsuk-table-responsive" role="table">/);
    expect(html).toContain('<caption class="nhsuk-table__caption">Blood pressure</caption>');
    expect(count(html, 'role="columnheader"')).toBe(3);
    expect(count(html, '<th scope="col"')).toBe(3);
    expect(count(html, 'role="row"')).toBe(1 + rows.length);
  });

  it('labels every cell with its column for small screens, hidden from screen readers', () => {
    const html = render();
    expect(count(html, 'class="nhsuk-table-responsive__heading" aria-hidden="true"')).toBe(rows.length * 3);
    expect(html).toContain('<span class="nhsuk-table-responsive__heading" aria-hidden="true">Systolic </span>');
  });

  it('draws each cell with its column, in column order', () => {
    const html = render();
    expect(html).toContain(
      '<th scope="row" role="rowheader" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Date </span>1 March 2026</th>',
    );
    expect(html).toContain(
      '<td role="cell" class="nhsuk-table__cell nhsuk-table__cell--numeric"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Systolic </span><strong>131</strong></td>',
    );
    expect(html.indexOf('120')).toBeLessThan(html.indexOf('131'));
  });

  it('marks numeric headers and passes header classes through', () => {
    const html = render();
    expect(html).toContain('class="nhsuk-table__header nhsuk-table__header--numeric"');
    expect(html).toContain('class="nhsuk-table__header cw-col-note"');
  });

  it('can keep the caption for screen readers only, and take a class of its own', () => {
    const html = render({ captionHidden: true, className: 'cw-record-table' });
    expect(html).toContain('<table class="nhsuk-table-responsive cw-record-table" role="table">');
    expect(html).toContain('<caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Blood pressure</caption>');
  });

  it('has a header row and no body rows when there are no rows', () => {
    const html = render({ rows: [] });
    expect(count(html, 'role="row"')).toBe(1);
    expect(html).toContain('<tbody class="nhsuk-table__body" role="rowgroup"></tbody>');
  });
});
