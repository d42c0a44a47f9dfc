import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { REPO_ROOT, uniqueName, waitFor } from './services.js';

const run = promisify(execFile);

/** A PostgreSQL cluster of one test's own, which the test may stop, restart and throw away. */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/chaos` (trust authentication, localhost only). */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m fast`: open connections end with "terminating connection due to administrator command". */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** The newest Debian PostgreSQL server's bin folder (deploy/postgres.sh installs it). */
function binFolder(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const [newest] = versions;
  if (newest === undefined) {
    throw new Error(
      `no PostgreSQL server under ${root}: run deploy/postgres.sh start (it installs postgresql)`,
    );
  }
  return join(root, newest, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * Creates and starts a throwaway cluster (initdb into `.local/chaos-postgres/<unique>`, `pg_ctl start` on
 * a free port), as the `postgres` user when run as root, as deploy/postgres.sh does. Never the shared
 * server: other tests use that one.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binFolder();
  const asRoot = process.getuid?.() === 0;
  const pgRun = (tool: string, args: readonly string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { cwd: '/' })
      : run(join(bin, tool), [...args]);
  const parent = join(REPO_ROOT, '.local', 'chaos-postgres');
  const dir = join(parent, uniqueName('pg-'));
  mkdirSync(parent, { recursive: true });
  // The postgres user must reach its folder through ours.
  for (const folder of [join(REPO_ROOT, '.local'), parent]) chmodSync(folder, 0o755);
  mkdirSync(dir, { mode: 0o700 });
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  await pgRun('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const start = async () => {
    await pgRun('pg_ctl', [
      '-D',
      dir,
      '-o',
      options,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  };
  const stop = async (mode = 'fast') => {
    await pgRun('pg_ctl', ['-D', dir, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  await start();
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitFor('the throwaway PostgreSQL to accept connections', async () => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query('CREATE DATABASE chaos');
    } finally {
      await client.end();
    }
    return true;
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/chaos`,
    port,
    stop: () => stop(),
    start,
    async destroy() {
      await stop('immediate').catch(() => undefined); // already stopped is fine
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
