/**
 * One timed HTTP request against the deployment under watch. Both the health check and the
 * monitor measure through this, so "response time" means the same thing in both: from sending
 * the request to the last byte of the body, on a kept-alive loopback or remote connection.
 * Network failures never throw: they come back as `{ reached: false, error }`. A request that
 * does not complete (body included) within its timeout is a failure; a body is read up to
 * `maxBodyBytes` only.
 */
import { request } from 'undici';

export interface ProbeResult {
  /** An HTTP response arrived (any status). False on refused, reset, DNS failure or timeout. */
  reached: boolean;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Request start to end of body, ms. On failure: until the failure. */
  ms: number;
  /** Short reason when not reached, e.g. "connect ECONNREFUSED 127.0.0.1:1" or "timed out after 10000 ms". */
  error?: string;
}

export interface ProbeOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  /** JSON-encoded when an object. */
  body?: unknown;
  timeoutMs?: number;
  /** Aborts the request early (e.g. the monitor stopping); reported as "aborted". */
  signal?: AbortSignal;
}

/** A body larger than this is cut (the rest is not read): an endless body must not fill the memory. */
export const maxBodyBytes = 1024 * 1024;

export async function probe(url: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { 'user-agent': 'aetos-load-ops', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const start = performance.now();
  // Our own timer for the whole exchange (connect, headers, body), not AbortSignal.timeout: a
  // signal nothing else references can be collected with its timer, and then a server that
  // accepts and never answers held a poll forever.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onOuterAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onOuterAbort);
  try {
    if (opts.signal?.aborted) throw new Error('aborted');
    const res = await request(url, {
      method: opts.method ?? 'GET',
      headers,
      body,
      signal: controller.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await readBounded(res.body, maxBodyBytes);
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
    return { reached: true, status: res.statusCode, headers: flat, body: text, ms: performance.now() - start };
  } catch (err) {
    const error = opts.signal?.aborted ? 'aborted' : timedOut ? `timed out after ${timeoutMs} ms` : describeError(err, timeoutMs);
    return { reached: false, status: 0, headers: {}, body: '', ms: performance.now() - start, error };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Reads at most `limit` bytes of a body as UTF-8, then stops reading (the connection is dropped). */
async function readBounded(stream: AsyncIterable<Buffer | Uint8Array> & { destroy?(): void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.from(chunk);
    if (size + b.length > limit) {
      chunks.push(b.subarray(0, limit - size));
      stream.destroy?.();
      break;
    }
    chunks.push(b);
    size += b.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One short line for a network error (undici wraps the socket error in `cause`). */
export function describeError(err: unknown, timeoutMs?: number): string {
  const e = err as Error & { code?: string; cause?: Error & { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT')
    return `timed out after ${timeoutMs ?? '?'} ms`;
  const inner = e?.cause ?? e;
  const msg = inner?.message || String(err);
  return msg.split('\n')[0];
}

/** Parses a JSON body, or undefined when it is not JSON. */
export function jsonBody<T = unknown>(r: ProbeResult): T | undefined {
  try {
    return JSON.parse(r.body) as T;
  } catch {
    return undefined;
  }
}

/** Joins a base URL and an absolute path ("/api/health"), keeping any path prefix of the base. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}
