import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Lag of one partition, as the consumer's health reads it. */
export interface LagSample {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

export interface ConsumerSample {
  readonly lagByPartition: readonly LagSample[] | null;
  readonly running: boolean;
  /** ISO time a batch last completed (or the group was joined), or null. */
  readonly lastProgressAt: string | null;
}

/** Where the gauges read their values when Prometheus scrapes (set by the modules that own them). */
export interface MetricProbes {
  /** The consumer's state: lag per partition (null: unknown), running, when a batch last completed. */
  consumer?: () => Promise<ConsumerSample>;
  /** Socket.IO clients connected to this replica, by namespace. */
  sockets?: () => Readonly<Record<string, number>>;
  /** Open alerts held by this replica, by state. */
  alertStates?: () => Readonly<Record<string, number>>;
}

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const TRAINING_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * The service's Prometheus metrics, on a registry of their own (served at `GET /metrics`). Names start
 * with `district_monitor_`; the Node process metrics of prom-client (`process_*`, `nodejs_*`: event loop
 * lag, heap, RSS, GC) keep their standard names so stock dashboards read them.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly probes: MetricProbes = {};

  /** Events of committed batches by outcome: `stored` (first time), `duplicate`, `dead_lettered`. */
  readonly ingestEvents = new Counter({
    name: 'district_monitor_ingest_events_total',
    help: 'Events of committed batches by outcome (stored, duplicate, dead_lettered) and transport',
    labelNames: ['outcome', 'transport'] as const,
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'district_monitor_dead_letters_total',
    help: 'Messages dead-lettered, by reason class (the field or check named first in the reason)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly batches = new Counter({
    name: 'district_monitor_ingest_batches_total',
    help: 'Kafka batches by outcome: committed, retried (a transient failure, attempted again), failed (stops the consumer), abandoned (partition lost while retrying)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly batchDuration = new Histogram({
    name: 'district_monitor_batch_duration_seconds',
    help: 'Time from taking a batch to committing it (validation, store, dead letters, retries)',
    labelNames: ['transport'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly storeDuration = new Histogram({
    name: 'district_monitor_store_duration_seconds',
    help: "Time of one batch's idempotent insert into the event store (one transaction)",
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  /** Batches stored together in one transaction by the write combiner (ingest/write-combiner.ts). */
  readonly writeGroupBatches = new Histogram({
    name: 'district_monitor_write_group_batches',
    help: 'Batches stored together in one transaction by the write combiner (group commit)',
    buckets: [1, 2, 3, 4, 6, 8, 12, 16],
    registers: [this.registry],
  });

  /**
   * Time of each stage of the batch path, summed per batch: `validate` (decode and schema), `store` (the
   * idempotent insert, waiting for the write combiner included), `write` (one group transaction of the
   * write combiner, per group, not per batch), `apply` (the committed batch's subscribers: feature upkeep, aggregate queue),
   * `dead_letter` (publishing the batch's dead letters), `refresh` (one drain of the continuous aggregates,
   * off the batch, TimescaleDB only). The bench's ingest section reports their sums (docs/ingest.md).
   */
  readonly stageDuration = new Histogram({
    name: 'district_monitor_batch_stage_duration_seconds',
    help: 'Time of one stage of the batch path: validate, store (queue included), write (one group transaction), apply (features and aggregate queue), dead_letter, refresh (continuous aggregates, off the batch)',
    labelNames: ['stage'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly alertTransitions = new Counter({
    name: 'district_monitor_alert_transitions_total',
    help: 'Alert state changes written by this replica, by audit action (alert.pending, alert.firing, ...)',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  readonly notifications = new Counter({
    name: 'district_monitor_notifications_total',
    help: 'Grouped alert notifications sent, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'district_monitor_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result: delivered, retry, dead, lease-lost, error (outcome not recorded)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly scoringDuration = new Histogram({
    name: 'district_monitor_scoring_duration_seconds',
    help: 'Time of one scoring run of the active model over the districts whose features changed',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly scoredDistricts = new Counter({
    name: 'district_monitor_scored_districts_total',
    help: 'District scores computed',
    registers: [this.registry],
  });

  readonly trainingDuration = new Histogram({
    name: 'district_monitor_training_duration_seconds',
    help: 'Time of one model training, by outcome (activated, failed)',
    labelNames: ['outcome'] as const,
    buckets: TRAINING_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    const probes = this.probes;
    new Gauge({
      name: 'district_monitor_consumer_lag',
      help: "Messages behind the consumer group's committed offset, per partition (whole group, read from the brokers)",
      labelNames: ['topic', 'partition'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const consumer = await probes.consumer?.();
        for (const sample of consumer?.lagByPartition ?? []) {
          this.set({ topic: sample.topic, partition: String(sample.partition) }, sample.lag);
        }
      },
    });
    new Gauge({
      name: 'district_monitor_consumer_running',
      help: '1 while this replica consumes (joined its group), else 0',
      registers: [this.registry],
      async collect() {
        const consumer = await probes.consumer?.();
        this.set(consumer?.running === true ? 1 : 0);
      },
    });
    new Gauge({
      name: 'district_monitor_consumer_last_progress_seconds',
      help: 'Unix time when this replica last committed a batch (or joined its group); 0 before that',
      registers: [this.registry],
      async collect() {
        const consumer = await probes.consumer?.();
        const at = consumer?.lastProgressAt ?? null;
        this.set(at === null ? 0 : Date.parse(at) / 1000);
      },
    });
    new Gauge({
      name: 'district_monitor_alerts',
      help: 'Open alerts of the districts this replica owns, by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [state, count] of Object.entries(probes.alertStates?.() ?? {})) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'district_monitor_socketio_connections',
      help: 'Socket.IO clients connected to this replica, by namespace',
      labelNames: ['namespace'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [namespace, count] of Object.entries(probes.sockets?.() ?? {})) {
          this.set({ namespace }, count);
        }
      },
    });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  /** Counts a committed batch's events by outcome, and its dead letters by reason class. */
  recordIngest(
    transport: string,
    counts: { readonly stored: number; readonly duplicates: number },
    deadLetterReasons: readonly string[],
  ): void {
    this.ingestEvents.inc({ outcome: 'stored', transport }, counts.stored);
    this.ingestEvents.inc({ outcome: 'duplicate', transport }, counts.duplicates);
    this.ingestEvents.inc({ outcome: 'dead_lettered', transport }, deadLetterReasons.length);
    for (const reason of deadLetterReasons) this.deadLetters.inc({ reason: reasonClass(reason) });
  }
}

const KNOWN_REASONS: readonly (readonly [RegExp, string])[] = [
  [/^invalid JSON/, 'invalid_json'],
  [/^event is \d+ bytes/, 'oversized'],
  [/^oversized:/, 'oversized'],
  [/^empty message/, 'empty'],
  [/^message is not valid UTF-8/, 'not_utf8'],
  [/^message has no value/, 'no_value'],
  [/^database refused/, 'database_refused'],
];

/**
 * A dead letter's reason as a label of bounded cardinality: a known check's name, else the field the
 * reason names first (`district: unknown district "X"` -> `district`), else `other`.
 */
export function reasonClass(reason: string): string {
  for (const [pattern, name] of KNOWN_REASONS) if (pattern.test(reason)) return name;
  const field = /^([A-Za-z][A-Za-z0-9_.[\]]{0,47}):/.exec(reason)?.[1];
  return field === undefined ? 'other' : field.replace(/\.\d+(?=\.|$)/g, '.[]');
}

/** The process's one set of metrics (prom-client keeps metrics per process; so does this). */
export const metrics = new Metrics();
