import type { MonitorEvent } from '../event.schema.js';
import type { EventSink, SinkResult } from './event-sink.js';

interface IngestReply {
  accepted: number;
  results: { index: number; eventId?: string; status: 'accepted' | 'rejected'; reason?: string }[];
}

/** The backend's defaults (INGEST_MAX_BODY_BYTES, and its fixed limit of events per request). */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_EVENTS_PER_REQUEST = 10_000;

export interface HttpSinkOptions {
  apiKey?: string;
  attempts?: number;
  firstBackoffMs?: number;
  timeoutMs?: number;
  /**
   * The server's body limit (its INGEST_MAX_BODY_BYTES; default 5 MiB): requests are split to stay
   * under it. A 413 that names a lower limit lowers it for the rest of the run.
   */
  maxBodyBytes?: number;
  /** The server's limit of events per request (default 10,000). */
  maxEventsPerRequest?: number;
}

/**
 * The limit a 413 names: the backend says "body is N bytes; the limit is M", "body exceeds the limit
 * of M bytes" or "N events; the limit per request is M".
 */
function limitNamedIn(text: string): { bytes?: number; events?: number } {
  const events = /limit per request is (\d+)/.exec(text);
  const bytes = /limit (?:is|of) (\d+)/.exec(text);
  const value = Number((events ?? bytes)?.[1]);
  if (!Number.isSafeInteger(value) || value < 1) return {};
  return events !== null ? { events: value } : { bytes: value };
}

/** Lines grouped so that each group's body (lines joined by newlines) stays within both limits. */
export function splitLines(lines: readonly string[], maxBodyBytes: number, maxEvents: number): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  lines.forEach((line, index) => {
    const size = Buffer.byteLength(line);
    if (size > maxBodyBytes) {
      throw new RangeError(
        `event ${index} alone is ${size} bytes, more than the server's body limit of ${maxBodyBytes} bytes`,
      );
    }
    // Joined by "\n": every line after the first adds one byte.
    const added = current.length === 0 ? size : size + 1;
    if (current.length > 0 && (bytes + added > maxBodyBytes || current.length >= maxEvents)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    bytes += current.length === 0 ? size : size + 1;
    current.push(line);
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Posts events as NDJSON to a backend's `POST /api/events`, split into requests under the server's
 * body limit and its limit of events per request. Per-event rejections are returned; a busy or
 * unavailable backend (429, 5xx, network) is retried, after `Retry-After` when given, else with
 * exponential backoff; a 413 splits the request further; any other refusal is an error.
 */
export class HttpSink implements EventSink {
  readonly description: string;
  private readonly endpoint: string;
  private maxBodyBytes: number;
  private maxEvents: number;

  constructor(
    baseUrl: string,
    private readonly options: HttpSinkOptions = {},
  ) {
    this.endpoint = new URL('/api/events', baseUrl).toString();
    this.description = `HTTP ${this.endpoint}`;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxEvents = options.maxEventsPerRequest ?? DEFAULT_MAX_EVENTS_PER_REQUEST;
    for (const [name, value] of [
      ['maxBodyBytes', this.maxBodyBytes],
      ['maxEventsPerRequest', this.maxEvents],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
    }
  }

  /** Requests sent so far (each split part counts once; retries do not). */
  requests = 0;

  async send(events: readonly MonitorEvent[]): Promise<SinkResult> {
    if (events.length === 0) return { accepted: 0, rejected: [] };
    const lines = events.map((event) => JSON.stringify(event));
    let accepted = 0;
    const rejected: { eventId?: string; reason: string }[] = [];
    const pending = splitLines(lines, this.maxBodyBytes, this.maxEvents);
    for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
      const body = part.join('\n');
      const reply = await this.post(body);
      if (reply.kind === 'too-large') {
        if (part.length === 1) {
          throw new Error(`${this.endpoint} answered 413 for a single event: ${reply.text.slice(0, 300)}`);
        }
        // The server's limits are lower than we were told: take the one it names (else half), split again.
        const size = Buffer.byteLength(body);
        const { bytes, events } = reply.limit;
        if (events !== undefined && events < part.length) this.maxEvents = events;
        else if (bytes !== undefined && bytes < size) this.maxBodyBytes = bytes;
        else this.maxEvents = Math.max(1, Math.ceil(part.length / 2));
        pending.unshift(...splitLines(part, this.maxBodyBytes, this.maxEvents));
        continue;
      }
      accepted += reply.accepted;
      rejected.push(...reply.rejected);
    }
    return { accepted, rejected };
  }

  /** One request with retries; 413 is handed back to be split. */
  private async post(
    body: string,
  ): Promise<
    | { kind: 'answered'; accepted: number; rejected: { eventId?: string; reason: string }[] }
    | { kind: 'too-large'; limit: { bytes?: number; events?: number }; text: string }
  > {
    const attempts = this.options.attempts ?? 6;
    let backoff = this.options.firstBackoffMs ?? 250;
    this.requests++;
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let text: string;
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(this.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-ndjson',
            ...(this.options.apiKey === undefined ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
          },
          body,
          // A backend that stops answering must not hang the producer; the attempt is retried.
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
        status = response.status;
        text = await response.text();
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
      } catch (error) {
        if (attempt >= attempts)
          throw new Error(`${this.endpoint} unreachable: ${String(error)}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, (backoff *= 2)));
        continue;
      }
      if (status === 202 || status === 207 || status === 422) {
        const reply = JSON.parse(text) as IngestReply;
        const rejected = reply.results
          .filter((result) => result.status === 'rejected')
          .map((result) => ({ eventId: result.eventId, reason: result.reason ?? 'rejected' }));
        return { kind: 'answered', accepted: reply.accepted, rejected };
      }
      if (status === 413) return { kind: 'too-large', limit: limitNamedIn(text), text };
      const retriable = status === 429 || status >= 500;
      if (!retriable || attempt >= attempts) {
        throw new Error(`${this.endpoint} answered ${status}: ${text.slice(0, 300)}`);
      }
      // A rate-limited producer waits as long as the backend asks; otherwise back off exponentially.
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs ?? (backoff *= 2)));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
