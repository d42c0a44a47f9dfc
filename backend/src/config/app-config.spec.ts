import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_BACKFILL_DAYS,
  KAFKA_CONSUMER_DEFAULTS,
  loadConfig,
  REPO_ROOT,
} from './app-config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database, the in-process transport and the simulator', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.kafka).toBeUndefined();
    expect(config.dataDir).toBe(`${REPO_ROOT}.local/data`);
    expect(config.simulator.enabled).toBe(true);
    expect(config.ingest.requireProducerKey).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('opens HTTP ingest to callers without a key only when INGEST_AUTH=off', () => {
    expect(loadConfig({ INGEST_AUTH: 'off' }).ingest.requireProducerKey).toBe(false);
    expect(loadConfig({ INGEST_AUTH: 'on' }).ingest.requireProducerKey).toBe(true);
    expect(loadConfig({ INGEST_AUTH: ' ' }).ingest.requireProducerKey).toBe(true);
  });

  it('turns the simulator off by default when Kafka is configured', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9093', KAFKA_TOPIC_PREFIX: 't1-' });
    expect(config.kafka).toEqual({
      brokers: ['a:9092', 'b:9093'],
      clientId: 'district-monitor',
      groupId: 'district-monitor-ingest',
      topicPrefix: 't1-',
      sessionTimeoutMs: 10_000,
      consumer: KAFKA_CONSUMER_DEFAULTS,
    });
    expect(config.simulator.enabled).toBe(false);
  });

  it('reads the consumer session timeout within what the broker allows', () => {
    expect(
      loadConfig({ KAFKA_BROKERS: 'a:9092', KAFKA_SESSION_TIMEOUT_MS: '6000' }).kafka?.sessionTimeoutMs,
    ).toBe(6_000);
    expect(() => loadConfig({ KAFKA_BROKERS: 'a:9092', KAFKA_SESSION_TIMEOUT_MS: '500' })).toThrow(
      /KAFKA_SESSION_TIMEOUT_MS=500: expected a whole number from 6000 to 300000/,
    );
  });

  it('reads the consumer fetch settings, each within its bounds', () => {
    const consumer = loadConfig({
      KAFKA_BROKERS: 'a:9092',
      KAFKA_MAX_WAIT_MS: '100',
      KAFKA_MIN_BYTES: '1024',
      KAFKA_MAX_BYTES: '4194304',
      KAFKA_MAX_BYTES_PER_PARTITION: '524288',
      KAFKA_PARTITIONS_CONCURRENTLY: '4',
    }).kafka?.consumer;
    expect(consumer).toEqual({
      maxWaitTimeMs: 100,
      minBytes: 1024,
      maxBytes: 4_194_304,
      maxBytesPerPartition: 524_288,
      partitionsConcurrently: 4,
    });
    expect(() =>
      loadConfig({ KAFKA_BROKERS: 'a:9092', KAFKA_PARTITIONS_CONCURRENTLY: '0', KAFKA_MIN_BYTES: 'x' }),
    ).toThrow(/KAFKA_MIN_BYTES=x: expected a whole number[\s\S]*KAFKA_PARTITIONS_CONCURRENTLY=0/);
  });

  it('backfills simulated history only on the embedded default, unless BACKFILL_DAYS says otherwise', () => {
    expect(loadConfig({}).simulator.backfillDays).toBe(DEFAULT_BACKFILL_DAYS);
    expect(loadConfig({ BACKFILL_DAYS: '0' }).simulator.backfillDays).toBe(0);
    expect(loadConfig({ BACKFILL_DAYS: '365' }).simulator.backfillDays).toBe(365);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).simulator.backfillDays).toBe(0);
    expect(loadConfig({ KAFKA_BROKERS: 'a:9092' }).simulator.backfillDays).toBe(0);
    expect(loadConfig({ SIMULATOR: 'off' }).simulator.backfillDays).toBe(0);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y', BACKFILL_DAYS: '30' }).simulator.backfillDays).toBe(
      30,
    );
    expect(() => loadConfig({ BACKFILL_DAYS: '-1' })).toThrow(
      /BACKFILL_DAYS=-1: expected a whole number from 0 to 3650/,
    );
  });

  it("simulates the rate table's real volume unless SIMULATOR_RATE is set", () => {
    expect(loadConfig({}).simulator.ratePerSecond).toBeUndefined();
    expect(loadConfig({ SIMULATOR_RATE: '0.5' }).simulator.ratePerSecond).toBe(0.5);
    expect(() => loadConfig({ SIMULATOR_RATE: 'fast' })).toThrow(/SIMULATOR_RATE=fast/);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        KAFKA_BROKERS: 'nohost',
        SIMULATOR: 'maybe',
        DATABASE_URL: 'mysql://x',
        INGEST_AUTH: 'false',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT=eighty: expected a whole number from 0 to 65535');
    expect(problems).toContain('KAFKA_BROKERS: expected host:port[,host:port], got nohost');
    expect(problems).toContain('SIMULATOR=maybe: expected one of on, off');
    expect(problems).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL');
    // A typo must not silently open ingest: anything but on or off is an error.
    expect(problems).toContain('INGEST_AUTH=false: expected one of on, off');
  });
});
