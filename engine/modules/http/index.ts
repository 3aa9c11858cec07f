/**
 * The engine's `k6/http` module: one instance per VU (ModuleFactory), on undici.
 * This first cut provides `get`/`request` and k6's response shape so the module registry can
 * import it; the full module (all functions, timings, cookies, batch, metrics) follows.
 */
import { Agent, request as undiciRequest } from 'undici';
import type { ModuleFactory, VuContext } from '../../types.ts';

export const httpModule: ModuleFactory = (vu: VuContext) => {
  const agent = new Agent();
  vu.on('close', () => agent.close());
  async function request(method: string, url: string, body?: unknown, params?: { headers?: Record<string, string> }) {
    const t0 = performance.now();
    const res = await undiciRequest(url, {
      method,
      dispatcher: agent,
      headers: params?.headers,
      body: typeof body === 'string' ? body : undefined,
    });
    const text = await res.body.text();
    const duration = performance.now() - t0;
    vu.emit('http_reqs', 1, { method, url, name: url, status: String(res.statusCode) });
    vu.emit('http_req_duration', duration, { method, url, name: url, status: String(res.statusCode) });
    return { status: res.statusCode, body: text, headers: res.headers, url, timings: { duration } };
  }
  const get = (url: string, params?: { headers?: Record<string, string> }) => request('GET', url, null, params);
  const mod = { get, request };
  return { ...mod, default: mod };
};
