import { readFileSync } from 'node:fs';
import { parseRegion, type BatchSummary, type MonitorEvent } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import type { DeadLetter, InboundBatch } from '../transport/transport.js';
import type { EventStoreRepository, StoredEvent } from './event-store.repository.js';
import { IngestService } from './ingest.service.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const events = createSimulator({ region, seed: 3 }).burst(10, Date.now());
const batchOf = (list: readonly MonitorEvent[]): InboundBatch => ({
  heartbeat: () => Promise.resolve(),
  messages: list.map((event, i) => ({
    topic: event.kind === 'incident' ? 'incidents' : 'accidents',
    partition: 0,
    offset: String(i),
    key: event.district,
    value: JSON.stringify(event),
  })),
});

/** A store that refuses, as PostgreSQL would, any batch holding one poisoned id. */
function storeRefusing(poisoned: string, error: Error & { code?: string }) {
  const inserts: number[] = [];
  const store = {
    insert(list: readonly MonitorEvent[]): Promise<StoredEvent[]> {
      inserts.push(list.length);
      if (list.some((event) => event.eventId === poisoned)) return Promise.reject(error);
      return Promise.resolve(
        list.map(({ eventId, district, category }) => ({ eventId, district, category })),
      );
    },
  };
  return { store: store as unknown as EventStoreRepository, inserts };
}

function service(store: EventStoreRepository) {
  const letters: DeadLetter[] = [];
  const summaries: BatchSummary[] = [];
  const ingest = new IngestService(
    loadConfig({}),
    region,
    store,
    { deadLetter: (list) => Promise.resolve(void letters.push(...list)) },
    { publishBatch: (summary) => summaries.push(summary) },
  );
  return { ingest, letters, summaries };
}

describe('IngestService', () => {
  it('sets aside an event the database refuses as data, dead-letters it with the reason, stores the rest', async () => {
    const poisoned = events[6]?.eventId ?? '';
    const { store, inserts } = storeRefusing(
      poisoned,
      Object.assign(new Error('invalid byte sequence'), { code: '22021' }),
    );
    const { ingest, letters } = service(store);
    const summary = await ingest.handleBatch(batchOf(events), 'kafka');
    expect(summary).toMatchObject({ stored: 9, duplicates: 0, deadLettered: 1 });
    expect(letters).toHaveLength(1);
    expect(letters[0]?.reason).toBe('database refused the event: invalid byte sequence');
    expect((JSON.parse(String(letters[0]?.message.value)) as MonitorEvent).eventId).toBe(poisoned);
    expect(inserts[0]).toBe(10); // one statement when nothing is wrong; split only after a refusal
  });

  it('lets any other database failure fail the batch, so it is delivered again, without dead-lettering', async () => {
    const { store } = storeRefusing(
      events[0]?.eventId ?? '',
      Object.assign(new Error('connection reset'), { code: '08006' }),
    );
    const { ingest, letters } = service(store);
    await expect(ingest.handleBatch(batchOf(events), 'kafka')).rejects.toThrow('connection reset');
    expect(letters).toHaveLength(0);
  });
});
