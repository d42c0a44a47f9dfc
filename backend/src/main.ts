import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { Logger, type LogLevel } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { EarlyHttp } from './early-http.js';
import { JsonLogger } from './logging/json.logger.js';
import { securityHeaders } from './http/security-headers.js';

process.env.TZ = 'UTC';

const LEVELS: readonly LogLevel[] = ['error', 'warn', 'log', 'debug'];

/**
 * Starts the backend; resolves once it is ready. Exported for the start script. HTTP listens first
 * (liveness within a second of a restart); the application loads behind it and then takes it over.
 */
export async function bootstrap(config: AppConfig): Promise<NestExpressApplication> {
  // JSON lines (pino) for collectors, or Nest's own lines for a terminal.
  const jsonLogger = config.logFormat === 'json' ? new JsonLogger(config.logLevel) : undefined;
  if (jsonLogger !== undefined) Logger.overrideLogger(jsonLogger);
  const logger = new Logger('Main');
  const early = await EarlyHttp.open(config.port, config.host, (server) => {
    limitConnections(server, config.http);
  });
  logger.log(`listening at ${urlOf(early, config)}/ (liveness: /api/health/live); starting`);
  // Loaded after HTTP listens: these imports alone take seconds.
  const [
    { NestFactory },
    { AppModule },
    { OpenApiDocument },
    { AuthIoAdapter },
    { UsersService },
    { EarlyHttpAdapter },
    { connectRedisBroadcast },
  ] = await Promise.all([
    import('@nestjs/core'),
    import('./app.module.js'),
    import('./auth/openapi.js'),
    import('./auth/socket-auth.adapter.js'),
    import('./auth/users.service.js'),
    import('./early-http.adapter.js'),
    import('./live/redis-adapter.gateway.js'),
  ]);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    new EarlyHttpAdapter(early),
    {
      bodyParser: false,
      logger: jsonLogger ?? LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    },
  );
  app.disable('x-powered-by');
  app.use(securityHeaders({ hsts: config.http.hsts }));
  // Every Socket.IO namespace authenticates its handshake (auth: { token }) before a gateway sees it.
  const broadcast = config.redisUrl === undefined ? undefined : await connectRedisBroadcast(config.redisUrl);
  app.useWebSocketAdapter(new AuthIoAdapter(app, app.get(UsersService), broadcast));
  // Generated from the controllers, served at GET /api/openapi.json.
  app.get(OpenApiDocument).build(app);
  if (existsSync(config.frontendDir)) {
    // Hashed assets never change; index.html must be re-read after a deploy or screens load missing assets.
    app.useStaticAssets(config.frontendDir, {
      index: 'index.html',
      maxAge: '365d',
      immutable: true,
      setHeaders: (response: ServerResponse, path: string) => {
        if (path.endsWith('index.html')) response.setHeader('Cache-Control', 'no-cache');
      },
    });
  } else {
    logger.warn(`board not built (${config.frontendDir} missing): run npm run build`);
  }
  await app.init();
  early.handOver(app.getHttpAdapter().getInstance());
  logger.log(`board at ${urlOf(early, config)}/  (health: /api/health)`);
  // Graceful stop on the first signal, exit 0 when done; a second Ctrl-C falls through to the default (immediate exit).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: finishing the batch in hand, then stopping`);
      app
        .close()
        .then(() => broadcast?.close())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error(`shutdown failed: ${String(error)}`);
            process.exit(1);
          },
        );
    });
  }
  return app;
}

function urlOf(early: EarlyHttp, config: AppConfig): string {
  const address = early.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' ? 'localhost' : config.host;
  return `http://${shownHost}:${port}`;
}

/**
 * Slow clients: a request must send its headers within `headersTimeoutMs` and all of itself within
 * `requestTimeoutMs`; idle keep-alive connections close after `keepAliveTimeoutMs`; at most
 * `maxConnections` are open. Set before listening, where Node starts its timeout checks.
 */
function limitConnections(server: Server, limits: AppConfig['http']): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // Node checks the two timeouts this often (30 s by default): a quarter of the shorter one.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    50,
    Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)),
  );
}

let config: AppConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
bootstrap(config).catch((error: unknown) => {
  new Logger('Main').error(
    `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
