import { Logger } from '@nestjs/common';
import type { Queryable } from './database.js';

/**
 * Every TimescaleDB-only statement lives here beside its plain-PostgreSQL twin, so the same schema
 * runs on PGlite with TimescaleDB, a TimescaleDB server and Debian's plain PostgreSQL.
 */
const logger = new Logger('TimescaleDB');

/** Creates the extension when the server offers it; returns its version, or null on plain PostgreSQL. */
export async function enableTimescale(db: Queryable): Promise<string | null> {
  const available = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (available.rows.length > 0) {
    try {
      await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    } catch (error) {
      // Offered but not loadable (not in shared_preload_libraries, or no privilege): run as plain PostgreSQL.
      logger.warn(`timescaledb is available but could not be enabled, using plain tables: ${String(error)}`);
    }
  }
  const installed = await db.query<{ extversion: string }>(
    "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'",
  );
  return installed.rows[0]?.extversion ?? null;
}

/**
 * Turns an event table into a hypertable on `occurred_at` (7-day chunks). Plain twin: the table stays
 * a regular table, served by the same (district, occurred_at) index.
 */
export function timeSeriesTable(table: string, timescale: boolean): string[] {
  if (!timescale) return [];
  return [
    `SELECT create_hypertable('${table}', by_range('occurred_at', INTERVAL '7 days'), if_not_exists => TRUE)`,
  ];
}
