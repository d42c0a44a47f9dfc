import { createHash } from 'node:crypto';
import { DEAD_LETTER_HEADERS } from '@district-monitor/streams';
import type { DeadLetter, InboundMessage } from './transport.js';

/**
 * Largest estimated size of one produce request to a dead-letter topic. The broker's default
 * `max.message.bytes` is 1,048,588 and counts the whole record batch (a dead-letter topic has one
 * partition, so a request is one batch); the margin covers the estimate's error.
 */
export const DEAD_LETTER_REQUEST_BYTES = 1_000_000;
/** Bytes of an oversized original kept (as base64) in its reference form. */
export const REFERENCE_HEAD_BYTES = 1_024;
/** Longest reason sent; a longer one is cut (a database error can quote a value). */
const MAX_REASON_CHARS = 2_000;
/** Record-batch header (61) and per-record framing, rounded up. */
const BATCH_OVERHEAD = 61;
const RECORD_OVERHEAD = 32;

/** One dead letter as it goes to Kafka: a full copy of the original, or a reference to it. */
export interface PlannedLetter {
  readonly letter: DeadLetter;
  readonly form: 'copy' | 'reference';
  readonly key: string | null;
  readonly value: string | Buffer | null;
  readonly headers: Record<string, string>;
  /** Estimated bytes in a record batch. */
  readonly bytes: number;
}

const byteLength = (value: string | Uint8Array | null): number =>
  value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;

const cut = (reason: string): string =>
  reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS)}… (cut)`;

function headersFor(message: InboundMessage, reason: string, failedAt: string): Record<string, string> {
  return {
    [DEAD_LETTER_HEADERS.reason]: cut(reason),
    [DEAD_LETTER_HEADERS.sourceTopic]: message.topic,
    [DEAD_LETTER_HEADERS.sourcePartition]: String(message.partition),
    [DEAD_LETTER_HEADERS.sourceOffset]: message.offset,
    [DEAD_LETTER_HEADERS.failedAt]: failedAt,
  };
}

function estimate(key: string | null, value: string | Buffer | null, headers: Record<string, string>) {
  let bytes = RECORD_OVERHEAD + byteLength(key) + byteLength(value);
  for (const [name, text] of Object.entries(headers)) bytes += 10 + byteLength(name) + byteLength(text);
  return bytes;
}

/** The original as it is: value, key and the five dead-letter headers. */
export function copyOf(letter: DeadLetter, failedAt: string): PlannedLetter {
  const { message, reason } = letter;
  const value =
    message.value === null || typeof message.value === 'string' ? message.value : Buffer.from(message.value);
  const headers = headersFor(message, reason, failedAt);
  return {
    letter,
    form: 'copy',
    key: message.key,
    value,
    headers,
    bytes: estimate(message.key, value, headers),
  };
}

/**
 * A small stand-in for an original whose copy cannot fit a dead-letter record: where it is (topic,
 * partition, offset), its size, its sha256 and its first bytes. The reason starts with `oversized`.
 */
export function referenceTo(letter: DeadLetter, failedAt: string, limitBytes: number): PlannedLetter {
  const { message, reason } = letter;
  const raw =
    message.value === null
      ? Buffer.alloc(0)
      : typeof message.value === 'string'
        ? Buffer.from(message.value)
        : Buffer.from(message.value);
  const value = JSON.stringify({
    reference: true,
    sourceTopic: message.topic,
    sourcePartition: message.partition,
    sourceOffset: message.offset,
    bytes: raw.byteLength,
    sha256: createHash('sha256').update(raw).digest('hex'),
    headBase64: raw.subarray(0, REFERENCE_HEAD_BYTES).toString('base64'),
  });
  const headers = {
    ...headersFor(
      message,
      `oversized: the ${raw.byteLength}-byte message cannot be copied into a dead-letter record ` +
        `(limit ${limitBytes} bytes); the value is a reference to it. Reason: ${reason}`,
      failedAt,
    ),
    [DEAD_LETTER_HEADERS.valueForm]: 'reference',
  };
  const key = message.key === null ? null : message.key.slice(0, 256);
  return { letter, form: 'reference', key, value, headers, bytes: estimate(key, value, headers) };
}

/** One produce request: a topic and the letters it carries. */
export interface PlannedRequest {
  readonly topic: string;
  readonly letters: readonly PlannedLetter[];
}

/**
 * Splits dead letters into produce requests that each fit `limitBytes` (estimated): letters in order,
 * grouped per dead-letter topic, a large letter alone in its request, and an original too large to
 * copy replaced by its reference.
 */
export function planDeadLetters(
  letters: readonly DeadLetter[],
  topicOf: (sourceTopic: string) => string,
  failedAt: string,
  limitBytes = DEAD_LETTER_REQUEST_BYTES,
): PlannedRequest[] {
  const open = new Map<string, { letters: PlannedLetter[]; bytes: number }>();
  const requests: PlannedRequest[] = [];
  for (const letter of letters) {
    const topic = topicOf(letter.message.topic);
    let planned = copyOf(letter, failedAt);
    if (planned.bytes + BATCH_OVERHEAD > limitBytes) planned = referenceTo(letter, failedAt, limitBytes);
    let current = open.get(topic);
    if (current !== undefined && current.bytes + planned.bytes > limitBytes) {
      requests.push({ topic, letters: current.letters });
      current = undefined;
    }
    if (current === undefined) {
      current = { letters: [], bytes: BATCH_OVERHEAD };
      open.set(topic, current);
    }
    current.letters.push(planned);
    current.bytes += planned.bytes;
  }
  for (const [topic, current] of open) requests.push({ topic, letters: current.letters });
  return requests;
}
