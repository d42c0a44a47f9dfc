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
