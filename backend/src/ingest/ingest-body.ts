import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Readable } from 'node:stream';

/** Reads a request body up to `limit` bytes; a larger body is refused with 413 before it is buffered. */
export async function readBody(
  request: Readable & { headers: Record<string, string | string[] | undefined> },
  limit: number,
): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit)
    throw new PayloadTooLargeException(`body is ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) throw new PayloadTooLargeException(`body exceeds the limit of ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One submitted event: parsed JSON (array body) or a raw line (NDJSON body). */
export type BodyItem = { kind: 'value'; value: unknown } | { kind: 'line'; line: string };

/**
 * Splits a body into events: `application/json` holds one event or an array of events,
 * `application/x-ndjson` one event per line (a bad line is that event's rejection, not the body's).
 */
export function splitBody(body: string, contentType: string | undefined): BodyItem[] {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-ndjson' || type === 'application/jsonl') {
    return body
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => ({ kind: 'line', line }));
  }
  if (type !== 'application/json') {
    throw new UnsupportedMediaTypeException(
      `content-type "${type || '(none)'}": send application/json (an event or an array) or application/x-ndjson`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new BadRequestException(`body is not valid JSON: ${(error as Error).message}`);
  }
  const values = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  return values.map((value) => ({ kind: 'value', value }));
}
