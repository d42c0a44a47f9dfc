import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '@district-monitor/streams';
import { DEAD_LETTER_REQUEST_BYTES, planDeadLetters, REFERENCE_HEAD_BYTES } from './dead-letter-plan.js';
import type { DeadLetter } from './transport.js';

const AT = '2026-12-06T10:00:00.000Z';
const topicOf = (source: string) => `${source}.dlq`;

function letter(bytes: number, offset: number, topic = 'incidents'): DeadLetter {
  return {
    message: { topic, partition: 2, offset: String(offset), key: 'TN-CHN', value: Buffer.alloc(bytes, 0x61) },
    reason: `event is ${bytes} bytes; the limit is 16384`,
  };
}

describe('planDeadLetters', () => {
  it('keeps small letters of one topic in one request, in order, with the five headers', () => {
    const plan = planDeadLetters([letter(100, 1), letter(200, 2), letter(300, 3)], topicOf, AT);
    expect(plan).toHaveLength(1);
    expect(plan[0]?.topic).toBe('incidents.dlq');
    expect(plan[0]?.letters.map((l) => l.letter.message.offset)).toEqual(['1', '2', '3']);
    expect(plan[0]?.letters[0]?.headers).toEqual({
      [DEAD_LETTER_HEADERS.reason]: 'event is 100 bytes; the limit is 16384',
      [DEAD_LETTER_HEADERS.sourceTopic]: 'incidents',
      [DEAD_LETTER_HEADERS.sourcePartition]: '2',
      [DEAD_LETTER_HEADERS.sourceOffset]: '1',
      [DEAD_LETTER_HEADERS.failedAt]: AT,
    });
  });

  it('sends two 600 KB letters in two requests, each a full copy', () => {
    const plan = planDeadLetters([letter(600_000, 7), letter(600_000, 8)], topicOf, AT);
    expect(plan.map((request) => request.letters.map((l) => [l.letter.message.offset, l.form]))).toEqual([
      [['7', 'copy']],
      [['8', 'copy']],
    ]);
    for (const request of plan) {
      expect(request.letters.reduce((sum, l) => sum + l.bytes, 0)).toBeLessThanOrEqual(
        DEAD_LETTER_REQUEST_BYTES,
      );
    }
  });

  it('replaces a 1,048,400-byte original by a reference: position, size, sha256 and first bytes, reason oversized', () => {
    const big = letter(1_048_400, 9);
    const [request, ...rest] = planDeadLetters([big, letter(50, 10)], topicOf, AT);
    expect(rest).toHaveLength(0);
    const [reference, small] = request?.letters ?? [];
    expect(reference?.form).toBe('reference');
    expect(small?.form).toBe('copy');
    expect(reference?.headers[DEAD_LETTER_HEADERS.reason]).toMatch(
      /^oversized: the 1048400-byte message cannot be copied .*Reason: event is 1048400 bytes; the limit is 16384$/,
    );
    expect(reference?.headers[DEAD_LETTER_HEADERS.valueForm]).toBe('reference');
    const value = JSON.parse(String(reference?.value)) as Record<string, unknown>;
    expect(value).toEqual({
      reference: true,
      sourceTopic: 'incidents',
      sourcePartition: 2,
      sourceOffset: '9',
      bytes: 1_048_400,
      sha256: createHash('sha256').update(Buffer.alloc(1_048_400, 0x61)).digest('hex'),
      headBase64: Buffer.alloc(REFERENCE_HEAD_BYTES, 0x61).toString('base64'),
    });
    expect(reference?.bytes).toBeLessThan(4_096);
  });

  it('keeps the topics apart', () => {
    const plan = planDeadLetters([letter(10, 1), letter(10, 2, 'accidents'), letter(10, 3)], topicOf, AT);
    expect(plan.map((r) => [r.topic, r.letters.map((l) => l.letter.message.offset)])).toEqual([
      ['incidents.dlq', ['1', '3']],
      ['accidents.dlq', ['2']],
    ]);
  });
});
