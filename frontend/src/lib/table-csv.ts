import { flattenHeader, layoutGrid, toCsv, type GridCell } from './csv';

/**
 * A table on the page as CSV rows: one header line (several header rows joined per column), then its
 * body rows as shown, after the view's filters and sort. A cell's field is its `data-csv` attribute when
 * it has one (a raw figure where the cell shows a formatted one), else its text as a screen reader reads
 * it: decorations marked `aria-hidden` (swatches, ▲ ▼) are left out, words for screen readers kept.
 * Rows and parts marked `data-csv-skip` (a "no data" placeholder row, a button's label) are left out.
 */
export function tableRows(table: HTMLTableElement): string[][] {
  const header = table.tHead === null ? [] : layoutGrid(rowsOf(table.tHead), true);
  const body = [...table.tBodies].flatMap((section) => layoutGrid(rowsOf(section), false));
  return header.length === 0 ? body : [flattenHeader(header), ...body];
}

/** The CSV text of a table (see {@link tableRows}). */
export function tableCsv(table: HTMLTableElement): string {
  return toCsv(tableRows(table));
}

/**
 * Several tables of one panel in one CSV: each after a line with its caption (or accessible name), a
 * blank line between them. One table is just that table.
 */
export function tablesCsv(tables: readonly HTMLTableElement[]): string {
  if (tables.length === 1 && tables[0] !== undefined) return tableCsv(tables[0]);
  const sections = tables.map((table, i) => {
    const title =
      table.caption?.textContent.replace(/\s+/g, ' ').trim() ||
      table.getAttribute('aria-label') ||
      `Table ${i + 1}`;
    return [[title], ...tableRows(table)];
  });
  return toCsv(sections.flatMap((rows, i) => (i === 0 ? rows : [[], ...rows])));
}

function rowsOf(section: HTMLTableSectionElement): GridCell[][] {
  return [...section.rows]
    .filter((row) => !row.hidden && !row.hasAttribute('data-csv-skip'))
    .map((row) =>
      [...row.cells].map((cell) => ({ text: cellText(cell), colSpan: cell.colSpan, rowSpan: cell.rowSpan })),
    );
}

/** The cell's `data-csv`, else its text without `aria-hidden` parts, whitespace collapsed. */
export function cellText(cell: HTMLElement): string {
  const raw = cell.dataset.csv;
  if (raw !== undefined) return raw;
  const copy = cell.cloneNode(true) as HTMLElement;
  for (const hidden of copy.querySelectorAll('[aria-hidden="true"], [data-csv-skip]')) hidden.remove();
  return copy.textContent.replace(/\s+/g, ' ').trim();
}
