#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { parseRegion } from '../region.js';
import { topicForKind, topicNames } from '../topics.js';
import { createSimulator } from '../simulator.js';

const HELP = `Publishes simulated incident and accident events to Kafka, keyed by district.

usage: npm run simulate -- [options]
  --brokers LIST   Kafka bootstrap servers (default $KAFKA_BROKERS or 127.0.0.1:9092)
  --prefix P       topic prefix (default $KAFKA_TOPIC_PREFIX or none)
  --rate N         events per second across the region (default 20)
  --seed N         simulator seed (default 1)
  --duration S     stop after S seconds (default: run until Ctrl-C)
  --region FILE    region file (default data/regions/tamil-nadu.json)
  --help           this text`;

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n\n${HELP}\n`);
  process.exit(2);
}

function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) fail(`--${name} expects a number >= 0, got "${value}"`);
  return parsed;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        brokers: { type: 'string' },
        prefix: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const regionFile =
    values.region ?? new URL('../../../data/regions/tamil-nadu.json', import.meta.url).pathname;
  const region = parseRegion(JSON.parse(readFileSync(regionFile, 'utf8')), regionFile);
  const rate = numberOption('rate', values.rate, 20);
  const seed = numberOption('seed', values.seed, 1);
  const duration = values.duration === undefined ? Infinity : numberOption('duration', values.duration, 0);
  const brokers = (values.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const topics = topicNames(values.prefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '');

  const producer = new Kafka({ clientId: 'simulator', brokers, logLevel: logLevel.WARN }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  // A run id in the source keeps event ids unique across runs with the same seed.
  const simulator = createSimulator({
    region,
    ratePerSecond: rate,
    seed,
    source: `sim${Date.now().toString(36)}`,
  });
  const started = Date.now();
  let sent = 0;
  const run = { stopping: false };
  process.once('SIGINT', () => (run.stopping = true));
  process.once('SIGTERM', () => (run.stopping = true));
  simulator.tick(started);
  process.stderr.write(
    `simulate: ${rate} events/s to ${topics.incident}, ${topics.accident} on ${brokers.join(',')}\n`,
  );
  while (!run.stopping && Date.now() - started < duration * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const events = simulator.tick(Date.now());
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const event of events) {
      const topic = topicForKind(topics, event.kind);
      byTopic.set(topic, [
        ...(byTopic.get(topic) ?? []),
        { key: event.district, value: JSON.stringify(event) },
      ]);
    }
    if (byTopic.size > 0) {
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    }
    sent += events.length;
    if (process.stderr.isTTY) process.stderr.write(`\rsimulate: ${sent} events sent`);
  }
  process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}simulate: ${sent} events sent\n`);
  await producer.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
