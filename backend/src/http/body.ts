import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { decodeUtf8, parseStrictJson } from '@district-monitor/streams';

/**
 * Reads a request body up to `limit` bytes; a larger body is refused with 413 before it is buffered.
 * The body must be UTF-8 (the parsing rule of streams/src/strict-json.ts): a declared charset other
 * than utf-8 gets 415, invalid UTF-8 or a byte order mark 400 — never a silent U+FFFD.
 */
export async function readBody(
  request: Readable & { headers: Record<string, string | string[] | undefined> },
  limit: number,
): Promise<string> {
  const contentType = request.headers['content-type'];
  const charset = charsetOf(typeof contentType === 'string' ? contentType : undefined);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException(`charset "${charset}": send the body as UTF-8 (charset=utf-8)`);
  }
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
  const decoded = decodeUtf8(Buffer.concat(chunks));
  if (!decoded.ok) throw new BadRequestException(`body ${decoded.reason}`);
  return decoded.value;
}

/** The `charset` parameter of a content type, lower-cased and unquoted; undefined when none is given. */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const [name, ...rest] = parameter.split('=');
    if (name?.trim().toLowerCase() !== 'charset') continue;
    return rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return undefined;
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
  // Duplicate keys and deep nesting are refused here, before anything walks the value.
  const result = parseStrictJson(body);
  if (!result.ok) throw new BadRequestException(bodyProblem(result.reason));
  const parsed = result.value;
  const values = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  return values.map((value) => ({ kind: 'value', value }));
}

/** The 400 message for a body the parsing rule refused: `body is not valid JSON: ...` or `body: ...`. */
export function bodyProblem(reason: string): string {
  return reason.startsWith('invalid JSON: ')
    ? `body is not valid JSON: ${reason.slice('invalid JSON: '.length)}`
    : `body: ${reason}`;
}
