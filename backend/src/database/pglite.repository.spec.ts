import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from './pglite.repository.js';

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
