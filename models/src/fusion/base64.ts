/**
 * Float32 arrays as base64 text (little-endian IEEE 754, standard alphabet with `=` padding), without
 * Node's Buffer or the DOM's btoa: models/ has neither.
 */
import { ModelFormatError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Base64 of the values' little-endian float32 bytes. */
export function encodeFloat32(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const left = bytes.length - i;
    parts.push(
      ALPHABET.charAt(b0 >> 2) +
        ALPHABET.charAt(((b0 & 3) << 4) | (b1 >> 4)) +
        (left > 1 ? ALPHABET.charAt(((b1 & 15) << 2) | (b2 >> 6)) : '=') +
        (left > 2 ? ALPHABET.charAt(b2 & 63) : '='),
    );
  }
  return parts.join('');
}

/** The float32 values of `encodeFloat32`'s text; throws ModelFormatError on anything else. */
export function decodeFloat32(text: string): Float32Array {
  if (text.length % 4 !== 0) throw new ModelFormatError('base64 weights: length is not a multiple of 4');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const byteLength = (text.length / 4) * 3 - padding;
  if (byteLength % 4 !== 0)
    throw new ModelFormatError('base64 weights: not a whole number of float32 values');
  const bytes = new Uint8Array(byteLength);
  let out = 0;
  for (let i = 0; i < text.length; i += 4) {
    const quad = [0, 1, 2, 3].map((j) => {
      const code = text.charCodeAt(i + j);
      if (code === 61 && i + j >= text.length - padding) return 0;
      const value = code < 128 ? (DECODE[code] ?? -1) : -1;
      if (value < 0) throw new ModelFormatError(`base64 weights: bad character at ${i + j}`);
      return value;
    });
    const [c0 = 0, c1 = 0, c2 = 0, c3 = 0] = quad;
    const triple = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (out < byteLength) bytes[out++] = (triple >> 16) & 255;
    if (out < byteLength) bytes[out++] = (triple >> 8) & 255;
    if (out < byteLength) bytes[out++] = triple & 255;
  }
  const view = new DataView(bytes.buffer);
  const values = new Float32Array(byteLength / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}
