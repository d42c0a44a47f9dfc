import type { MonitorEvent } from '../event.schema.js';
import type { EventSink, SinkResult } from './event-sink.js';

interface IngestReply {
  accepted: number;
  results: { index: number; eventId?: string; status: 'accepted' | 'rejected'; reason?: string }[];
}

/**
 * Posts events as NDJSON to a backend's `POST /api/events`. Per-event rejections are returned; a busy
 * or unavailable backend (429, 5xx, network) is retried, after `Retry-After` when given, else with
 * exponential backoff; any other refusal is an error.
 */
export class HttpSink implements EventSink {
  readonly description: string;
  private readonly endpoint: string;

  constructor(
    baseUrl: string,
    private readonly options: {
      apiKey?: string;
      attempts?: number;
      firstBackoffMs?: number;
      timeoutMs?: number;
    } = {},
  ) {
    this.endpoint = new URL('/api/events', baseUrl).toString();
    this.description = `HTTP ${this.endpoint}`;
  }

  async send(events: readonly MonitorEvent[]): Promise<SinkResult> {
    if (events.length === 0) return { accepted: 0, rejected: [] };
    const body = events.map((event) => JSON.stringify(event)).join('\n');
    const attempts = this.options.attempts ?? 6;
    let backoff = this.options.firstBackoffMs ?? 250;
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
        return { accepted: reply.accepted, rejected };
      }
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
