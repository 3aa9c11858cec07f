/**
 * The engine's `k6/http` module (DESIGN D3): `httpModule` is called once per VU with its
 * VuContext and returns k6/http's exports, the default export under `default`. Every request
 * function returns a Promise (the loader awaits calls that block in k6); asyncRequest is
 * tracked with vu.track so the iteration waits for it. Parts: client.ts (requests, redirects,
 * cookies, responses), transport.ts (per-VU undici Agent, timings), body.ts, batch.ts, …
 */
import type { ModuleFactory, VuContext } from '../../types.ts';
import { runBatch } from './batch.ts';
import { file, FileData } from './body.ts';
import { HttpClient, HttpRequestError } from './client.ts';
import { CookieJar } from './cookies.ts';
import { asResponseCallback, expectedStatuses } from './expected.ts';
import { Response } from './response.ts';
import { url } from './tagged-url.ts';
import { warmTransportBeforeIterations } from './warm.ts';
import { moduleExports } from '../module-exports.ts';

export { HttpClient, HttpRequestError, CookieJar, FileData, Response };

export const httpModule: ModuleFactory = (vu: VuContext) => {
  // once per thread: the transport's first-connection costs are paid before the first iteration
  warmTransportBeforeIterations();
  const client = new HttpClient(vu);
  const api = {
    get: (u: unknown, params?: unknown) => client.request('GET', u, null, params),
    head: (u: unknown, params?: unknown) => client.request('HEAD', u, null, params),
    post: (u: unknown, body?: unknown, params?: unknown) => client.request('POST', u, body, params),
    put: (u: unknown, body?: unknown, params?: unknown) => client.request('PUT', u, body, params),
    patch: (u: unknown, body?: unknown, params?: unknown) => client.request('PATCH', u, body, params),
    del: (u: unknown, body?: unknown, params?: unknown) => client.request('DELETE', u, body, params),
    options: (u: unknown, body?: unknown, params?: unknown) => client.request('OPTIONS', u, body, params),
    request: (method: unknown, u: unknown, body?: unknown, params?: unknown) => client.request(method, u, body, params),
    asyncRequest: (method: unknown, u: unknown, body?: unknown, params?: unknown) =>
      vu.track(client.request(method, u, body, params)),
    batch: (requests: unknown) => runBatch(client, requests),
    file,
    url,
    cookieJar: () => client.jar,
    CookieJar,
    expectedStatuses,
    setResponseCallback: (cb: unknown) => {
      client.responseCallback = asResponseCallback(cb, 'http.setResponseCallback');
    },
    TLS_1_0: 'tls1.0',
    TLS_1_1: 'tls1.1',
    TLS_1_2: 'tls1.2',
    TLS_1_3: 'tls1.3',
    OCSP_STATUS_GOOD: 'good',
    OCSP_STATUS_REVOKED: 'revoked',
    OCSP_STATUS_SERVER_FAILED: 'server_failed',
    OCSP_STATUS_UNKNOWN: 'unknown',
  };
  return moduleExports(api);
};
