import type { MonitorEvent, TransportKind } from '@district-monitor/streams';

/** One message as a transport delivers it; the raw value never travels past the ingest use case. */
export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Uint8Array | string | null;
}

export interface InboundBatch {
  readonly messages: readonly InboundMessage[];
  /** Keeps the consumer's group membership alive during long work. */
  heartbeat(): Promise<void>;
}

/**
 * Handles a batch; resolves once every message is durably stored or dead-lettered. A rejection means
 * the batch was not handled and will be delivered again.
 */
export type BatchHandler = (batch: InboundBatch) => Promise<void>;

export type SourceState = 'idle' | 'starting' | 'running' | 'crashed' | 'stopped';

/**
 * The partitions of the incident topic this consumer holds: the districts whose key hashes to them are
 * this instance's to write alerts for. `null`: none (not started, rebalancing, stopped).
 */
export interface Assignment {
  readonly partitions: readonly number[];
  readonly partitionCount: number;
}

/** Where batches come from: the Kafka consumer or the in-process queue. */
export interface EventSource {
  readonly kind: TransportKind;
  /** Called at every change of the assignment (Kafka group joins and rebalances); the in-process queue holds everything. */
  onAssignment(listener: (assignment: Assignment | null) => void): void;
  start(handler: BatchHandler): Promise<void>;
  /** Stops taking batches; the batch in hand is finished and committed first. */
  stop(): Promise<void>;
  state(): SourceState;
  /** Messages published but not yet handled, where the transport knows. */
  lag(): Promise<number | null>;
  /** State, failures, broker reachability, stalls and lag per partition, for the health report. */
  health(): Promise<SourceHealth>;
}

/** Lag of one partition: messages behind the group's committed offset. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** What the health report shows of the source. */
export interface SourceHealth {
  readonly state: SourceState;
  /** Why the consumer stopped for good (a programming error), or null. */
  readonly failure: string | null;
  /** The last error while joining or consuming (cleared once it consumes again), or null. */
  readonly lastError: string | null;
  /** A batch being retried after a transient failure (database or broker unreachable), or null. */
  readonly retrying: { readonly attempts: number; readonly since: string; readonly error: string } | null;
  /** Brokers answering a metadata request (null: no broker, in-process). */
  readonly brokers: { readonly reachable: boolean; readonly error: string | null } | null;
  readonly lag: number | null;
  readonly lagByPartition: readonly PartitionLag[] | null;
  /** When a batch last completed (or the group was joined), ISO time, or null. */
  readonly lastProgressAt: string | null;
  /** Lag above 0 and no batch completed for `stallAfterSeconds`. */
  readonly stalled: boolean;
  readonly stallAfterSeconds: number;
}

/** Where producers inside the process (HTTP ingest, simulator) hand valid events. */
export interface EventPublisher {
  /**
   * Resolves when the transport has durably taken the events (Kafka ack, or stored in-process);
   * rejects with {@link BackpressureError} when it holds as much as it may and takes nothing.
   */
  publish(events: readonly MonitorEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** The transport holds as much as it may: nothing was taken; retry after `retryAfterSeconds`. */
export class BackpressureError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'BackpressureError';
  }
}

export interface DeadLetter {
  readonly message: InboundMessage;
  readonly reason: string;
}

/** Where rejected messages go, with their reason and source position. */
export interface DeadLetterSink {
  deadLetter(letters: readonly DeadLetter[]): Promise<void>;
}
