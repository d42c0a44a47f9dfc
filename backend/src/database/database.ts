/** The small query interface that both `pg.Pool` and PGlite satisfy. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

export interface DatabaseInfo {
  readonly kind: 'pglite' | 'postgres';
  /** Installed TimescaleDB version, or null on plain PostgreSQL. */
  readonly timescaledb: string | null;
}

/** A table and the columns that rows of COPY's text format fill, in order. */
export interface CopyTarget {
  readonly table: string;
  readonly columns: readonly string[];
}

/** A transaction's connection: queries, and bulk loads by COPY. */
export interface Transaction extends Queryable {
  /**
   * Loads `rows`, in COPY's text format (one line per row, tab between fields, `\N` for null, backslash
   * escapes; see `copyText`), into `target` with `COPY ... FROM`: the server's bulk path, no statement per
   * row. A value the column cannot hold fails the transaction with the database's data exception.
   */
  copyFrom(target: CopyTarget, rows: string): Promise<void>;
}

/** A database connection (pool or embedded instance) with transactions. */
export interface Database extends Queryable {
  readonly info: DatabaseInfo;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A PostgreSQL "data exception" (SQLSTATE class 22: a value the column or type cannot hold). Retrying
 * cannot help; the row must be set aside. Both pg and PGlite errors carry the SQLSTATE in `code`.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/** One field in COPY's text format: `\N` for null, backslash, tab, newline and carriage return escaped. */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`COPY field: ${value} is not a finite number`);
    return String(value);
  }
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c) : value;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** Rows in COPY's text format, each a list of fields, every line ended by a newline. */
export function copyText(rows: Iterable<readonly (string | number | null | undefined)[]>): string {
  let text = '';
  for (const row of rows) text += `${row.map(copyField).join('\t')}\n`;
  return text;
}

/** The column list of a COPY statement, identifiers quoted. */
export function copyStatement(target: CopyTarget, source: string): string {
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  return `COPY ${quote(target.table)} (${target.columns.map(quote).join(', ')}) FROM ${source}`;
}
