import { createReadStream, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse';
import type { MonitorEvent } from '../event.schema.js';
import type { EventSink } from './event-sink.js';

/** Turns one CSV row into an event, or says why it cannot. */
export type RowMapper = (
  row: Readonly<Record<string, string>>,
) => { ok: true; event: MonitorEvent } | { ok: false; reason: string };

export interface RejectedRow {
  /** 1-based data row number (the header is row 0). */
  readonly row: number;
  readonly id: string | undefined;
  readonly reason: string;
}

export interface LoadedStream {
  /** Mapped events in event-time order (ties broken by event id, so the order is reproducible). */
  readonly events: MonitorEvent[];
  readonly rejected: RejectedRow[];
  readonly rows: number;
}

/** The instant an event is ordered and paced by. */
export function eventTime(event: MonitorEvent): number {
  return Date.parse(event.occurredAt ?? event.occurredWindow?.end ?? event.reportedAt);
}

/**
 * Reads a CSV with a header row and maps every row; rows the mapper refuses are kept with their reason.
 * The whole file is held to sort it by event time (exports are often grouped by day, unsorted within).
 */
export async function loadCsvStream(file: string, map: RowMapper, idColumn?: string): Promise<LoadedStream> {
  const events: MonitorEvent[] = [];
  const rejected: RejectedRow[] = [];
  let rows = 0;
  const parser = createReadStream(file).pipe(
    parse({ columns: true, skip_empty_lines: true, relax_quotes: true }),
  );
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      rows++;
      const mapped = map(row);
      if (mapped.ok) events.push(mapped.event);
      else
        rejected.push({
          row: rows,
          id: idColumn === undefined ? undefined : row[idColumn],
          reason: mapped.reason,
        });
    }
  } catch (error) {
    // A malformed CSV line (unclosed quote, wrong column count) stops the read with where it happened.
    throw new Error(`${file}: unreadable CSV after data row ${rows}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const times = new Map(events.map((event) => [event, eventTime(event)]));
  events.sort((a, b) => (times.get(a) ?? 0) - (times.get(b) ?? 0) || (a.eventId < b.eventId ? -1 : 1));
  return { events, rejected, rows };
}

/** Replay speed: as fast as the sink takes them, or event time scaled by a factor (1 = real time). */
export type ReplaySpeed = { kind: 'max' } | { kind: 'scaled'; factor: number };

export interface Checkpoint {
  readonly source: string;
  readonly total: number;
  /** Events (in replay order) the sink has acknowledged. */
  readonly sent: number;
  readonly lastEventId: string | null;
  readonly updatedAt: string;
}

export interface ReplayOptions {
  readonly source: string;
  readonly events: readonly MonitorEvent[];
  readonly sink: EventSink;
  readonly speed: ReplaySpeed;
  readonly batchSize?: number;
  /** A file to resume from and to record progress in. */
  readonly checkpointFile?: string;
  readonly onProgress?: (sent: number, total: number) => void;
  /** Checked between batches; true stops the replay after the batch in hand (its checkpoint written). */
  readonly stopRequested?: () => boolean;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ReplayOutcome {
  readonly resumedFrom: number;
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: readonly { readonly eventId?: string; readonly reason: string }[];
  readonly seconds: number;
  readonly stopped: boolean;
}

/** Reads a checkpoint and checks it belongs to this replay (same source, same event at its position). */
export function readCheckpoint(file: string, source: string, events: readonly MonitorEvent[]): number {
  if (!existsSync(file)) return 0;
  const checkpoint = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
  if (checkpoint.source !== source || checkpoint.total !== events.length) {
    throw new Error(
      `checkpoint ${file} is for ${checkpoint.source} (${checkpoint.total} events), not this replay`,
    );
  }
  const atPosition = checkpoint.sent === 0 ? null : (events[checkpoint.sent - 1]?.eventId ?? null);
  if (atPosition !== checkpoint.lastEventId) {
    throw new Error(
      `checkpoint ${file} does not match: event ${checkpoint.sent} is ${atPosition}, not ${checkpoint.lastEventId}`,
    );
  }
  return checkpoint.sent;
}

function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  // Write-then-rename: a crash never leaves a half-written checkpoint.
  writeFileSync(`${file}.tmp`, JSON.stringify(checkpoint, null, 2));
  renameSync(`${file}.tmp`, file);
}

/**
 * Sends events in order, in batches, paced by event time when a speed factor is given; the checkpoint
 * advances only past batches the sink acknowledged, so a resumed replay loses nothing.
 */
export async function replay(options: ReplayOptions): Promise<ReplayOutcome> {
  const { events, speed } = options;
  const batchSize = options.batchSize ?? 2_000;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const resumedFrom =
    options.checkpointFile === undefined ? 0 : readCheckpoint(options.checkpointFile, options.source, events);
  const started = now();
  const firstTime = events[resumedFrom] === undefined ? 0 : eventTime(events[resumedFrom]);
  const rejected: { eventId?: string; reason: string }[] = [];
  let accepted = 0;
  let position = resumedFrom;
  let stopped = false;

  while (position < events.length) {
    if (options.stopRequested?.() === true) {
      stopped = true;
      break;
    }
    let end = Math.min(events.length, position + batchSize);
    if (speed.kind === 'scaled') {
      // Wait for the next event's moment, then take every event already due.
      const dueAt = (index: number) =>
        started + (eventTime(events[index] as MonitorEvent) - firstTime) / speed.factor;
      const wait = dueAt(position) - now();
      if (wait > 0) await sleep(Math.min(wait, 1_000));
      if (dueAt(position) > now()) continue;
      let due = position + 1;
      while (due < end && dueAt(due) <= now()) due++;
      end = due;
    }
    const result = await options.sink.send(events.slice(position, end));
    accepted += result.accepted;
    rejected.push(...result.rejected);
    position = end;
    if (options.checkpointFile !== undefined) {
      writeCheckpoint(options.checkpointFile, {
        source: options.source,
        total: events.length,
        sent: position,
        lastEventId: events[position - 1]?.eventId ?? null,
        updatedAt: new Date().toISOString(),
      });
    }
    options.onProgress?.(position, events.length);
  }
  return {
    resumedFrom,
    sent: position - resumedFrom,
    accepted,
    rejected,
    seconds: (now() - started) / 1000,
    stopped,
  };
}
