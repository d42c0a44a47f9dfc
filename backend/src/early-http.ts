import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * HTTP opened before the application is loaded (module loading and start-up take seconds): liveness
 * (`GET /api/health/live`) answers 200 from the first second after a restart, readiness
 * (`GET /api/health`) 503 "starting", anything else 503 with Retry-After. Once the application is
 * ready it takes over the same server (same port, Socket.IO attached to it), so nothing reconnects.
 */
export class EarlyHttp {
  readonly server: Server;
  private handler: Handler = (request, response) => {
    this.early(request, response);
  };

  private constructor() {
    this.server = createServer((request, response) => {
      this.handler(request, response);
    });
  }

  /**
   * Listens on `port` (0: a free one) and resolves once it does. `configure` sets the server's limits
   * before it listens, where Node starts its connection checks.
   */
  static open(port: number, host: string, configure: (server: Server) => void): Promise<EarlyHttp> {
    const early = new EarlyHttp();
    configure(early.server);
    return new Promise((resolve, reject) => {
      early.server.once('error', reject);
      early.server.listen(port, host, () => {
        early.server.removeListener('error', reject);
        resolve(early);
      });
    });
  }

  /** From now on every request goes to `handler` (the application's Express instance). */
  handOver(handler: Handler): void {
    this.handler = handler;
  }

  private early(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && path === '/api/health/live') {
      send(200, { status: 'live', uptimeSeconds: Math.round(process.uptime()) });
    } else if (request.method === 'GET' && path === '/api/health') {
      send(
        503,
        { status: 'degraded', reasons: ['starting: the application is loading'] },
        { 'retry-after': '2' },
      );
    } else {
      send(503, { statusCode: 503, message: 'starting: retry in a few seconds' }, { 'retry-after': '2' });
    }
  }
}
