import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../backend/src/database/postgres.repository.js';
import { createDatabase } from './helpers/services.js';

/** The ErrorResponse a server in fast shutdown sends every connection (SQLSTATE 57P01). */
function fatalShutdownMessage(): Buffer {
  const fields = Buffer.concat([
    ...[
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', '57P01'],
      ['M', 'terminating connection due to administrator command'],
    ].map(([code, value]) => Buffer.from(`${code}${value}\0`)),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/**
 * A TCP proxy in front of PostgreSQL. While `failNewConnections` is set, a connection opened through it
 * gets its first ReadyForQuery and the shutdown FATAL in one write, then the proxy closes it: what a client
 * reads when the server stops just as the connection completes and the process is slow to read.
 */
async function startProxy(target: URL) {
  const pairs = new Set<[Socket, Socket]>();
  const state = { failNewConnections: false, injected: 0 };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const close = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    if (!state.failNewConnections) {
      upstream.pipe(client);
      return;
    }
    // Server messages are a type byte and a length that counts itself; forward whole ones until 'Z'.
    let carry = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      carry = Buffer.concat([carry, chunk]);
      let end = 0;
      while (carry.length >= end + 5) {
        const next = end + 1 + carry.readInt32BE(end + 1);
        if (next > carry.length) break;
        if (carry[end] === 'Z'.charCodeAt(0)) {
          state.injected++;
          client.end(Buffer.concat([carry.subarray(0, next), fatalShutdownMessage()]));
          upstream.destroy();
          return;
        }
        end = next;
      }
      client.write(carry.subarray(0, end));
      carry = carry.subarray(end);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    state,
    /** Cuts every connection open through the proxy (the pool's idle ones too). */
    dropOpenConnections(): void {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
    },
    async close(): Promise<void> {
      this.dropOpenConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('PostgreSQL: a connection lost in the read that completed it', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("the server's FATAL read together with a new connection's ReadyForQuery fails the transaction, not the process", async () => {
    const database = await createDatabase();
    cleanups.push(() => database.drop());
    const proxy = await startProxy(new URL(database.url));
    cleanups.push(() => proxy.close());
    const db = await PostgresDatabase.open(proxy.url);
    cleanups.push(() => db.close());

    const uncaught: unknown[] = [];
    const record = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', record);
    cleanups.push(() => Promise.resolve(process.off('uncaughtException', record)));

    proxy.state.failNewConnections = true;
    proxy.dropOpenConnections();
    // The first checkout may still take the idle client the proxy just cut; the next one opens a connection.
    const failures: unknown[] = [];
    for (let attempt = 0; attempt < 3 && proxy.state.injected === 0; attempt++) {
      failures.push(
        await db
          .transaction((tx) => tx.query('SELECT 1'))
          .then(
            () => 'committed',
            (error: unknown) => error,
          ),
      );
    }
    // Whatever the pg client emits after the read that carried the FATAL has run by the next macrotask.
    await new Promise((resolve) => setImmediate(resolve));

    expect(proxy.state.injected).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(failure).toBeInstanceOf(Error);
    expect(uncaught).toEqual([]);

    // With the server answering again, the same database object works: nothing is left broken in the pool.
    proxy.state.failNewConnections = false;
    const { rows } = await db.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'));
    expect(rows).toEqual([{ one: 1 }]);
  });
});
