/**
 * `k6/encoding`: b64encode / b64decode with k6's four variants — 'std' (padded), 'rawstd'
 * (unpadded), 'url' (URL alphabet, padded) and 'rawurl' (URL alphabet, unpadded). Strings are
 * encoded as UTF-8; any other encoding argument (null, unknown) means 'std', as in k6. b64decode
 * returns an ArrayBuffer, or a string with format 's'.
 * Stateless, so one instance is shared by every VU.
 */
import type { ModuleFactory } from '../types.ts';
import { moduleExports } from './module-exports.ts';

export type B64Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

/** Bytes of a k6 input: a string (UTF-8), an ArrayBuffer, a typed array / DataView, or an array of byte numbers. */
export function bytesOf(input: unknown, fn: string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof ArrayBuffer) return Buffer.from(input);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (Array.isArray(input)) return Buffer.from(input as number[]);
  throw new TypeError(`${fn}: input must be a string or an ArrayBuffer`);
}

/** k6 falls back to standard base64 for any other encoding argument (undefined, null, '', unknown names). */
function variantOf(encoding: unknown): B64Variant {
  const v = String(encoding);
  return v === 'rawstd' || v === 'url' || v === 'rawurl' ? v : 'std';
}

export function b64encode(input: unknown, encoding?: unknown): string {
  const variant = variantOf(encoding);
  const bytes = bytesOf(input, 'b64encode');
  if (variant === 'std') return bytes.toString('base64');
  if (variant === 'rawstd') return bytes.toString('base64').replace(/=+$/, '');
  const url = bytes.toString('base64url'); // Node's base64url is unpadded
  if (variant === 'rawurl') return url;
  return url + '='.repeat((4 - (url.length % 4)) % 4);
}

export function b64decode(input: unknown, encoding?: unknown, format?: unknown): ArrayBuffer | string {
  const variant = variantOf(encoding);
  if (typeof input !== 'string') throw new TypeError('b64decode: input must be a string');
  const alphabet = variant === 'url' || variant === 'rawurl' ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  if (!alphabet.test(input)) throw new Error(`b64decode: input is not valid ${variant} base64`);
  const bytes = Buffer.from(input, variant === 'url' || variant === 'rawurl' ? 'base64url' : 'base64');
  if (format === 's') return bytes.toString('utf8');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

const shared = { b64encode, b64decode };
export const encodingModule: ModuleFactory = () => moduleExports(shared);
