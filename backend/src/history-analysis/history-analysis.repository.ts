import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';

/** A stored analysis: its version row and its bundle (parsed JSON, checked by the service). */
export interface StoredAnalysis {
  readonly id: string;
  readonly historyHash: string;
  readonly createdAt: Date;
  readonly finishedAt: Date;
  readonly bundle: unknown;
}

interface Row {
  id: string;
  history_hash: string;
  created_at: Date | string;
  finished_at: Date | string;
  bundle: unknown;
}

const toStored = (row: Row): StoredAnalysis => ({
  id: row.id,
  historyHash: row.history_hash,
  createdAt: new Date(row.created_at),
  finishedAt: new Date(row.finished_at),
  bundle: typeof row.bundle === 'string' ? (JSON.parse(row.bundle) as unknown) : row.bundle,
});

/**
 * The history analysis registry (migration 9), beside the live models' registry: every analysis
 * trained, keyed by the content hash of the history it was trained on. A version is `training`, then
 * `ready` with its bundle, or `failed` with its error; one ready version per history hash.
 */
@Injectable()
export class HistoryAnalysisRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** The ready analysis of this history, if one was trained. */
  async readyFor(historyHash: string): Promise<StoredAnalysis | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT id, history_hash, created_at, finished_at, bundle FROM history_analysis_versions
        WHERE status = 'ready' AND history_hash = $1`,
      [historyHash],
    );
    const [row] = rows;
    return row === undefined ? undefined : toStored(row);
  }

  /** The newest ready analysis of any history (served when the history cannot be read). */
  async latestReady(): Promise<StoredAnalysis | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT id, history_hash, created_at, finished_at, bundle FROM history_analysis_versions
        WHERE status = 'ready' ORDER BY finished_at DESC LIMIT 1`,
    );
    const [row] = rows;
    return row === undefined ? undefined : toStored(row);
  }

  /** Records a training of the history with this hash; returns its id. */
  async startTraining(historyHash: string): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO history_analysis_versions (history_hash, status) VALUES ($1, 'training') RETURNING id`,
      [historyHash],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('INSERT ... RETURNING returned no row');
    return id;
  }

  /** Stores the bundle (JSON text) of a training; returns when it finished. */
  async complete(id: string, bundle: string): Promise<Date> {
    const { rows } = await this.db.query<{ finished_at: Date | string }>(
      `UPDATE history_analysis_versions SET status = 'ready', bundle = $2::jsonb, finished_at = now()
        WHERE id = $1 AND status = 'training' RETURNING finished_at`,
      [id, bundle],
    );
    const finished = rows[0]?.finished_at;
    if (finished === undefined) throw new Error(`history analysis ${id} is no longer training`);
    return new Date(finished);
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE history_analysis_versions SET status = 'failed', error = $2, finished_at = now()
        WHERE id = $1 AND status = 'training'`,
      [id, error],
    );
  }

  /** Marks trainings a previous life left running failed; returns their ids. */
  async failInterrupted(reason: string): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE history_analysis_versions SET status = 'failed', error = $1, finished_at = now()
        WHERE status = 'training' RETURNING id`,
      [reason],
    );
    return rows.map((row) => row.id);
  }
}
