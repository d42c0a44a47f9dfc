import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

/** The Socket.IO adapter factory over Redis pub/sub, and how to close its two connections. */
export interface RedisBroadcast {
  readonly adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

/**
 * Connects the publishing and subscribing Redis clients of `@socket.io/redis-adapter`: every
 * `emit` (to all, to a room) of any replica reaches the matching sockets of every replica. The pub/sub
 * adapter replays nothing: a board re-syncs from the snapshot on every (re)connect.
 */
export async function connectRedisBroadcast(url: string): Promise<RedisBroadcast> {
  const logger = new Logger('RedisAdapter');
  const pub = createClient({ url });
  const sub = pub.duplicate();
  for (const [name, client] of [
    ['publisher', pub],
    ['subscriber', sub],
  ] as const) {
    // Without a listener an error event would crash the process; the client reconnects by itself.
    client.on('error', (error: unknown) => {
      logger.error(`Redis ${name}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  await Promise.all([pub.connect(), sub.connect()]);
  logger.log(`Socket.IO broadcasts go through Redis at ${new URL(url).host}`);
  return {
    adapter: createAdapter(pub, sub),
    async close() {
      await Promise.all([pub.quit(), sub.quit()]);
    },
  };
}
