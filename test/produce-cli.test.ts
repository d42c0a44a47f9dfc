import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProducer } from './helpers/produce.js';
import { createTopics, readTopic } from './helpers/kafka.js';
import { requireEnv } from './helpers/services.js';

describe('producer CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'produce-cli-'));

  it.each([
    [['replay'], 'replay needs a CSV file'],
    [
      ['replay', 'x.csv', '--kafka', 'h:1', '--speed', 'fast'],
      '--speed expects max, realtime or a factor > 0, got "fast"',
    ],
    [['simulate', '--rate', '5'], 'no destination: give --kafka BROKERS or --http URL'],
    [['simulate', '--kafka', 'h:1', '--surge', 'TN-MDU:3'], 'surge "TN-MDU:3": minutes must be a number > 0'],
    [['simulate', '--kafka', 'h:1', '--speed-up', '10'], '--speed-up needs --from'],
    [['event', '--kafka', 'h:1', '--data', '{bad'], 'the event is not valid JSON'],
    [
      ['event', '--kafka', 'h:1', '--data', '{"kind":"incident"}'],
      'not sent, fix first:\n  event 0: eventId: required',
    ],
    [['launch'], 'unknown command "launch"'],
  ])('refuses %j with exit 2 and a message', async (args, message) => {
    const result = await runProducer(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('prints its help', async () => {
    const result = await runProducer(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^npm run produce -- <command>/);
    expect(result.stdout).toContain('--checkpoint FILE');
  });

  it('names the place of a malformed CSV row', async () => {
    const file = join(dir, 'broken.csv');
    writeFileSync(
      file,
      'ID,Date,Primary Type,District,Latitude,Longitude\n1,01/01/2017 12:01:00 AM,THEFT,001,,\n"2,oops\n',
    );
    const result = await runProducer(['replay', file, '--kafka', 'h:1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.csv: unreadable CSV after data row 1: /);
  });

  it('simulates into Kafka: every event it reports sent is on the topics, keyed by district', async () => {
    const { prefix, topics } = await createTopics();
    const result = await runProducer([
      'simulate',
      '--kafka',
      requireEnv('KAFKA_BROKERS'),
      '--prefix',
      prefix,
      '--rate',
      '100',
      '--duration',
      '2',
      '--surge',
      'TN-MDU:5:10',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { sent } = JSON.parse(result.stdout) as { sent: number };
    // The calibrated profile makes the rate depend on the hour in India, so only "some" is certain.
    expect(sent).toBeGreaterThan(0);
    const incidents = await readTopic(topics.incident, 1);
    const accidents = await readTopic(topics.accident, 1);
    expect(incidents.length + accidents.length).toBe(sent);
    for (const message of [...incidents, ...accidents]) {
      expect(message.key).toBe((JSON.parse(message.value ?? '{}') as { district: string }).district);
    }
  });

  it('replays any CSV through a column mapping, refusing the rows it cannot map', async () => {
    const { prefix, topics } = await createTopics();
    const file = join(dir, 'firs.csv');
    const map = join(dir, 'heads.json');
    writeFileSync(
      file,
      'fir,when,dist,head\n1,2024-05-01 10:15,Tuticorin,HOUSE BREAKING\n2,2024-05-01 09:00,Madurai,crime_body\n3,2024-05-01 11:00,Gotham,crime_body\n4,2024-05-01 12:00,Salem,JAYWALKING\n',
    );
    writeFileSync(map, JSON.stringify({ 'HOUSE BREAKING': 'crime_property' }));
    const result = await runProducer([
      'replay',
      file,
      '--format',
      'columns',
      '--columns',
      'id=fir,time=when,district=dist,category=head',
      '--category-map',
      map,
      '--kafka',
      requireEnv('KAFKA_BROKERS'),
      '--prefix',
      prefix,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      rows: 4,
      sent: 2,
      rejectReasons: {
        'dist "Gotham" is not a district of Tamil Nadu': 1,
        'head "JAYWALKING" has no category mapping': 1,
      },
    });
    const sent = await readTopic(topics.incident, 2);
    // Different districts land on different partitions, so only the content is compared, not the order.
    const received = sent.map(
      (m) => JSON.parse(m.value ?? '{}') as { district: string; occurredAt: string; category: string },
    );
    expect(received.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))).toMatchObject([
      { district: 'TN-MDU', occurredAt: '2024-05-01T03:30:00.000Z', category: 'crime_body' }, // 09:00 IST
      { district: 'TN-TUT', occurredAt: '2024-05-01T04:45:00.000Z', category: 'crime_property' }, // 10:15 IST
    ]);
  });
});
