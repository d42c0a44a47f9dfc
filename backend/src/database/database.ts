/** The small query interface that both `pg.Pool` and PGlite satisfy. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

export interface DatabaseInfo {
  readonly kind: 'pglite' | 'postgres';
  /** Installed TimescaleDB version, or null on plain PostgreSQL. */
  readonly timescaledb: string | null;
}

/** A database connection (pool or embedded instance) with transactions. */
export interface Database extends Queryable {
  readonly info: DatabaseInfo;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
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
