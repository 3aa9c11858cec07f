/**
 * `http.batch(requests)`: requests in parallel, at most `batch` (default 20) at once and at most
 * `batchPerHost` (default 6) per host; an array gives an array of responses, an object an object
 * with the same keys. Each request is a URL, [method, url, body, params] or
 * {method, url, body, params}.
 */
import type { HttpClient } from './client.ts';
import type { Response } from './response.ts';
import { TaggedUrl } from './tagged-url.ts';

interface BatchItem {
  key: string | number;
  method: string;
  url: unknown;
  body: unknown;
  params: unknown;
  host: string;
}

function hostOf(url: unknown): string {
  const s = url instanceof TaggedUrl ? url.url : String(url);
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(s);
  return m ? m[1]!.toLowerCase() : s;
}

function toItem(key: string | number, req: unknown): BatchItem {
  if (typeof req === 'string' || req instanceof TaggedUrl || req instanceof URL)
    return { key, method: 'GET', url: req, body: null, params: undefined, host: hostOf(req) };
  if (Array.isArray(req)) {
    const [method, url, body, params] = req;
    if (url === undefined) throw new TypeError(`http.batch: request ${JSON.stringify(key)} must be [method, url, body?, params?]`);
    return { key, method: String(method ?? 'GET'), url, body, params, host: hostOf(url) };
  }
  if (req && typeof req === 'object') {
    const o = req as { method?: unknown; url?: unknown; body?: unknown; params?: unknown };
    if (o.url === undefined) throw new TypeError(`http.batch: request ${JSON.stringify(key)} has no url`);
    return { key, method: String(o.method ?? 'GET'), url: o.url, body: o.body, params: o.params, host: hostOf(o.url) };
  }
  throw new TypeError(`http.batch: request ${JSON.stringify(key)} must be a URL, an array or an object`);
}

export async function runBatch(client: HttpClient, requests: unknown): Promise<Response[] | Record<string, Response>> {
  if (!requests || typeof requests !== 'object') throw new TypeError('http.batch: requests must be an array or an object');
  const isArray = Array.isArray(requests);
  const items: BatchItem[] = isArray
    ? (requests as unknown[]).map((r, i) => toItem(i, r))
    : Object.entries(requests as Record<string, unknown>).map(([k, r]) => toItem(k, r));
  const results: (Response | undefined)[] = new Array(items.length);
  const limit = client.batchLimit > 0 ? client.batchLimit : items.length;
  const perHost = client.batchPerHost > 0 ? client.batchPerHost : Infinity;
  const running = new Map<string, number>();
  let active = 0;
  let next = 0;
  const started = new Array<boolean>(items.length).fill(false);

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    let done = 0;
    if (items.length === 0) return resolve();
    const pump = () => {
      for (let i = next; i < items.length && active < limit; i++) {
        if (started[i]) continue;
        const it = items[i]!;
        if ((running.get(it.host) ?? 0) >= perHost) continue;
        started[i] = true;
        active++;
        running.set(it.host, (running.get(it.host) ?? 0) + 1);
        client.request(it.method, it.url, it.body, it.params).then(
          (res) => {
            results[i] = res;
            active--;
            running.set(it.host, running.get(it.host)! - 1);
            if (++done === items.length) resolve();
            else if (!failed) pump();
          },
          (err) => {
            failed = true;
            reject(err);
          },
        );
      }
      while (next < items.length && started[next]) next++;
    };
    pump();
  });

  if (isArray) return results as Response[];
  const out: Record<string, Response> = {};
  items.forEach((it, i) => (out[it.key as string] = results[i]!));
  return out;
}
