import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { Database, DatabaseInfo, Queryable } from './database.js';
import { enableTimescale } from './timescale.js';

/** A PostgreSQL or TimescaleDB server through one `pg.Pool`. */
export class PostgresDatabase implements Database {
  private static readonly logger = new Logger('PostgresDatabase');

  private constructor(
    private readonly pool: pg.Pool,
    readonly info: DatabaseInfo,
  ) {}

  static async open(url: string): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: 8, application_name: 'district-monitor' });
    // An idle client's error (server restart, network) must not crash the process; the next query reconnects.
    pool.on('error', (error) => {
      PostgresDatabase.logger.error(`idle client error: ${error.message}`);
    });
    try {
      const version = await enableTimescale(pool);
      return new PostgresDatabase(pool, { kind: 'postgres', timescaledb: version });
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }> {
    const result = await this.pool.query(sql, params);
    return { rows: result.rows as Row[] };
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <Row>(sql: string, params?: unknown[]) => ({
          rows: (await client.query(sql, params)).rows as Row[],
        }),
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        // The connection is in an unknown state: destroy it instead of returning it to the pool.
        broken = true;
        PostgresDatabase.logger.error(`rollback failed: ${String(rollbackError)}`);
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
