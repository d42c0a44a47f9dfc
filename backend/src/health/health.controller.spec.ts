import { describe, expect, it } from 'vitest';
import type { SourceHealth } from '../transport/transport.js';
import { degradedReasons } from './health.controller.js';

const running: SourceHealth = {
  state: 'running',
  failure: null,
  lastError: null,
  retrying: null,
  brokers: { reachable: true, error: null },
  lag: 0,
  lagByPartition: [{ topic: 'incidents', partition: 0, lag: 0 }],
  lastProgressAt: '2026-12-06T10:00:00.000Z',
  stalled: false,
  stallAfterSeconds: 15,
};
const database = { kind: 'postgres' as const, timescaledb: null, ok: true };

describe('degradedReasons', () => {
  it('is empty when the database answers and the consumer runs and progresses', () => {
    expect(degradedReasons(database, running)).toEqual([]);
  });

  it('names each fault', () => {
    expect(
      degradedReasons(
        { ...database, ok: false, error: 'connect ECONNREFUSED' },
        {
          ...running,
          retrying: { attempts: 3, since: '2026-12-06T10:00:00.000Z', error: 'Error: Connection terminated' },
        },
      ),
    ).toEqual([
      'database unreachable: connect ECONNREFUSED',
      'batch retried 3 times since 2026-12-06T10:00:00.000Z: Error: Connection terminated',
    ]);
    expect(
      degradedReasons(database, { ...running, brokers: { reachable: false, error: 'timeout' } }),
    ).toEqual(['Kafka brokers unreachable: timeout']);
    expect(degradedReasons(database, { ...running, stalled: true, lag: 12 })).toEqual([
      'consumption stalled: lag 12 and no batch for over 15 s',
    ]);
    expect(
      degradedReasons(database, { ...running, state: 'starting', lastError: 'KafkaJSConnectionError' }),
    ).toEqual(['consumer starting (last error: KafkaJSConnectionError)']);
  });

  it('says so when a programming error stopped ingest', () => {
    expect(
      degradedReasons(database, {
        ...running,
        state: 'crashed',
        failure: "batch incidents/3@120: TypeError: Cannot read properties of undefined (reading 'district')",
      }),
    ).toEqual([
      "ingest stopped: batch incidents/3@120: TypeError: Cannot read properties of undefined (reading 'district')",
    ]);
  });
});
