import { describe, expect, it } from 'vitest';
import { batchContextOf, inBatch } from './batch-context.js';
import { JsonLogger } from './json.logger.js';

function capture(): { lines: Record<string, unknown>[]; logger: JsonLogger } {
  const lines: Record<string, unknown>[] = [];
  const logger = new JsonLogger('debug', {
    write: (text: string) => {
      for (const line of text.split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { lines, logger };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with the context, and the fields of an object message', () => {
    const { lines, logger } = capture();
    logger.log('started', 'Main');
    logger.warn({ msg: 'slow', ms: 12 }, 'Ingest');
    logger.error('failed', 'Error: boom\n    at x', 'Ingest');
    expect(lines).toMatchObject([
      { level: 'info', context: 'Main', msg: 'started' },
      { level: 'warn', context: 'Ingest', msg: 'slow', ms: 12 },
      { level: 'error', context: 'Ingest', msg: 'failed', stack: 'Error: boom\n    at x' },
    ]);
    expect(typeof lines[0]?.time).toBe('string');
  });

  it('adds the current batch to every line written while it is handled, across awaits', async () => {
    const { lines, logger } = capture();
    const context = batchContextOf([
      { topic: 'incidents', partition: 2, offset: '10' },
      { topic: 'incidents', partition: 2, offset: '14' },
    ]);
    await inBatch(context, async () => {
      await Promise.resolve();
      logger.debug({ msg: 'batch stored', stored: 2 }, 'Ingest');
    });
    logger.log('after', 'Main');
    expect(lines[0]).toMatchObject({
      batchId: context.batchId,
      topic: 'incidents',
      partition: 2,
      firstOffset: '10',
      lastOffset: '14',
      messages: 2,
      stored: 2,
    });
    expect(lines[1]).not.toHaveProperty('batchId');
  });

  it('leaves out levels below the configured one', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('warn', { write: (text: string) => void lines.push(text) });
    logger.log('hidden', 'Main');
    logger.debug('hidden', 'Main');
    logger.warn('shown', 'Main');
    expect(lines).toHaveLength(1);
  });
});
