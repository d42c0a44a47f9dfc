import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS, type TopicNames } from '@district-monitor/streams';
import { createKey, startBackend, type RunningBackend } from './helpers/backend.js';
import { validEvents } from './helpers/events.js';
import { createTopics, produce, readTopic } from './helpers/kafka.js';
import { createDatabase, requireEnv, uniqueName, waitFor } from './helpers/services.js';

const encoder = new TextEncoder();

/**
 * One parsing rule for both transports (streams/src/strict-json.ts): each bad message gets the same
 * reason as a Kafka dead letter and as the HTTP answer, and the good one is stored by both.
 */
describe('the parsing rule on Kafka and HTTP', () => {
  let topics: TopicNames;
  let backend: RunningBackend;
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let key: string;

  const [good, ...bases] = validEvents(40, 91).filter((event) => event.kind === 'incident');
  const text = (i: number) => JSON.stringify(bases[i]);
  /** Name, raw message, and the reason both transports must give. */
  const CASES: [string, Uint8Array, RegExp][] = [
    [
      'invalid UTF-8',
      (() => {
        const bytes = encoder.encode(text(0));
        bytes[bytes.length - 3] = 0xff;
        return bytes;
      })(),
      /is not valid UTF-8$/,
    ],
    ['a byte order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode(text(1))]), /byte order mark/],
    [
      'a duplicate key',
      encoder.encode(text(2).replace('{', '{"severity":"low",')),
      /^duplicate key "severity" in a JSON object$/,
    ],
    [
      'deep nesting',
      encoder.encode('['.repeat(8000) + ']'.repeat(8000)),
      /^JSON nested deeper than \d+ levels/,
    ],
    [
      'a zone offset of +16:00',
      encoder.encode(JSON.stringify({ ...bases[3], occurredAt: '2024-05-01T20:00:00+16:00' })),
      /^occurredAt: zone offset must be from -15:59 to \+15:59$/,
    ],
    [
      'a bidirectional override in source',
      encoder.encode(JSON.stringify({ ...bases[4], source: 'cctns\u202egnirts' })),
      /^source: .*bidirectional overrides/,
    ],
    [
      'a noncharacter in source',
      encoder.encode(JSON.stringify({ ...bases[5], source: 'cctns\uffff' })),
      /^source: /,
    ],
  ];

  beforeAll(async () => {
    let prefix: string;
    ({ prefix, topics } = await createTopics());
    database = await createDatabase();
    const env = {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: uniqueName('parsing-'),
      DATABASE_URL: database.url,
      SIMULATOR: 'off',
      MODEL_RETRAIN_HOURS: '0',
    };
    key = await createKey('it-parsing', env);
    backend = await startBackend(env);
  });
  afterAll(async () => {
    await backend.stop('SIGTERM');
    await database.drop();
  });

  it('dead-letters each bad Kafka message with the reason, and stores the good one', async () => {
    await produce([
      ...CASES.map(([, value]) => ({ topic: topics.incident, key: 'TN-CHN', value: Buffer.from(value) })),
      { topic: topics.incident, key: good?.district ?? null, value: JSON.stringify(good) },
    ]);
    const letters = await readTopic(topics.incidentDeadLetter, CASES.length);
    const reasons = letters.map((letter) => letter.headers[DEAD_LETTER_HEADERS.reason] ?? '');
    expect(reasons, reasons.join(' | ')).toHaveLength(CASES.length);
    // Each case takes one dead letter with its reason (two cases may share a reason).
    const left = [...reasons];
    for (const [name, , reason] of CASES) {
      const at = left.findIndex((candidate) => reason.test(candidate));
      expect(at, `${name}: ${reasons.join(' | ')}`).toBeGreaterThanOrEqual(0);
      left.splice(at, 1);
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await waitFor('the good event stored', async () => {
        const { rows } = await client.query('SELECT 1 FROM incidents WHERE event_id = $1', [good?.eventId]);
        return rows.length === 1 ? true : undefined;
      });
    } finally {
      await client.end();
    }
  });

  it('refuses the same messages over HTTP with the same reasons', async () => {
    for (const [name, value, reason] of CASES) {
      const response = await fetch(`${backend.url}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
        body: value,
      });
      const body = (await response.json()) as { message?: string; results?: { reason?: string }[] };
      // A body-level fault (encoding, BOM) is the whole body's 400; a line's fault is that event's 422.
      const got = response.status === 400 ? (body.message ?? '') : (body.results?.[0]?.reason ?? '');
      expect([400, 422], `${name}: ${response.status}`).toContain(response.status);
      expect(got.replace(/^body /, 'message '), name).toMatch(reason);
    }
  });
});
