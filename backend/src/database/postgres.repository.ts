import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import {
  copyStatement,
  type CopyTarget,
  type Database,
  type DatabaseInfo,
  type Transaction,
} from './database.js';
import { enableTimescale } from './timescale.js';

/** A PostgreSQL or TimescaleDB server through one `pg.Pool`. */
export class PostgresDatabase implements Database {
  private static readonly logger = new Logger('PostgresDatabase');

  private constructor(
    private readonly pool: pg.Pool,
    readonly info: DatabaseInfo,
  ) {}

  static async open(url: string): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString: url,
      max: 8,
      application_name: 'district-monitor',
      // A server that accepts but does not answer (starting up, overloaded) fails a checkout in bounded time.
      connectionTimeoutMillis: 10_000,
    });
    // An idle client's error (server restart, network) must not crash the process; the next query reconnects.
    pool.on('error', (error) => {
      PostgresDatabase.logger.error(`idle client error: ${error.message}`);
    });
    // pg-pool takes its idle listener off a client as it hands the client out, and `await pool.connect()`
    // resumes only after the read that completed the connection. When that read also holds the server's
    // FATAL (a restart while the process is slow to read), the 'error' event would find no listener and
    // end the process. So every client keeps one listener for its whole life; the query or transaction
    // that uses the client still fails on its own, and the pool drops the client when it is released.
    pool.on('connect', (client) => {
      client.on('error', (error) => {
        PostgresDatabase.logger.debug(`connection error: ${error.message}`);
      });
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

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client is not covered by the pool's idle listener: without its own, a server restart
    // mid-transaction ("terminating connection due to administrator command") is an unhandled 'error'
    // event that ends the process. The query in flight fails as well, so the transaction throws.
    let lost: Error | undefined;
    const onError = (error: Error): void => {
      lost = error;
      PostgresDatabase.logger.warn(`connection lost during a transaction: ${error.message}`);
    };
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <Row>(sql: string, params?: unknown[]) => ({
          rows: (await client.query(sql, params)).rows as Row[],
        }),
        copyFrom: (target, rows) => copyInto(client, target, rows),
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (lost !== undefined) broken = lost;
      else {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // The connection is in an unknown state: destroy it instead of returning it to the pool.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          PostgresDatabase.logger.error(`rollback failed: ${String(rollbackError)}`);
        });
      }
      throw error;
    } finally {
      // Released with the error, pg destroys the client instead of pooling a dead connection; a destroyed
      // client keeps a listener, since its socket may still report the loss after release.
      const failure = broken ?? lost;
      if (failure === undefined) client.removeListener('error', onError);
      client.release(failure);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * `COPY ... FROM STDIN` on the transaction's connection: the rows go as one CopyData stream. The server's
 * refusal (a data exception) rejects with its error, and the connection is ready for the ROLLBACK.
 */
async function copyInto(client: pg.PoolClient, target: CopyTarget, rows: string): Promise<void> {
  const stream = client.query(copyFromStdin(copyStatement(target, 'STDIN')));
  const done = once(stream, 'finish');
  stream.end(rows);
  await done;
}
