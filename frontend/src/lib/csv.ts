/**
 * CSV as RFC 4180 writes it (comma, CRLF, fields with a comma, quote or line break in double quotes,
 * quotes doubled), for the board's "CSV" buttons: every table exports what it shows.
 */

export type CsvCell = string | number | null | undefined;

/** A plain number as a spreadsheet reads it ("-12", "3.5", "1,234", "-12 %"): never a formula. */
const NUMBER_LIKE = /^[+-]?[\d.,]+\s?%?$/;
/** What spreadsheets take as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field. Text a spreadsheet would run as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+1+1`) gets a
 * leading apostrophe, as OWASP advises: alert summaries and operators' reasons are typed by people.
 * Numbers, including negative ones, are left alone. `null` and `undefined` are empty fields.
 */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  if (typeof value === 'string' && FORMULA_START.test(text) && !NUMBER_LIKE.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows to CSV text: fields joined by commas, records ended by CRLF (the last one too). */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/**
 * Reads CSV text back into rows (RFC 4180, as `toCsv` writes it; a leading byte-order mark is
 * skipped). Throws on a quote left open, so a truncated file is not taken for a short one.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  for (; i < text.length; i++) {
    const char = text.charAt(i);
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** One cell of a table row as read from the page: its text and how many columns and rows it spans. */
export interface GridCell {
  readonly text: string;
  readonly colSpan?: number;
  readonly rowSpan?: number;
}

/**
 * Table rows with `colspan` / `rowspan` laid out on a rectangular grid. `repeat`: a spanning cell's text
 * fills every slot it covers (header groups: "Week over week" over each of its columns); otherwise the
 * first slot only, the others empty.
 */
export function layoutGrid(rows: readonly (readonly GridCell[])[], repeat: boolean): string[][] {
  const grid: (string | undefined)[][] = rows.map(() => []);
  rows.forEach((cells, r) => {
    let c = 0;
    for (const cell of cells) {
      const line = grid[r] ?? [];
      while (line[c] !== undefined) c++;
      const colSpan = Math.max(1, cell.colSpan ?? 1);
      const rowSpan = Math.max(1, cell.rowSpan ?? 1);
      for (let dr = 0; dr < rowSpan && r + dr < rows.length; dr++) {
        const target = grid[r + dr] ?? [];
        for (let dc = 0; dc < colSpan; dc++)
          target[c + dc] = repeat || (dr === 0 && dc === 0) ? cell.text : '';
      }
      c += colSpan;
    }
  });
  const width = Math.max(0, ...grid.map((line) => line.length));
  return grid.map((line) => Array.from({ length: width }, (_, c) => line[c] ?? ''));
}

/**
 * One header line from several header rows: per column, its distinct non-empty labels from the top
 * down, joined by " · " ("Week over week · Now").
 */
export function flattenHeader(headerGrid: readonly (readonly string[])[]): string[] {
  const width = Math.max(0, ...headerGrid.map((line) => line.length));
  return Array.from({ length: width }, (_, c) => {
    const labels: string[] = [];
    for (const line of headerGrid) {
      const label = line[c] ?? '';
      if (label !== '' && !labels.includes(label)) labels.push(label);
    }
    return labels.join(' · ');
  });
}

/** A file name's safe form: letters, digits, dot, dash and underscore; runs of others become one dash. */
export function csvFileName(base: string): string {
  const safe = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return `${safe === '' ? 'table' : safe}.csv`;
}
