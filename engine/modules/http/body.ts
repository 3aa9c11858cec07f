/**
 * Request bodies as k6 builds them: string and ArrayBuffer/typed-array bodies sent raw, a plain
 * object sent as application/x-www-form-urlencoded, and an object holding `http.file()` values
 * sent as multipart/form-data. File bytes are never copied: a multipart body is a list of
 * Buffer views (part headers + the file's own memory) that undici writes one after another, so a
 * 10 MB file opened once in the init context is shared by every VU's uploads.
 */
import { nodeCrypto } from '../../lazy-require.ts';

/** What `http.file(data, filename, contentType)` returns. */
export class FileData {
  readonly data: string | ArrayBuffer | ArrayBufferView | number[];
  readonly filename: string;
  readonly content_type: string;
  constructor(data: unknown, filename?: string, contentType?: string) {
    if (data === undefined || data === null) throw new TypeError('http.file: data is required (a string, ArrayBuffer or byte array)');
    this.data = data as FileData['data'];
    this.filename = filename === undefined || filename === null ? '' : String(filename);
    this.content_type = contentType ? String(contentType) : 'application/octet-stream';
  }
}

export function file(data: unknown, filename?: string, contentType?: string): FileData {
  return new FileData(data, filename, contentType);
}

/** An encoded request body ready for undici. */
export interface EncodedBody {
  /** A single chunk, or several chunks written in order (multipart). */
  payload: Buffer | string | Buffer[];
  length: number;
  /** Content-Type to send when the user set none. */
  contentType?: string;
}

/** Wraps bytes without copying. */
export function toBuffer(data: string | ArrayBuffer | ArrayBufferView | number[]): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Buffer.from(data);
  return Buffer.from(String(data));
}

function isFileData(v: unknown): v is FileData {
  return v instanceof FileData;
}

/** Encodes a k6 request body; null/undefined → null (no body). */
export function encodeBody(body: unknown): EncodedBody | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return { payload: body, length: Buffer.byteLength(body) };
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const b = toBuffer(body as ArrayBuffer);
    return { payload: b, length: b.length };
  }
  if (typeof body === 'object') {
    const obj = body as Record<string, unknown>;
    const keys = Object.keys(obj);
    for (const k of keys) if (isFileData(obj[k])) return encodeMultipart(obj, keys);
    return encodeForm(obj, keys);
  }
  const s = String(body);
  return { payload: s, length: Buffer.byteLength(s) };
}

function encodeForm(obj: Record<string, unknown>, keys: string[]): EncodedBody {
  const params = new URLSearchParams();
  for (const k of [...keys].sort()) {
    const v = obj[k];
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.append(k, v === null || v === undefined ? '' : String(v));
  }
  const s = params.toString();
  return { payload: s, length: Buffer.byteLength(s), contentType: 'application/x-www-form-urlencoded' };
}

function quoteParam(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function encodeMultipart(obj: Record<string, unknown>, keys: string[]): EncodedBody {
  const boundary = nodeCrypto().randomBytes(15).toString('hex');
  const chunks: Buffer[] = [];
  let length = 0;
  const push = (b: Buffer) => {
    chunks.push(b);
    length += b.length;
  };
  for (const k of keys) {
    const v = obj[k];
    if (isFileData(v)) {
      const filename = v.filename || k;
      push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(k)}"; filename="${quoteParam(filename)}"\r\n` +
            `Content-Type: ${v.content_type}\r\n\r\n`,
        ),
      );
      push(toBuffer(v.data));
      push(Buffer.from('\r\n'));
    } else {
      const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(k)}"\r\n\r\n${text}\r\n`));
    }
  }
  push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: chunks, length, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The body as a string, for `response.request.body` (computed only when a script reads it). */
export function bodyText(b: EncodedBody | null): string {
  if (!b) return '';
  if (typeof b.payload === 'string') return b.payload;
  if (Array.isArray(b.payload)) return Buffer.concat(b.payload).toString('latin1');
  return b.payload.toString('latin1');
}

/** The body as one Buffer (compression needs the whole body). */
export function bodyBuffer(b: EncodedBody): Buffer {
  if (typeof b.payload === 'string') return Buffer.from(b.payload);
  if (Array.isArray(b.payload)) return Buffer.concat(b.payload);
  return b.payload;
}
