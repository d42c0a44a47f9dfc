import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../event.schema.js';
import type { EventSink } from './event-sink.js';
import { loadCsvStream, replay, type RowMapper } from './replay.js';

const dir = mkdtempSync(join(tmpdir(), 'replay-spec-'));
const T = Date.parse('2017-01-01T00:00:00Z');

const event = (id: string, minutes: number): MonitorEvent => ({
  eventId: id,
  schemaVersion: 1,
  kind: 'incident',
  district: 'CHI-001',
  category: 'other',
  severity: 'low',
  occurredAt: new Date(T + minutes * 60_000).toISOString(),
  reportedAt: new Date(T + minutes * 60_000).toISOString(),
});

/** Rows `id,minute,district`; a row without a district is refused. */
const mapper: RowMapper = (row) =>
  row.district === ''
    ? { ok: false, reason: 'district is empty' }
    : { ok: true, event: event(`e${row.id}`, Number(row.minute)) };

class MemorySink implements EventSink {
  readonly description = 'memory';
  readonly batches: string[][] = [];
  failAfter = Infinity;
  send(events: readonly MonitorEvent[]) {
    if (this.batches.length >= this.failAfter) return Promise.reject(new Error('broker down'));
    this.batches.push(events.map((e) => e.eventId));
    return Promise.resolve({ accepted: events.length, rejected: [] });
  }
  close() {
    return Promise.resolve();
  }
}

describe('loadCsvStream', () => {
  it('orders events by event time and keeps refused rows with their reason and row number', async () => {
    const file = join(dir, 'a.csv');
    writeFileSync(file, 'id,minute,district\n1,30,A\n2,10,A\n3,20,\n4,10,B\n');
    const loaded = await loadCsvStream(file, mapper, 'id');
    expect(loaded.rows).toBe(4);
    expect(loaded.events.map((e) => e.eventId)).toEqual(['e2', 'e4', 'e1']);
    expect(loaded.rejected).toEqual([{ row: 3, id: '3', reason: 'district is empty' }]);
  });

  it('names the place of a malformed CSV line', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'id,minute,district\n1,30,A\n2,10\n');
    await expect(loadCsvStream(file, mapper)).rejects.toThrow(/unreadable CSV after data row 1: /);
  });
});

describe('replay', () => {
  const events = Array.from({ length: 10 }, (_, i) => event(`e${i}`, i));

  it('sends everything in order, in batches, as fast as the sink takes them', async () => {
    const sink = new MemorySink();
    const outcome = await replay({ source: 'x', events, sink, speed: { kind: 'max' }, batchSize: 4 });
    expect(sink.batches).toEqual([
      ['e0', 'e1', 'e2', 'e3'],
      ['e4', 'e5', 'e6', 'e7'],
      ['e8', 'e9'],
    ]);
    expect(outcome).toMatchObject({ sent: 10, accepted: 10, resumedFrom: 0, stopped: false });
  });

  it('paces by event time: at x60 one event-minute takes one second', async () => {
    let clock = 0;
    const sink = new MemorySink();
    const outcome = await replay({
      source: 'x',
      events,
      sink,
      speed: { kind: 'scaled', factor: 60 },
      now: () => clock,
      sleep: (ms) => {
        clock += ms;
        return Promise.resolve();
      },
    });
    expect(sink.batches.flat()).toEqual(events.map((e) => e.eventId));
    expect(outcome.seconds).toBeCloseTo(9, 5); // the last event is 9 event-minutes after the first
  });

  it('resumes from its checkpoint after a failure without sending anything twice', async () => {
    const checkpointFile = join(dir, 'ck.json');
    const failing = new MemorySink();
    failing.failAfter = 2;
    await expect(
      replay({ source: 'x', events, sink: failing, speed: { kind: 'max' }, batchSize: 3, checkpointFile }),
    ).rejects.toThrow('broker down');
    expect(JSON.parse(readFileSync(checkpointFile, 'utf8'))).toMatchObject({ sent: 6, lastEventId: 'e5' });

    const sink = new MemorySink();
    const outcome = await replay({
      source: 'x',
      events,
      sink,
      speed: { kind: 'max' },
      batchSize: 3,
      checkpointFile,
    });
    expect(outcome).toMatchObject({ resumedFrom: 6, sent: 4 });
    expect([...failing.batches.flat(), ...sink.batches.flat()]).toEqual(events.map((e) => e.eventId));
  });

  it('refuses a checkpoint written for another file', async () => {
    const checkpointFile = join(dir, 'other.json');
    await replay({
      source: 'other.csv',
      events,
      sink: new MemorySink(),
      speed: { kind: 'max' },
      checkpointFile,
    });
    await expect(
      replay({ source: 'x', events, sink: new MemorySink(), speed: { kind: 'max' }, checkpointFile }),
    ).rejects.toThrow(/is for other.csv/);
  });

  it('stops between batches when asked, with the checkpoint at the last acknowledged event', async () => {
    const sink = new MemorySink();
    const outcome = await replay({
      source: 'x',
      events,
      sink,
      speed: { kind: 'max' },
      batchSize: 2,
      stopRequested: () => sink.batches.length >= 2,
    });
    expect(outcome).toMatchObject({ sent: 4, stopped: true });
  });
});
