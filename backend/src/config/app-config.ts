import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place in `backend/src/config` or `backend/dist/config`. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly topicPrefix: string;
  /** Consumer session: how long a dead member (SIGKILL) holds its partitions before the group moves on. */
  readonly sessionTimeoutMs: number;
  /** Fetch and batch settings of the consumer (docs/ingest.md, "Consumer settings"). */
  readonly consumer: KafkaConsumerTuning;
}

/** The kafkajs consumer's fetch and batch settings, each from its `KAFKA_*` variable. */
export interface KafkaConsumerTuning {
  /** Longest a fetch waits at the broker for `minBytes` (kafkajs `maxWaitTimeInMs`). */
  readonly maxWaitTimeMs: number;
  /** Bytes a fetch waits for before the broker answers (kafkajs `minBytes`). */
  readonly minBytes: number;
  /** Bytes of one fetch at most, over all partitions (kafkajs `maxBytes`). */
  readonly maxBytes: number;
  /** Bytes of one fetch at most per partition (kafkajs `maxBytesPerPartition`). */
  readonly maxBytesPerPartition: number;
  /** Partition batches handled at once (kafkajs `partitionsConsumedConcurrently`). */
  readonly partitionsConcurrently: number;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** Folder of the embedded PGlite database (used when `databaseUrl` is unset). */
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** Unset: the in-process transport. */
  readonly kafka: KafkaConfig | undefined;
  readonly regionFile: string;
  readonly simulator: {
    readonly enabled: boolean;
    /** Mean events per second across the region; undefined = the rate table's real volume. */
    readonly ratePerSecond: number | undefined;
    readonly seed: number;
    /** Rate table calibrating districts and categories (used when its region is the loaded one). */
    readonly ratesFile: string;
    /**
     * Days of simulated history written before the live simulator starts, at the live rate, into a
     * database that holds no events yet (backend/src/simulator/backfill.service.ts); 0 = none.
     */
    readonly backfillDays: number;
  };
  readonly ingest: {
    readonly maxBodyBytes: number;
    readonly maxEventsPerRequest: number;
    /** `POST /api/events` needs a producer key (`INGEST_AUTH=on`); off leaves it open, for local experiments. */
    readonly requireProducerKey: boolean;
    /**
     * Group commit (ingest/write-combiner.ts), off by default: events of one group transaction at most
     * (`INGEST_GROUP_MAX_EVENTS`); undefined = every batch in its own transaction, as many at once as
     * the transport hands over.
     */
    readonly groupMaxEvents: number | undefined;
    /** Group transactions at once when group commit is on (`INGEST_WRITERS`, default 1). */
    readonly writers: number;
  };
  /**
   * Chunks are compressed only after every row in them is older than this many days, so corrections
   * (events with `amends`) of events that recent update uncompressed rows.
   */
  readonly amendmentWindowDays: number;
  /**
   * TimescaleDB: the least gap between two refreshes of the continuous aggregates while batches arrive;
   * the gap is also at least twice the last refresh's own time; 0 = no gap (features/aggregate-refresher.ts).
   */
  readonly aggregateRefreshMs: number;
  /** Model training and scoring (backend/src/models). */
  readonly models: {
    /** Hours between automatic trainings; 0 turns automatic training (schedule and start-up) off. */
    readonly retrainHours: number;
    /** Days of hourly counts before the training instant that one training reads. */
    readonly trainingDays: number;
  };
  /** Users and sessions (backend/src/auth). */
  readonly auth: {
    /** HS256 signing secret of session tokens; undefined = one generated once and kept in the database. */
    readonly jwtSecret: string | undefined;
    /** How long a session token is valid. */
    readonly sessionTtlHours: number;
    /** The password of the `admin` user created at first start; undefined = a one-time password, logged once. */
    readonly adminPassword: string | undefined;
  };
  /** Webhook delivery of alert notifications (backend/src/alerts/delivery). */
  readonly webhooks: {
    /** Attempts before a delivery is dead (dead-lettered, audited). */
    readonly maxAttempts: number;
    /** Wait after the first failed attempt; doubles after each next failure, with jitter. */
    readonly backoffMs: number;
    /** Limit of one attempt (connect, answer, body). */
    readonly timeoutMs: number;
  };
  /** The alert engine (backend/src/alerts): evaluation tick and Alertmanager-style group timers. */
  readonly alerts: {
    readonly evaluationSeconds: number;
    readonly groupWaitSeconds: number;
    readonly groupIntervalSeconds: number;
    readonly repeatIntervalSeconds: number;
  };
  /** The live board (backend/src/live, backend/src/region, backend/src/board-history). */
  readonly board: {
    /**
     * A GeoJSON FeatureCollection of the region's district polygons; undefined = the region file's own map
     * (its `map` field), or a schematic map from the headquarters coordinates for a region without one.
     */
    readonly geojsonFile: string | undefined;
    /** The feature property holding the census 2011 district code that matches the registry's `censusCode`. */
    readonly geojsonKey: string;
    /** Batch summaries, features and scores are coalesced and pushed at most this often. */
    readonly pushIntervalMs: number;
    /** Each district's score is stored for time travel at most this often. */
    readonly scoreHistoryMinutes: number;
  };
  /** The seed's analysis of the real yearly history (backend/src/history-analysis). */
  readonly history: {
    /** Train the analysis at start when absent or when the history changed (`HISTORY_ANALYSIS=on`). */
    readonly analysis: boolean;
  };
  /** HTTP server limits, login throttling and security headers (docs/security.md). */
  readonly http: {
    /** Longest wait for a request's headers (slow-loris), ms. */
    readonly headersTimeoutMs: number;
    /** Longest wait for a whole request, headers and body, ms. */
    readonly requestTimeoutMs: number;
    /** An idle keep-alive connection is closed after this long, ms. */
    readonly keepAliveTimeoutMs: number;
    /** Open connections at most; more are refused by the server. */
    readonly maxConnections: number;
    /** Send Strict-Transport-Security (only when served over TLS, directly or behind a TLS proxy). */
    readonly hsts: boolean;
    /** Failed logins per account: `burst` at once, then one per `refillSeconds`. */
    readonly loginAccount: { readonly burst: number; readonly refillSeconds: number };
    /** Failed logins per client address, likewise. */
    readonly loginAddress: { readonly burst: number; readonly refillSeconds: number };
  };
  /** Admission of the in-process transport: events accepted but not yet stored, at most. */
  readonly inProcessQueue: { readonly maxEvents: number; readonly maxBytes: number };
  /** Built board (`frontend/dist`), served at `/`. */
  readonly frontendDir: string;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** `text`: Nest's coloured lines, for a terminal; `json`: one JSON object per line (pino), for collectors. */
  readonly logFormat: 'text' | 'json';
  /** Redis for Socket.IO across replicas (`@socket.io/redis-adapter`); undefined = one instance. */
  readonly redisUrl: string | undefined;
  /** Bearer token Prometheus presents at `GET /metrics`; undefined = the endpoint is off. */
  readonly metricsToken: string | undefined;
}

