import { Inject, Injectable } from '@nestjs/common';
import type {
  ModelCard,
  ModelRequester,
  ModelVersionInfo,
  ModelVersionStatus,
} from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database, Queryable } from '../database/database.js';
import { ACTIVATION_CHANNEL } from './model-coordination.js';

/** Another training holds the registry's one training slot (this instance or another). */
export class TrainingInProgressError extends Error {
  constructor(readonly runningVersion: string | null) {
    super(
      runningVersion === null
        ? 'a model training is already starting'
        : `model version ${runningVersion} is training; one training runs at a time`,
    );
    this.name = 'TrainingInProgressError';
  }
}

/** The active version as the registry holds it. */
export interface ActiveVersion {
  readonly id: string;
  readonly activatedAt: Date;
  readonly trainedUntil: Date;
  readonly card: ModelCard;
}

interface VersionRow {
  id: string;
  status: ModelVersionStatus;
  requested_by: ModelRequester;
  created_at: Date | string;
  finished_at: Date | string | null;
  trained_until: Date | string;
  card: ModelCard | null;
  error: string | null;
  active: boolean;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

const VERSION_COLUMNS = `v.id, v.status, v.requested_by, v.created_at, v.finished_at, v.trained_until,
  v.card, v.error, (a.version_id IS NOT NULL) AS active`;
// Ids are 'v' and a sequence number: by length, then text, is creation order (v9 before v10).
const NEWEST_FIRST = 'ORDER BY length(v.id) DESC, v.id DESC';

function toInfo(row: VersionRow): ModelVersionInfo {
  return {
    id: row.id,
    status: row.status,
    requestedBy: row.requested_by,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    trainedUntil: iso(row.trained_until),
    active: row.active,
    card: row.card,
    error: row.error,
  };
}

/** SQLSTATE 23505 on the index that allows one training at a time. */
function isTrainingSlotTaken(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && (constraint === undefined || constraint === 'model_versions_one_training');
}

/**
 * The model registry (migration 4): every version trained, with its card, bundle, status and who asked
 * for it, and the one active version. A version is `training`, then `ready` (stored and activated in one
 * transaction) or `failed` with its error. The database itself allows one training at a time and only a
 * ready version to be active.
 */
@Injectable()
export class ModelRegistryRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Records a new version in training; throws TrainingInProgressError while another one trains. */
  async startTraining(requestedBy: ModelRequester, trainedUntil: Date): Promise<ModelVersionInfo> {
    try {
      const { rows } = await this.db.query<VersionRow>(
        `INSERT INTO model_versions (status, requested_by, trained_until) VALUES ('training', $1, $2)
         RETURNING id, status, requested_by, created_at, finished_at, trained_until, card, error, false AS active`,
        [requestedBy, trainedUntil.toISOString()],
      );
      const [row] = rows;
      if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
      return toInfo(row);
    } catch (error) {
      if (!isTrainingSlotTaken(error)) throw error;
      const running = await this.db.query<{ id: string }>(
        "SELECT id FROM model_versions WHERE status = 'training'",
      );
      throw new TrainingInProgressError(running.rows[0]?.id ?? null);
    }
  }

  /**
   * Stores a trained version and makes it the active one, in one transaction. `bundle` is the bundle's
   * JSON text (a few MB, stored as jsonb). Returns when it was activated.
   */
  async completeAndActivate(id: string, card: ModelCard, bundle: string): Promise<Date> {
    return this.db.transaction(async (tx) => {
      const updated = await tx.query<{ id: string }>(
        `UPDATE model_versions
            SET status = 'ready', card = $2::jsonb, bundle = $3::jsonb, finished_at = now()
          WHERE id = $1 AND status = 'training' RETURNING id`,
        [id, JSON.stringify(card), bundle],
      );
      if (updated.rows.length === 0) {
        throw new Error(`model version ${id} is no longer training (marked failed meanwhile?)`);
      }
      return activate(tx, id);
    });
  }

  /** Makes an earlier ready version the active one again (a rollback); throws if it is not ready. */
  async activate(id: string): Promise<Date> {
    return this.db.transaction((tx) => activate(tx, id));
  }

  /** Marks a training failed with its reason; false when the version was not training. */
  async markFailed(id: string, error: string): Promise<boolean> {
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE model_versions SET status = 'failed', error = $2, finished_at = now()
        WHERE id = $1 AND status = 'training' RETURNING id`,
      [id, error],
    );
    return rows.length > 0;
  }

  /**
   * Marks every version still `training` failed (a start-up after a crash or a kill: no worker runs
   * them any more). Returns their ids. One trainer per database is assumed at start-up.
   */
  async failInterrupted(reason: string): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE model_versions SET status = 'failed', error = $1, finished_at = now()
        WHERE status = 'training' RETURNING id`,
      [reason],
    );
    return rows.map((row) => row.id);
  }

  /** The newest versions first, without their bundles. */
  async list(limit = 100): Promise<ModelVersionInfo[]> {
    const { rows } = await this.db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions v
         LEFT JOIN model_active a ON a.version_id = v.id ${NEWEST_FIRST} LIMIT $1`,
      [limit],
    );
    return rows.map(toInfo);
  }

  /** One version without its bundle. */
  async get(id: string): Promise<ModelVersionInfo | undefined> {
    const { rows } = await this.db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions v
         LEFT JOIN model_active a ON a.version_id = v.id WHERE v.id = $1`,
      [id],
    );
    const [row] = rows;
    return row === undefined ? undefined : toInfo(row);
  }

  /** The latest version of any status (the last training attempt). */
  async latest(): Promise<ModelVersionInfo | undefined> {
    const { rows } = await this.db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions v
         LEFT JOIN model_active a ON a.version_id = v.id ${NEWEST_FIRST} LIMIT 1`,
    );
    const [row] = rows;
    return row === undefined ? undefined : toInfo(row);
  }

  async active(): Promise<ActiveVersion | undefined> {
    const { rows } = await this.db.query<{
      id: string;
      activated_at: Date | string;
      trained_until: Date | string;
      card: ModelCard;
    }>(
      `SELECT v.id, a.activated_at, v.trained_until, v.card
         FROM model_active a JOIN model_versions v ON v.id = a.version_id`,
    );
    const [row] = rows;
    if (row === undefined) return undefined;
    return {
      id: row.id,
      activatedAt: new Date(row.activated_at),
      trainedUntil: new Date(row.trained_until),
      card: row.card,
    };
  }

  /** The active version's bundle (parsed JSON), read once at start-up. */
  async activeBundle(): Promise<{ id: string; bundle: unknown } | undefined> {
    const { rows } = await this.db.query<{ id: string; bundle: unknown }>(
      `SELECT v.id, v.bundle FROM model_active a JOIN model_versions v ON v.id = a.version_id`,
    );
    return rows[0];
  }
}

async function activate(tx: Queryable, id: string): Promise<Date> {
  // The foreign key (version_id, 'ready') refuses a version that is not ready.
  const { rows } = await tx.query<{ activated_at: Date | string }>(
    `INSERT INTO model_active (version_id) VALUES ($1)
     ON CONFLICT (singleton) DO UPDATE SET version_id = EXCLUDED.version_id, activated_at = now()
     RETURNING activated_at`,
    [id],
  );
  const [row] = rows;
  if (row === undefined) throw new Error('activation returned no row');
  // Delivered at commit to every replica that listens (database/model-coordination.repository.ts); PGlite ignores it.
  await tx.query(`SELECT pg_notify('${ACTIVATION_CHANNEL}', $1)`, [id]);
  return new Date(row.activated_at);
}
