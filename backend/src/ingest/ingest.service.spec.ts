import { readFileSync } from 'node:fs';
import { parseRegion, type BatchSummary, type MonitorEvent } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { EventBus } from '../events/event-bus.js';
import type { DeadLetter, InboundBatch } from '../transport/transport.js';
import type { CountChange, EventStoreRepository, InsertResult } from '../database/event-store.repository.js';
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

/** What the store returns when every event is new and counts. */
function storedAll(list: readonly MonitorEvent[]): InsertResult {
  const stored = list.map(({ eventId, district, category }) => ({
    eventId,
    district,
    category,
    occurredAt: new Date(),
    amends: null,
    counts: true,
  }));
  const changes = stored.map(({ district, category, occurredAt }) => ({
    district,
    category,
    occurredAt,
    events: 1 as const,
    killed: 0,
    injured: 0,
  }));
  return { stored, changes };
}

/** A store that refuses, as PostgreSQL would, any batch holding one poisoned id. */
function storeRefusing(poisoned: string, error: Error & { code?: string }) {
  const inserts: number[] = [];
  const store = {
    insert(list: readonly MonitorEvent[]): Promise<InsertResult> {
      inserts.push(list.length);
      if (list.some((event) => event.eventId === poisoned)) return Promise.reject(error);
      return Promise.resolve(storedAll(list));
    },
  };
  return { store: store as unknown as EventStoreRepository, inserts };
}

function service(store: EventStoreRepository, deadLetterFails = false) {
  const letters: DeadLetter[] = [];
  const summaries: BatchSummary[] = [];
  const applied: CountChange[][] = [];
  let commits = 0;
  const bus = new EventBus();
  bus.on('batch.handled', (summary) => summaries.push(summary));
  bus.on('batch.committed', ({ changes }) => {
    applied.push([...changes]);
  });
  bus.on('batch.committed', () => {
    commits++;
  });
  const ingest = new IngestService(
    loadConfig({}),
    region,
    store,
    {
      deadLetter: (list) =>
        deadLetterFails
          ? Promise.reject(new Error('broker down'))
          : Promise.resolve(void letters.push(...list)),
    },
    bus,
  );
  return { ingest, letters, summaries, applied, commits: () => commits };
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

  it('gives each district its own newest report, with producer offsets read as instants', async () => {
    const base = events[0] as MonitorEvent;
    const at = (i: number, district: string, reportedAt: string): MonitorEvent => ({
      ...base,
      eventId: events[i]?.eventId ?? '',
      district,
      occurredAt: '2024-05-01T00:00:00Z',
      reportedAt,
    });
    const list = [
      at(0, 'TN-CHN', '2024-05-01T10:00:00+05:30'),
      at(1, 'TN-CHN', '2024-05-01T04:40:00Z'),
      at(2, 'TN-ARI', '2024-05-01T06:00:00+05:30'),
      at(3, 'TN-MDU', '2024-05-01T12:00:00+05:30'),
    ];
    // The fourth was stored before (a re-delivery): it says nothing new of Madurai.
    const store = {
      insert: (batch: readonly MonitorEvent[]) => Promise.resolve(storedAll(batch.slice(0, 3))),
    } as unknown as EventStoreRepository;
    const summary = await service(store).ingest.handleBatch(batchOf(list), 'kafka');
    expect(summary).toMatchObject({ stored: 3, duplicates: 1, deadLettered: 0 });
    expect(summary.newestReportedByDistrict).toEqual({
      'TN-CHN': '2024-05-01T04:40:00.000Z',
      'TN-ARI': '2024-05-01T00:30:00.000Z',
    });
  });

  it("counts for the board's window only the events that occurred in it: a backfilled event adds to the total alone", async () => {
    const list = events.slice(0, 4);
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const result = storedAll(list);
    // Two events of the last hour, one of 100 days ago, one 25 hours ago (both outside the 24-hour window).
    const occurred = [hoursAgo(1), hoursAgo(0.5), hoursAgo(2_400), hoursAgo(25)];
    const changes = result.changes.map((change, i) => ({
      ...change,
      district: 'TN-CHN',
      occurredAt: occurred[i] ?? new Date(),
    }));
    const store = {
      insert: () => Promise.resolve({ ...result, changes }),
    } as unknown as EventStoreRepository;
    const { ingest, applied } = service(store);
    const summary = await ingest.handleBatch(batchOf(list), 'kafka');
    expect(summary.stored).toBe(4);
    expect(summary.byDistrict).toEqual({ 'TN-CHN': 2 });
    expect(Object.values(summary.byCategory).reduce((sum, n) => sum + n, 0)).toBe(2);
    // The features and aggregates still get every change.
    expect(applied[0]).toHaveLength(4);
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

  it('hands the committed changes to the features even when dead-lettering then fails', async () => {
    const good = batchOf(events.slice(0, 3));
    const bad: InboundBatch = {
      ...good,
      messages: [...good.messages, { topic: 'incidents', partition: 0, offset: '9', key: null, value: '{' }],
    };
    const { store } = storeRefusing('none', new Error('unused'));
    const { ingest, applied, commits } = service(store, true);
    await expect(ingest.handleBatch(bad, 'kafka')).rejects.toThrow('broker down');
    // The re-delivery would find these three stored and change nothing: they must not be lost here.
    expect(applied.flat()).toHaveLength(3);
    expect(commits()).toBe(1);
  });
});