/**
 * Days of simulated history the embedded default writes at its first start: 20 weeks, the live models'
 * 15 weeks of minimum history with 5 to spare, about 70,000 events at the real volume; small enough
 * that the first model is trained within two minutes of `npm start` on a busy machine (docs/first-start.md).
 */
export const DEFAULT_BACKFILL_DAYS = 140;

/**
 * The consumer's fetch and batch defaults, chosen by `npm run bench -- --only ingest` and `-- --only
 * alerts` (docs/ingest.md, "Consumer settings").
 */
export const KAFKA_CONSUMER_DEFAULTS: KafkaConsumerTuning = Object.freeze({
  maxWaitTimeMs: 5_000,
  minBytes: 1,
  maxBytes: 10 * 1024 * 1024,
  maxBytesPerPartition: 2 * 1024 * 1024,
  partitionsConcurrently: 6,
});

/** Least gap between two refreshes of the continuous aggregates (AGGREGATE_REFRESH_MS). */
export const DEFAULT_AGGREGATE_REFRESH_MS = 1_000;

/** Every variable the backend reads, with its default; the README's configuration table mirrors this. */
export const ENVIRONMENT = {
  PORT: 'HTTP port (default 3000)',
  HOST: 'interface to listen on (default 127.0.0.1; 0.0.0.0 in containers)',
  DATA_DIR: 'embedded database folder (default .local/data)',
  DATABASE_URL: 'PostgreSQL / TimescaleDB URL; unset = embedded PGlite with TimescaleDB',
  KAFKA_BROKERS: 'comma-separated host:port list; unset = in-process transport',
  KAFKA_CLIENT_ID: 'kafkajs client id (default district-monitor)',
  KAFKA_GROUP_ID: 'consumer group (default district-monitor-ingest)',
  KAFKA_TOPIC_PREFIX: 'prefix of every topic name (default empty)',
  KAFKA_SESSION_TIMEOUT_MS:
    'consumer session timeout: how long a crashed member holds its partitions (default 10000; the broker allows 6000 and up)',
  KAFKA_MAX_WAIT_MS: `consumer fetch: longest the broker holds a fetch waiting for KAFKA_MIN_BYTES (default ${KAFKA_CONSUMER_DEFAULTS.maxWaitTimeMs})`,
  KAFKA_MIN_BYTES: `consumer fetch: bytes the broker waits for before answering (default ${KAFKA_CONSUMER_DEFAULTS.minBytes})`,
  KAFKA_MAX_BYTES: `consumer fetch: bytes of one fetch at most, all partitions together (default ${KAFKA_CONSUMER_DEFAULTS.maxBytes})`,
  KAFKA_MAX_BYTES_PER_PARTITION: `consumer fetch: bytes of one fetch at most per partition, i.e. the largest batch (default ${KAFKA_CONSUMER_DEFAULTS.maxBytesPerPartition})`,
  KAFKA_PARTITIONS_CONCURRENTLY: `consumer: partition batches handled at once (default ${KAFKA_CONSUMER_DEFAULTS.partitionsConcurrently})`,
  REGION_FILE: 'region definition (default data/regions/tamil-nadu.json)',
  SIMULATOR: 'on | off (default on without KAFKA_BROKERS, off with it)',
  SIMULATOR_RATE:
    "mean simulated events per second across the region over a day (default: the rate table's real volume, 183,076 events a year = 0.0058/s for Tamil Nadu)",
  SIMULATOR_SEED: 'simulator seed (default 1)',
  SIMULATOR_RATES: 'rate table calibrating the simulator (default data/rates/tamil-nadu.json)',
  BACKFILL_DAYS:
    'days of simulated history written at the live rate before the simulator starts, into a database without events; 0 = off (default 140 on the embedded default, 0 with DATABASE_URL, KAFKA_BROKERS or SIMULATOR=off)',
  INGEST_MAX_BODY_BYTES: 'largest POST /api/events body (default 5242880)',
  INGEST_AUTH: 'on | off: POST /api/events needs a producer key (default on)',
  INGEST_GROUP_MAX_EVENTS:
    'group commit, off by default: batches handled at once are queued and stored together, up to this many events in one transaction (unset = every batch in its own transaction; measured slower on both engines, docs/ingest.md)',
  INGEST_WRITERS: 'group commit only: group transactions at once (default 1)',
  AMENDMENT_WINDOW_DAYS:
    'chunks are compressed once all their rows are older than this many days, so recent corrections update plain rows (default 90)',
  AGGREGATE_REFRESH_MS:
    'TimescaleDB: least gap between two refreshes of the continuous aggregates while events arrive, and at least twice the last refresh time; 0 = a refresh right after each batch (default 1000)',
  MODEL_RETRAIN_HOURS:
    'hours between automatic model trainings, also the first training at start when none is ready; 0 = off (default 24)',
  MODEL_TRAINING_DAYS: 'days of hourly counts one training reads (default 730)',
  JWT_SECRET:
    'signing secret of session tokens, at least 32 characters; unset = one generated once and kept in the database',
  JWT_TTL_HOURS: 'hours a session token stays valid (default 12)',
  ADMIN_PASSWORD:
    'password of the admin user created at first start (no user yet), at least 12 characters; unset = a one-time password printed once',
  WEBHOOK_MAX_ATTEMPTS: 'attempts of a webhook delivery before it is dead (default 8)',
  WEBHOOK_BACKOFF_MS:
    'wait after a failed webhook attempt, doubled after each next failure with jitter, capped at 15 min (default 1000)',
  WEBHOOK_TIMEOUT_MS: 'limit of one webhook attempt (default 5000)',
  ALERT_EVALUATION_SECONDS:
    'seconds between evaluations of every rule for every owned district (batches also trigger them at once; default 5)',
  ALERT_GROUP_WAIT_SECONDS:
    "a district group's first notification waits this long to gather alerts (default 30)",
  ALERT_GROUP_INTERVAL_SECONDS: 'seconds between two notifications of one district group (default 300)',
  ALERT_REPEAT_INTERVAL_SECONDS:
    'an unacknowledged firing group is notified again after this many seconds (default 14400)',
  REGION_GEOJSON:
    "GeoJSON FeatureCollection of the district polygons drawn on the map; unset = the region file's own map (data/regions/tamil-nadu.map.json), or a schematic map from the headquarters coordinates for a region without one",
  REGION_GEOJSON_KEY:
    "feature property holding the census 2011 district code matched to the registry's censusCode (default censuscode)",
  LIVE_PUSH_MS:
    'batch summaries, features and scores are coalesced and pushed to boards at most this often (default 200)',
  SCORE_HISTORY_MINUTES: 'minutes between two stored scores of one district, read by time travel (default 5)',
  HISTORY_ANALYSIS:
    'on | off: train the analysis of the real yearly history in a worker at start when absent or when the history changed (default on)',
  LOG_LEVEL: 'error | warn | log | debug (default log; debug logs every batch)',
  HTTP_HEADERS_TIMEOUT_MS: 'a request whose headers take longer is closed (slow clients; default 10000)',
  HTTP_REQUEST_TIMEOUT_MS: 'a request whose headers and body take longer is closed (default 30000)',
  HTTP_KEEPALIVE_TIMEOUT_MS: 'an idle keep-alive connection is closed after this long (default 5000)',
  HTTP_MAX_CONNECTIONS: 'open HTTP connections at most, WebSockets included (default 2000)',
  HTTP_HSTS: 'on | off: send Strict-Transport-Security; on only when served over TLS (default off)',
  LOGIN_ACCOUNT_BURST: 'failed logins of one account before 429 (default 5)',
  LOGIN_ACCOUNT_REFILL_SECONDS:
    'one more failed login of an account allowed per this many seconds (default 60)',
  LOGIN_ADDRESS_BURST: 'failed logins from one client address before 429 (default 20)',
  LOGIN_ADDRESS_REFILL_SECONDS:
    'one more failed login from an address allowed per this many seconds (default 3)',
  INGEST_QUEUE_MAX_EVENTS:
    'in-process transport: events accepted but not yet stored, at most; more get 503 with Retry-After (default 50000)',
  INGEST_QUEUE_MAX_BYTES: 'in-process transport: their encoded size at most (default 67108864)',
  LOG_FORMAT:
    'text | json: log lines for a terminal, or one JSON object per line (default json when NODE_ENV=production, else text)',
  REDIS_URL:
    'redis://host:port of the Redis that carries Socket.IO broadcasts between backend replicas; unset = a single instance',
  METRICS_TOKEN:
    'bearer token that GET /metrics (Prometheus text format) requires, at least 16 characters; unset = /metrics is off',
} as const;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the environment once; reports every bad variable at once. */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const text = (name: keyof typeof ENVIRONMENT): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: keyof typeof ENVIRONMENT, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const path = (name: keyof typeof ENVIRONMENT, fallback: string): string => {
    const value = text(name) ?? fallback;
    return isAbsolute(value) ? value : resolve(REPO_ROOT, value);
  };
  const choice = <T extends string>(
    name: keyof typeof ENVIRONMENT,
    options: readonly T[],
    fallback: T,
  ): T => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if ((options as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name}=${raw}: expected one of ${options.join(', ')}`);
    return fallback;
  };

  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL: expected a postgres:// or postgresql:// URL');
  }

  let kafka: KafkaConfig | undefined;
  const brokers = text('KAFKA_BROKERS');
  if (brokers !== undefined) {
    const list = brokers.split(',').map((broker) => broker.trim());
    const bad = list.filter((broker) => !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(broker));
    if (bad.length > 0) problems.push(`KAFKA_BROKERS: expected host:port[,host:port], got ${bad.join(', ')}`);
    const prefix = text('KAFKA_TOPIC_PREFIX') ?? '';
    if (!/^[A-Za-z0-9._-]*$/.test(prefix)) problems.push('KAFKA_TOPIC_PREFIX: letters, digits, . _ - only');
    kafka = {
      brokers: list,
      clientId: text('KAFKA_CLIENT_ID') ?? 'district-monitor',
      groupId: text('KAFKA_GROUP_ID') ?? 'district-monitor-ingest',
      topicPrefix: prefix,
      sessionTimeoutMs: integer('KAFKA_SESSION_TIMEOUT_MS', 10_000, 6_000, 300_000),
      consumer: {
        maxWaitTimeMs: integer('KAFKA_MAX_WAIT_MS', KAFKA_CONSUMER_DEFAULTS.maxWaitTimeMs, 0, 60_000),
        minBytes: integer('KAFKA_MIN_BYTES', KAFKA_CONSUMER_DEFAULTS.minBytes, 1, 64 * 1024 * 1024),
        maxBytes: integer('KAFKA_MAX_BYTES', KAFKA_CONSUMER_DEFAULTS.maxBytes, 1024, 512 * 1024 * 1024),
        maxBytesPerPartition: integer(
          'KAFKA_MAX_BYTES_PER_PARTITION',
          KAFKA_CONSUMER_DEFAULTS.maxBytesPerPartition,
          1024,
          512 * 1024 * 1024,
        ),
        partitionsConcurrently: integer(
          'KAFKA_PARTITIONS_CONCURRENTLY',
          KAFKA_CONSUMER_DEFAULTS.partitionsConcurrently,
          1,
          64,
        ),
      },
    };
  }

  const rateRaw = text('SIMULATOR_RATE');
  const rate = rateRaw === undefined ? undefined : Number(rateRaw);
  if (rate !== undefined && (!Number.isFinite(rate) || rate < 0 || rate > 100_000)) {
    problems.push(`SIMULATOR_RATE=${rateRaw ?? ''}: expected a number of events per second from 0 to 100000`);
  }

  // Secrets are never echoed in a problem, only what is wrong with them.
  const jwtSecret = text('JWT_SECRET');
  if (jwtSecret !== undefined && (jwtSecret.length < 32 || jwtSecret.length > 4096)) {
    problems.push(
      `JWT_SECRET: expected 32 to 4096 characters, got ${jwtSecret.length} (e.g. openssl rand -base64 48)`,
    );
  }
  // Not trimmed: the password is exactly what will be typed at login.
  const adminPassword = env.ADMIN_PASSWORD === '' ? undefined : env.ADMIN_PASSWORD;
  if (adminPassword !== undefined && (adminPassword.length < 12 || adminPassword.length > 256)) {
    problems.push(`ADMIN_PASSWORD: expected 12 to 256 characters, got ${adminPassword.length}`);
  }
  // Retired with the admin role: a deployment still setting it would think the old token works.
  if (env.ADMIN_TOKEN !== undefined) {
    problems.push(
      'ADMIN_TOKEN: no longer used; admin routes need an admin user session (POST /api/auth/login): unset it',
    );
  }

  const metricsToken = text('METRICS_TOKEN');
  if (metricsToken !== undefined && (metricsToken.length < 16 || metricsToken.length > 4096)) {
    problems.push(`METRICS_TOKEN: expected 16 to 4096 characters, got ${metricsToken.length}`);
  }

  const redisUrl = text('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    problems.push('REDIS_URL: expected a redis:// or rediss:// URL');
  }

  const simulatorOn = choice('SIMULATOR', ['on', 'off'], kafka === undefined ? 'on' : 'off') === 'on';
  // Only the embedded default backfills unless told: a server's database is someone's real data.
  const embedded = databaseUrl === undefined && kafka === undefined && simulatorOn;

  const config: AppConfig = {
    port: integer('PORT', 3000, 0, 65535),
    host: text('HOST') ?? '127.0.0.1',
    dataDir: path('DATA_DIR', '.local/data'),
    databaseUrl,
    kafka,
    regionFile: path('REGION_FILE', 'data/regions/tamil-nadu.json'),
    simulator: {
      enabled: simulatorOn,
      ratePerSecond: rate,
      seed: integer('SIMULATOR_SEED', 1, 0, 2 ** 31 - 1),
      ratesFile: path('SIMULATOR_RATES', 'data/rates/tamil-nadu.json'),
      backfillDays: integer('BACKFILL_DAYS', embedded ? DEFAULT_BACKFILL_DAYS : 0, 0, 3650),
    },
    ingest: {
      maxBodyBytes: integer('INGEST_MAX_BODY_BYTES', 5 * 1024 * 1024, 1024, 512 * 1024 * 1024),
      maxEventsPerRequest: 10_000,
      requireProducerKey: choice('INGEST_AUTH', ['on', 'off'], 'on') === 'on',
      groupMaxEvents:
        text('INGEST_GROUP_MAX_EVENTS') === undefined
          ? undefined
          : integer('INGEST_GROUP_MAX_EVENTS', 1, 1, 1_000_000),
      writers: integer('INGEST_WRITERS', 1, 1, 64),
    },
    amendmentWindowDays: integer('AMENDMENT_WINDOW_DAYS', 90, 1, 3650),
    aggregateRefreshMs: integer('AGGREGATE_REFRESH_MS', DEFAULT_AGGREGATE_REFRESH_MS, 0, 600_000),
    models: {
      retrainHours: integer('MODEL_RETRAIN_HOURS', 24, 0, 24 * 365),
      trainingDays: integer('MODEL_TRAINING_DAYS', 730, 28, 3650),
    },
    auth: {
      jwtSecret,
      sessionTtlHours: integer('JWT_TTL_HOURS', 12, 1, 24 * 30),
      adminPassword,
    },
    webhooks: {
      maxAttempts: integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
      backoffMs: integer('WEBHOOK_BACKOFF_MS', 1000, 1, 3_600_000),
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', 5000, 100, 120_000),
    },
    alerts: {
      evaluationSeconds: integer('ALERT_EVALUATION_SECONDS', 5, 1, 3600),
      groupWaitSeconds: integer('ALERT_GROUP_WAIT_SECONDS', 30, 0, 86_400),
      groupIntervalSeconds: integer('ALERT_GROUP_INTERVAL_SECONDS', 300, 1, 86_400),
      repeatIntervalSeconds: integer('ALERT_REPEAT_INTERVAL_SECONDS', 4 * 3600, 60, 30 * 86_400),
    },
    board: {
      geojsonFile: text('REGION_GEOJSON') === undefined ? undefined : path('REGION_GEOJSON', ''),
      geojsonKey: text('REGION_GEOJSON_KEY') ?? 'censuscode',
      pushIntervalMs: integer('LIVE_PUSH_MS', 200, 5, 60_000),
      scoreHistoryMinutes: integer('SCORE_HISTORY_MINUTES', 5, 1, 1440),
    },
    history: {
      analysis: choice('HISTORY_ANALYSIS', ['on', 'off'], 'on') === 'on',
    },
    http: {
      headersTimeoutMs: integer('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      requestTimeoutMs: integer('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      keepAliveTimeoutMs: integer('HTTP_KEEPALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
      maxConnections: integer('HTTP_MAX_CONNECTIONS', 2_000, 1, 1_000_000),
      hsts: choice('HTTP_HSTS', ['on', 'off'], 'off') === 'on',
      loginAccount: {
        burst: integer('LOGIN_ACCOUNT_BURST', 5, 1, 10_000),
        refillSeconds: integer('LOGIN_ACCOUNT_REFILL_SECONDS', 60, 1, 86_400),
      },
      loginAddress: {
        burst: integer('LOGIN_ADDRESS_BURST', 20, 1, 100_000),
        refillSeconds: integer('LOGIN_ADDRESS_REFILL_SECONDS', 3, 1, 86_400),
      },
    },
    inProcessQueue: {
      maxEvents: integer('INGEST_QUEUE_MAX_EVENTS', 50_000, 1, 100_000_000),
      maxBytes: integer('INGEST_QUEUE_MAX_BYTES', 64 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
    },
    frontendDir: resolve(REPO_ROOT, 'frontend/dist'),
    logLevel: choice('LOG_LEVEL', ['error', 'warn', 'log', 'debug'], 'log'),
    logFormat: choice('LOG_FORMAT', ['text', 'json'], env.NODE_ENV === 'production' ? 'json' : 'text'),
    metricsToken,
    redisUrl,
  };
  if (config.http.requestTimeoutMs < config.http.headersTimeoutMs) {
    problems.push('HTTP_REQUEST_TIMEOUT_MS: must be at least HTTP_HEADERS_TIMEOUT_MS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
