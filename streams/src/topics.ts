/** Event kinds and the Kafka topics that carry them. Producers key every message by district code. */
export const EVENT_KINDS = ['incident', 'accident'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface TopicNames {
  readonly incident: string;
  readonly accident: string;
  /** Dead-letter topics: rejected messages with their reason and source position in headers. */
  readonly incidentDeadLetter: string;
  readonly accidentDeadLetter: string;
}

/** Topic names, optionally prefixed (tests use a unique prefix per run). */
export function topicNames(prefix = ''): TopicNames {
  return {
    incident: `${prefix}incidents`,
    accident: `${prefix}accidents`,
    incidentDeadLetter: `${prefix}incidents.dlq`,
    accidentDeadLetter: `${prefix}accidents.dlq`,
  };
}

export function topicForKind(topics: TopicNames, kind: EventKind): string {
  return kind === 'incident' ? topics.incident : topics.accident;
}

export function deadLetterTopicFor(topics: TopicNames, sourceTopic: string): string {
  return sourceTopic === topics.accident ? topics.accidentDeadLetter : topics.incidentDeadLetter;
}

/** Header names on dead-lettered messages. */
export const DEAD_LETTER_HEADERS = {
  reason: 'dlq-reason',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  failedAt: 'dlq-failed-at',
  /** `reference` when the value is a reference to an oversized original (JSON: position, bytes, sha256, head), absent for a copy. */
  valueForm: 'dlq-value-form',
} as const;
