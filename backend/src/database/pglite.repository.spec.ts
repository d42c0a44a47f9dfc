import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bucketContext, migrate } from './migrate.js';
import { DataDirLockedError, LOCK_FILE, PgliteDatabase, lockDataDir } from './pglite.repository.js';
import { applyStoragePolicies } from './timescale.js';

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the embedded database folder lock', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-spec-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the pid and holder in DATA_DIR/backend.lock, and removes it on release', () => {
    const dir = freshDir();
    const release = lockDataDir(dir, 'backend');
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\nbackend\n`);
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses while a live process holds it, naming that process', () => {
    const dir = freshDir();
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\nbackend\n`);
    let error: unknown;
    try {
      lockDataDir(dir, 'npm run keys');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error).toMatchObject({ pid: process.ppid, holder: 'backend', dataDir: dir });
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.ppid}\nbackend\n`);
  });

  it('takes over a lock whose process is dead (a killed backend)', () => {
    const dir = freshDir();
    writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\nbackend\n`);
    const release = lockDataDir(dir, 'npm run keys');
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\nnpm run keys\n`);
    release();
  });

  it('takes over a lock file that holds no pid', () => {
    const dir = freshDir();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    lockDataDir(dir, 'backend')();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a second open in the same process, and release leaves a lock that is not its own', () => {
    const dir = freshDir();
    const release = lockDataDir(dir, 'backend');
    expect(() => lockDataDir(dir, 'backend')).toThrow(DataDirLockedError);
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\nsomeone else\n`);
    release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.ppid}\nsomeone else\n`);
  });
});

describe('a reopened embedded database', () => {
  it('still runs the licensed TimescaleDB functions: compression and aggregate policies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reopen-spec-'));
    try {
      const context = bucketContext({ timeZone: 'Asia/Kolkata' });
      const first = await PgliteDatabase.open(dir);
      await migrate(first, context);
      await first.close();
      const again = await PgliteDatabase.open(dir);
      try {
        await applyStoragePolicies(again, { timescale: true, amendmentWindowDays: 30 });
        const { rows } = await again.query<{ proc_name: string; n: number }>(
          `SELECT proc_name, count(*)::int AS n FROM timescaledb_information.jobs
            WHERE proc_name IN ('policy_compression', 'policy_refresh_continuous_aggregate')
            GROUP BY 1 ORDER BY 1`,
        );
        expect(rows).toEqual([
          { proc_name: 'policy_compression', n: 2 },
          { proc_name: 'policy_refresh_continuous_aggregate', n: 4 },
        ]);
        const compressAfter = await again.query<{ after: string }>(
          `SELECT config->>'compress_after' AS after FROM timescaledb_information.jobs
            WHERE proc_name = 'policy_compression' LIMIT 1`,
        );
        // The amendment window and one day of clock margin.
        expect(compressAfter.rows[0]?.after).toBe('31 days');
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
