import type { MonitorEvent } from '../event.schema.js';

export interface SinkResult {
  /** Events the destination durably took. */
  readonly accepted: number;
  /** Events it refused, with its reason. */
  readonly rejected: readonly { readonly eventId?: string; readonly reason: string }[];
}

/** Where a producer sends events: a Kafka cluster or a backend's HTTP ingest endpoint. */
export interface EventSink {
  readonly description: string;
  send(events: readonly MonitorEvent[]): Promise<SinkResult>;
  close(): Promise<void>;
}
