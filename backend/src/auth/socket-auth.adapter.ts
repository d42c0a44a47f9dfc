import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { metrics } from '../metrics/metrics.js';
import type { RedisBroadcast } from '../live/redis-adapter.gateway.js';
import type { SocketData } from '../http/access.js';
import type { Authentication } from './users.service.js';

/** What the handshake needs of the users service. */
export interface SocketAuthenticator {
  authenticate(token: string): Promise<Authentication>;
}

type NextFunction = (error?: Error) => void;

/**
 * The Socket.IO handshake middleware: the client sends `auth: { token }` (the token from
 * `POST /api/auth/login`). A missing or invalid token is refused before any gateway sees the socket,
 * as a `connect_error` whose message starts with `unauthorized:` and says why; a valid one leaves the
 * user on `socket.data.user`.
 */
export function socketAuthMiddleware(authenticator: SocketAuthenticator) {
  const logger = new Logger('SocketAuth');
  return (socket: Socket<never, never, never, Partial<SocketData>>, next: NextFunction): void => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const token = auth?.token;
    if (typeof token !== 'string' || token === '') {
      next(
        new Error('unauthorized: no session token: connect with auth: { token } from POST /api/auth/login'),
      );
      return;
    }
    authenticator.authenticate(token).then(
      (authentication) => {
        if (!authentication.ok) {
          next(new Error(`unauthorized: ${authentication.reason}`));
          return;
        }
        socket.data.user = authentication.user;
        next();
      },
      (error: unknown) => {
        // The database could not be asked: the client retries on its own.
        logger.warn(`handshake of ${socket.id}: the session could not be checked: ${String(error)}`);
        next(new Error('unavailable: the session could not be checked; retry later'));
      },
    );
  };
}

/**
 * The IoAdapter with the handshake middleware on every namespace: the main one, and each one a gateway
 * creates later (`new_namespace`), so no gateway can be reached without a user session.
 */
export class AuthIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly authenticator: SocketAuthenticator,
    private readonly broadcast?: RedisBroadcast,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    // Across replicas (REDIS_URL): emits reach the sockets of every replica.
    if (this.broadcast !== undefined) server.adapter(this.broadcast.adapter);
    const middleware = socketAuthMiddleware(this.authenticator);
    const namespaces: Namespace[] = [server.of('/')];
    server.of('/').use(middleware);
    server.on('new_namespace', (namespace: Namespace) => {
      namespace.use(middleware);
      namespaces.push(namespace);
    });
    metrics.probes.sockets = () =>
      Object.fromEntries(namespaces.map((namespace) => [namespace.name, namespace.sockets.size]));
    return server;
  }
}
