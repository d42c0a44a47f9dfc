import { readFileSync } from 'node:fs';
import {
  parseRegion,
  topicForKind,
  type MonitorEvent,
  type Region,
  type TopicNames,
} from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import type { OutboundMessage } from './kafka.js';
import { REPO_ROOT } from './services.js';

export const region: Region = parseRegion(
  JSON.parse(readFileSync(`${REPO_ROOT}data/regions/tamil-nadu.json`, 'utf8')),
  'tamil-nadu.json',
);

/** `count` valid events with ids unique to `seed`, spread over every district and both kinds. */
export function validEvents(count: number, seed: number): MonitorEvent[] {
  return createSimulator({ region, ratePerSecond: 1, seed, source: `it${seed}` }).burst(
    count,
    Date.now() - 60_000,
  );
}

export function toMessages(events: readonly MonitorEvent[], topics: TopicNames): OutboundMessage[] {
  return events.map((event) => ({
    topic: topicForKind(topics, event.kind),
    key: event.district,
    value: JSON.stringify(event),
  }));
}

/** The five kinds of bad message a producer sends, `perKind` of each, with the reason each must get. */
export const INVALID_KINDS = {
  'bad JSON': /^invalid JSON: /,
  'missing field': /^reportedAt: required$/,
  'mistyped field': /^severity: expected one of /,
  'unknown district': /^district: unknown district "TN-ZZZ"/,
  oversized: /^event is \d+ bytes; the limit is 16384$/,
} as const;

export function invalidMessages(
  perKind: number,
  seed: number,
  topics: TopicNames,
): (OutboundMessage & { kind: keyof typeof INVALID_KINDS })[] {
  const base = validEvents(perKind * 5, seed + 1_000_000);
  return base.map((event, i) => {
    const kind = (Object.keys(INVALID_KINDS) as (keyof typeof INVALID_KINDS)[])[
      i % 5
    ] as keyof typeof INVALID_KINDS;
    const topic = topicForKind(topics, event.kind);
    const json = JSON.stringify(event);
    switch (kind) {
      case 'bad JSON':
        return { kind, topic, key: event.district, value: json.slice(0, -3) };
      case 'missing field': {
        const { reportedAt, ...rest } = event;
        return { kind, topic, key: event.district, value: JSON.stringify(rest) };
      }
      case 'mistyped field':
        return { kind, topic, key: event.district, value: JSON.stringify({ ...event, severity: 5 }) };
      case 'unknown district':
        return { kind, topic, key: 'TN-ZZZ', value: JSON.stringify({ ...event, district: 'TN-ZZZ' }) };
      case 'oversized':
        return {
          kind,
          topic,
          key: event.district,
          value: JSON.stringify({ ...event, source: 'x'.repeat(20_000) }),
        };
    }
  });
}
