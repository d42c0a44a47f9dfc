import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKeysCommand } from './keys-command.js';

async function run(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const status = await runKeysCommand(argv, env, {
    out: (text) => (out += text),
    err: (text) => (err += text),
  });
  return { status, out, err };
}

describe('npm run keys', () => {
  it('prints its help on --help', async () => {
    const { status, out } = await run(['--help']);
    expect(status).toBe(0);
    expect(out).toContain('create NAME [--rate N] [--burst N]');
  });

  it.each([
    [[], 'keys: no command: give create, revoke or list'],
    [['rotate', 'x'], 'keys: unknown command "rotate": give create, revoke or list'],
    [['create'], 'keys: create takes one key name, got 0'],
    [['revoke', 'a', 'b'], 'keys: revoke takes one key name, got 2'],
    [['create', 'a', '--rate', '2.5'], 'keys: --rate 2.5: expected a whole number from 1 to 1000000'],
    [['create', 'a', '--burst', '0'], 'keys: --burst 0: expected a whole number from 1 to 1000000'],
    [['revoke', 'a', '--rate', '5'], 'keys: --rate and --burst apply to create only'],
    [['list', '--colour'], "keys: Unknown option '--colour'"],
  ])('exits 2 with a message on a usage error: %j', async (argv, message) => {
    const { status, out, err } = await run(argv);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toContain(message);
    expect(err).toContain('npm run keys -- <command>');
  });

  it('exits 2 on the same bad configuration the backend refuses', async () => {
    const { status, err } = await run(['list'], { DATABASE_URL: 'mysql://x' });
    expect(status).toBe(2);
    expect(err).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL');
  });

  it('refuses while a running backend holds the embedded database, and says what to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keys-spec-'));
    try {
      writeFileSync(join(dataDir, 'backend.lock'), `${process.ppid}\nbackend\n`);
      const { status, out, err } = await run(['list'], { DATA_DIR: dataDir });
      expect(status).toBe(1);
      expect(out).toBe('');
      expect(err).toContain(
        `a running backend (pid ${process.ppid}) has the embedded database in ${dataDir}`,
      );
      expect(err).toContain('stop the backend (Ctrl-C) and run this again');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
