import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/app-config.js';
import type { Database } from '../database/database.js';
import { readRegion } from '@district-monitor/data/runtime';
import { bucketContext, migrate } from '../database/migrate.js';
import { DataDirLockedError, PgliteDatabase } from '../database/pglite.repository.js';
import { PostgresDatabase } from '../database/postgres.repository.js';
import { DEFAULT_RATE_LIMIT, MAX_RATE_LIMIT, type RateLimit } from './producer-key.js';
import { ProducerKeysRepository } from './producer-keys.repository.js';
import { ProducerKeyError, ProducerKeysService, type ProducerKeyInfo } from './producer-keys.service.js';

export const KEYS_HELP = `npm run keys -- <command>   producer keys for HTTP ingest (POST /api/events)

commands
  create NAME [--rate N] [--burst N]   create a key; it is printed once and never shown again
  revoke NAME                          revoke the key named NAME
  list                                 every key: name, id, limits, created, last used, revoked

options
  --rate N     events per second the key may publish, on average (default ${DEFAULT_RATE_LIMIT.ratePerSecond})
  --burst N    events the key may publish at once; also the most one request may hold for it
               (default ${DEFAULT_RATE_LIMIT.burst}, the per-request limit)
  --help       this text

The database is the backend's, from the same environment: DATABASE_URL, or else the embedded one in
DATA_DIR (default .local/data). The embedded database opens in one process at a time, so stop the
backend before running this against it. A backend on a PostgreSQL server keeps running, and stops
accepting a revoked key within ${ProducerKeysService.CACHE_TTL_MS / 1000} seconds.`;

export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

class UsageError extends Error {}

type Command =
  | { name: 'create'; keyName: string; limit: RateLimit }
  | { name: 'revoke'; keyName: string }
  | { name: 'list' }
  | { name: 'help' };

function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        rate: { type: 'string' },
        burst: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { name: 'help' };
  const [command, ...rest] = positionals;
  const limitOption = (name: 'rate' | 'burst', fallback: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || value > MAX_RATE_LIMIT) {
      throw new UsageError(`--${name} ${raw}: expected a whole number from 1 to ${MAX_RATE_LIMIT}`);
    }
    return value;
  };
  const onlyName = (): string => {
    if (rest.length !== 1 || rest[0] === undefined) {
      throw new UsageError(`${command ?? ''} takes one key name, got ${rest.length}`);
    }
    return rest[0];
  };
  const noLimits = () => {
    if (values.rate !== undefined || values.burst !== undefined) {
      throw new UsageError(`--rate and --burst apply to create only`);
    }
  };
  switch (command) {
    case 'create':
      return {
        name: 'create',
        keyName: onlyName(),
        limit: {
          ratePerSecond: limitOption('rate', DEFAULT_RATE_LIMIT.ratePerSecond),
          burst: limitOption('burst', DEFAULT_RATE_LIMIT.burst),
        },
      };
    case 'revoke':
      noLimits();
      return { name: 'revoke', keyName: onlyName() };
    case 'list':
      noLimits();
      if (rest.length > 0) throw new UsageError('list takes no arguments');
      return { name: 'list' };
    case undefined:
      throw new UsageError('no command: give create, revoke or list');
    default:
      throw new UsageError(`unknown command "${command}": give create, revoke or list`);
  }
}

function table(keys: readonly ProducerKeyInfo[]): string {
  const when = (date: Date | null) => (date === null ? '-' : date.toISOString().replace(/\.\d+Z$/, 'Z'));
  const rows = [
    ['name', 'id', 'rate/s', 'burst', 'created', 'last used', 'revoked'],
    ...keys.map((key) => [
      key.name,
      key.id,
      String(key.ratePerSecond),
      String(key.burst),
      when(key.createdAt),
      when(key.lastUsedAt),
      when(key.revokedAt),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function act(
  command: Exclude<Command, { name: 'help' }>,
  db: Database,
  io: CommandOutput,
): Promise<void> {
  const keys = new ProducerKeysService(new ProducerKeysRepository(db));
  switch (command.name) {
    case 'create': {
      const { key, info } = await keys.create(command.keyName, command.limit);
      // The key alone on stdout, so `KEY=$(npm run keys -- create NAME)` works; the rest on stderr.
      io.err(
        `created key "${info.name}" (id ${info.id}): ${info.ratePerSecond} events/s, burst ${info.burst}\n`,
      );
      io.out(`${key}\n`);
      io.err(
        'This key is shown only now and will not be shown again: give it to the producer ' +
          '(Authorization: Bearer <key>) and keep it in a secret store.\n',
      );
      return;
    }
    case 'revoke': {
      const { info, alreadyRevoked } = await keys.revoke(command.keyName);
      const at = info.revokedAt?.toISOString() ?? '';
      io.out(
        alreadyRevoked
          ? `key "${info.name}" (id ${info.id}) was already revoked at ${at}\n`
          : `revoked key "${info.name}" (id ${info.id}) at ${at}; a running backend on a PostgreSQL server ` +
              `refuses it within ${ProducerKeysService.CACHE_TTL_MS / 1000} s\n`,
      );
      return;
    }
    case 'list': {
      const all = await keys.list();
      io.out(all.length === 0 ? 'no producer keys yet: npm run keys -- create NAME\n' : `${table(all)}\n`);
      return;
    }
  }
}

/**
 * `npm run keys`: runs one admin command against the backend's database, with the backend's
 * configuration. Returns the exit status: 0 done, 1 refused or failed, 2 usage error.
 */
export async function runKeysCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CommandOutput,
): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`keys: ${error.message}\n\n${KEYS_HELP}\n`);
    return 2;
  }
  if (command.name === 'help') {
    io.out(`${KEYS_HELP}\n`);
    return 0;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`keys: ${error.message}\n`);
    return 2;
  }

  let db: Database;
  try {
    db =
      config.databaseUrl !== undefined
        ? await PostgresDatabase.open(config.databaseUrl)
        : await PgliteDatabase.open(config.dataDir, 'npm run keys');
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    io.err(
      `keys: ${error.holder === 'backend' ? 'a running backend' : error.holder} (pid ${error.pid}) has the ` +
        `embedded database in ${error.dataDir} open, and it opens in one process at a time: ` +
        `stop the backend (Ctrl-C) and run this again.\n` +
        `(If no such process is yours, the lock is ${error.dataDir}/backend.lock.)\n`,
    );
    return 1;
  }
  try {
    await migrate(db, bucketContext(await readRegion(config.regionFile)));
    await act(command, db, io);
    return 0;
  } catch (error) {
    if (!(error instanceof ProducerKeyError)) throw error;
    io.err(`keys: ${error.message}\n`);
    return 1;
  } finally {
    await db.close();
  }
}
