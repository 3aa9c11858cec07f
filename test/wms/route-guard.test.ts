// Authorization by structure: every route fastify registered is requested with no token, with a
// user's token and through percent-encoded and otherwise disguised forms of its path, with the
// crash fault as the body. Before the scopes, `/%61pi/admin/faults {"crash":true}` answered 200 with
// no token and the process exited; `/%61pi/inventory` served data to anyone. A route added later
// is walked too, so it cannot be left open by accident: only the public list below may answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, rawRequest, startTestTarget, storages, type TestTarget } from './helpers.ts';

/** Routes meant to answer without a token (the public scope, and login). */
const isPublic = (url: string) =>
  ['/', '/metrics', '/openapi.json', '/api/auth/login', '/api/health', '/api/health/live', '/api/health/ready'].includes(url) ||
  // the web UI's shells and assets (wms/frontend/): they hold no data, which comes from /api with the token
  ['/inventory', '/orders', '/item/:sku', '/assets/:file'].includes(url) ||
  url === '/docs' ||
  url.startsWith('/docs/');
const isAdmin = (url: string) => url.startsWith('/api/admin/');

/** A concrete path for a route pattern. */
function concrete(url: string): string {
  return url
    .replace(/:sku\b/, 'SKU-000001')
    .replace(/:id\b/, '1')
    .replace(/:[A-Za-z]+/g, 'x')
    .replace(/\*$/, 'index.html');
}

/** The path, and forms of it a router might still match: each segment's first letter %-encoded (lower and upper hex), the whole path encoded, and shapes routers treat specially. */
function disguises(path: string): string[] {
  const segs = path.split('/');
  const out = new Set<string>([path]);
  const enc = (c: string, upper: boolean) => {
    const h = c.charCodeAt(0).toString(16);
    return `%${upper ? h.toUpperCase() : h}`;
  };
  segs.forEach((s, i) => {
    if (!s) return;
    for (const upper of [false, true]) out.add([...segs.slice(0, i), enc(s[0]!, upper) + s.slice(1), ...segs.slice(i + 1)].join('/'));
  });
  out.add(segs.map((s) => [...s].map((c) => enc(c, false)).join('')).join('/'));
  out.add(`/${path}`); // duplicate slash
  out.add(`${path}/`); // trailing slash
  out.add(path.replace(/^\/api\//, '/api/./')); // dot segment
  out.add(path.replace(/^\/api\//, '/x/../api/'));
  out.add(path.replace(/^\/api\//, '/api%2f'));
  out.add(`${path};x=1`);
  out.add(`${path}?__proto__=1`);
  return [...out];
}

describe.each(storages)('route guard on %s', (storage) => {
  let t: TestTarget;
  let user: string;
  let crashes = 0;

  beforeAll(async () => {
    t = await startTestTarget(storage, { onCrash: () => crashes++ });
    user = await login(t.url);
  });
  afterAll(async () => {
    await t?.stopAll();
  });

  it('every non-public route refuses a request without a token, in every disguise; admin routes refuse a user token', async () => {
    const routes = t.routes.filter((r) => r.method !== 'OPTIONS');
    expect(routes.length).toBeGreaterThan(10);
    const guarded = routes.filter((r) => !isPublic(r.url));
    expect(guarded.map((r) => r.url)).toEqual(expect.arrayContaining(['/api/inventory', '/api/admin/faults', '/api/orders', '/api/uploads']));
    const failures: string[] = [];
    for (const r of guarded) {
      const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : JSON.stringify({ crash: true, lines: [{ sku: 'SKU-000001', quantity: 1 }] });
      for (const path of disguises(concrete(r.url))) {
        const anon = await rawRequest(t.url, r.method, path, {}, body);
        // 401/403: the gate; 404: the disguise routes nowhere; 400: the path is not even valid HTTP.
        if (![400, 401, 403, 404].includes(anon.status)) failures.push(`${r.method} ${path} without a token: ${anon.status} ${anon.body.slice(0, 80)}`);
        if (isAdmin(r.url)) {
          const asUser = await rawRequest(t.url, r.method, path, { authorization: `Bearer ${user}` }, body);
          if (![400, 401, 403, 404].includes(asUser.status)) failures.push(`${r.method} ${path} with a user token: ${asUser.status} ${asUser.body.slice(0, 80)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(crashes).toBe(0);
    // The faults were never changed by any of it.
    expect(t.ctx.faults.snapshot()).toMatchObject({ latencyMs: 0, errorRate: 0, slowQueryMs: 0, leakMbPerMin: 0, dbOutageSeconds: 0 });
  });

  it('every user route answers a user token without 401/403 or a 5xx; the admin token opens admin routes', async () => {
    const failures: string[] = [];
    for (const r of t.routes.filter((x) => !isPublic(x.url) && x.method !== 'OPTIONS')) {
      const path = concrete(r.url);
      const headers: Record<string, string> = isAdmin(r.url) ? { 'x-admin-token': t.adminToken } : { authorization: `Bearer ${user}` };
      const body = r.method === 'POST' ? (isAdmin(r.url) ? '{}' : JSON.stringify({ lines: [{ sku: 'SKU-000001', quantity: 1 }] })) : undefined;
      const res = await rawRequest(t.url, r.method, path, headers, body);
      if ([401, 403].includes(res.status) || res.status >= 500) failures.push(`${r.method} ${path}: ${res.status} ${res.body.slice(0, 80)}`);
    }
    expect(failures).toEqual([]);
  });

  it('public routes answer without a token, and the public list holds nothing under /api but login and health', async () => {
    for (const r of t.routes.filter((x) => isPublic(x.url) && x.method === 'GET')) {
      const res = await rawRequest(t.url, 'GET', concrete(r.url));
      expect(res.status, `GET ${r.url}`).toBeLessThan(500);
      expect([401, 403], `GET ${r.url}`).not.toContain(res.status);
    }
    const publicApi = t.routes.filter((r) => isPublic(r.url) && r.url.startsWith('/api/')).map((r) => r.url);
    expect(new Set(publicApi)).toEqual(new Set(['/api/auth/login', '/api/health', '/api/health/live', '/api/health/ready']));
  });
});
