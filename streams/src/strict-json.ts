/**
 * The one parsing rule of every transport (HTTP bodies, NDJSON lines, Kafka message values):
 * - strict UTF-8: invalid byte sequences are refused, never replaced by U+FFFD;
 * - no byte order mark (RFC 8259 §8.1 forbids sending one), refused the same way on every transport;
 * - at most {@link MAX_JSON_DEPTH} nested arrays and objects, checked before `JSON.parse`;
 * - no duplicate keys in an object (JSON.parse would keep the last one silently).
 */

/** Deepest nesting of arrays and objects accepted; an event is 3 levels deep. */
export const MAX_JSON_DEPTH = 32;

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes to text: invalid UTF-8 and a byte order mark are refused with a reason (`is not valid UTF-8`). */
export function decodeUtf8(bytes: Uint8Array): Decoded<string> {
  let text: string;
  try {
    text = fatalDecoder.decode(bytes);
  } catch {
    return { ok: false, reason: 'is not valid UTF-8' };
  }
  return text.charCodeAt(0) === 0xfeff
    ? { ok: false, reason: `starts with ${BOM}` }
    : { ok: true, value: text };
}

const BOM = 'a byte order mark (U+FEFF); send UTF-8 without one';

/**
 * Parses JSON text under the rule above. The structure is scanned first (no recursion, so any depth
 * is safe to look at); syntax errors are left to `JSON.parse`, whose message is reported.
 */
export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): Decoded<unknown> {
  if (text.charCodeAt(0) === 0xfeff) return { ok: false, reason: `text starts with ${BOM}` };
  const structural = scanStructure(text, maxDepth);
  if (structural !== undefined) return { ok: false, reason: structural };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
}

const [SPACE, TAB, LF, CR, QUOTE, COMMA, BACKSLASH] = [0x20, 0x09, 0x0a, 0x0d, 0x22, 0x2c, 0x5c];
const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [0x7b, 0x7d, 0x5b, 0x5d];

/**
 * The nesting depth and duplicate-key problem of `text`, if any. Tolerant of malformed text: what it
 * cannot make sense of is left for `JSON.parse` to refuse.
 */
function scanStructure(text: string, maxDepth: number): string | undefined {
  // One entry per open container: the keys seen so far of an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let previous = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === TAB || c === LF || c === CR) continue;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      open.push(c === OPEN_BRACE ? new Set<string>() : null);
      if (open.length > maxDepth) return `JSON nested deeper than ${maxDepth} levels of arrays and objects`;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      open.pop();
    } else if (c === QUOTE) {
      const end = closingQuote(text, i);
      const keys = open[open.length - 1];
      if (keys !== undefined && keys !== null && (previous === OPEN_BRACE || previous === COMMA)) {
        const raw = text.slice(i + 1, end);
        let key = raw;
        if (raw.includes('\\')) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            return undefined; // a malformed string: JSON.parse names it
          }
        }
        if (keys.has(key)) return `duplicate key "${key.slice(0, 64)}" in a JSON object`;
        keys.add(key);
      }
      i = end;
    }
    previous = c;
  }
  return undefined;
}

/** The index of the quote closing the string that opens at `start` (text.length when there is none). */
function closingQuote(text: string, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

/** Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): they make text read differently than it is. */
export function isBidiControl(code: number): boolean {
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** Unicode noncharacters: U+FDD0-U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, ...). */
export function isNoncharacter(codePoint: number): boolean {
  return (codePoint >= 0xfdd0 && codePoint <= 0xfdef) || (codePoint & 0xfffe) === 0xfffe;
}
