/**
 * Content codings: the `compression` param compresses request bodies (gzip, deflate, br, in the
 * order listed) and response bodies with a Content-Encoding of gzip/x-gzip/deflate/br are
 * decoded before the script sees them, as k6 does.
 */
import { nodeZlib } from '../../lazy-require.ts';

const encoders: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => nodeZlib().gzipSync(b),
  deflate: (b) => nodeZlib().deflateSync(b),
  br: (b) => nodeZlib().brotliCompressSync(b),
};

/** Parses the `compression` param ("gzip", "gzip, br", ["gzip"]); throws on an unknown coding. */
export function parseCompression(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
  const out = list.map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const c of out) if (!encoders[c]) throw new TypeError(`unsupported compression "${c}" (supported: gzip, deflate, br)`);
  return out;
}

export function compressBody(body: Buffer, codings: string[]): Buffer {
  let b = body;
  for (const c of codings) b = encoders[c]!(b);
  return b;
}

/** Decodes a response body per its Content-Encoding (codings applied in order, decoded in reverse). */
export function decodeBody(body: Buffer, contentEncoding: string | undefined): Buffer {
  if (!contentEncoding || body.length === 0) return body;
  const codings = contentEncoding.split(',').map((s) => s.trim().toLowerCase());
  let b = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const c = codings[i];
    if (c === 'gzip' || c === 'x-gzip') b = nodeZlib().gunzipSync(b);
    else if (c === 'deflate') {
      try {
        b = nodeZlib().inflateSync(b);
      } catch {
        b = nodeZlib().inflateRawSync(b); // some servers send raw deflate without the zlib wrapper
      }
    } else if (c === 'br') b = nodeZlib().brotliDecompressSync(b);
    else if (c === 'identity' || c === '') continue;
    else throw new Error(`unsupported Content-Encoding "${c}"`);
  }
  return b;
}
