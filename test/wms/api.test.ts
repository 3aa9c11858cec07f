// The target's API on each storage path: auth (401/400/429), cached inventory reads, orders that
// never oversell under concurrency, SQL-injection attempts, the report, uploads, health, metrics.
import { readdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PromSample as Sample, parsePrometheus, sumWhere } from '../../ops/shared/prometheus.ts';
import { signJwt } from '../../wms/auth/jwt.ts';
import { skuCacheKey } from '../../wms/inventory/routes.ts';
import { api, login, startTestTarget, storages, type TestTarget } from './helpers.ts';

describe.each(storages)('target API on %s', (storage) => {
  let t: TestTarget;
  let token: string;
  let uploadDir: string;

  beforeAll(async () => {
    uploadDir = await mkdtemp(path.join(os.tmpdir(), 'aetos-up-test-'));
    t = await startTestTarget(storage, { uploadDir, keepUploads: true, uploadLimitMb: 20 });
    token = await login(t.url);
  });
  afterAll(async () => {
    await t?.stopAll();
    await rm(uploadDir, { recursive: true, force: true });
  });

  it('login returns a token and the user; /me echoes it', async () => {
    const r = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Passw0rd!' }),
    });
    expect(r.status).toBe(200);
    const b = (await r.json()) as any;
    expect(b.expiresIn).toBe(3600);
    expect(b.user).toMatchObject({ username: 'admin', role: 'admin' });
    const me = await api(t.url, b.token, '/api/auth/me');
    expect(me.body).toEqual(b.user);
  });

  it('401: wrong password, unknown user, missing, forged and expired tokens', async () => {
    for (const body of [{ username: 'user0001', password: 'nope' }, { username: 'nobody', password: 'Passw0rd!' }]) {
      const r = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(401);
      expect(((await r.json()) as any).error).toBeTypeOf('string');
    }
    expect((await fetch(`${t.url}/api/inventory`)).status).toBe(401);
    expect((await api(t.url, token.slice(0, -2) + 'xx', '/api/inventory')).status).toBe(401);
    const forged = signJwt({ sub: 2, username: 'user0001', role: 'admin' }, 'not-the-secret', 3600);
    expect((await api(t.url, forged, '/api/auth/me')).status).toBe(401);
    const expired = signJwt({ sub: 2, username: 'user0001', role: 'user' }, t.ctx.config.jwtSecret, 60, Date.now() - 120_000);
    expect((await api(t.url, expired, '/api/auth/me')).status).toBe(401);
  });

  it('400: malformed bodies and parameters, never 500', async () => {
    const post = (body: string) => fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('{"username":')).status).toBe(400);
    expect((await post('{"username":"a"}')).status).toBe(400);
    expect((await post('{"username":1,"password":[]}')).status).toBe(400);
    expect((await api(t.url, token, '/api/inventory?page=0')).status).toBe(400);
    expect((await api(t.url, token, '/api/inventory?pageSize=abc')).status).toBe(400);
    expect((await api(t.url, token, '/api/orders', { method: 'POST', body: JSON.stringify({ lines: [] }) })).status).toBe(400);
    expect((await api(t.url, token, '/api/orders', { method: 'POST', body: JSON.stringify({ lines: [{ sku: 'SKU-000001', quantity: -1 }] }) })).status).toBe(400);
    expect((await api(t.url, token, '/api/orders/abc')).status).toBe(400);
    const big = await api(t.url, token, '/api/orders', { method: 'POST', body: JSON.stringify({ lines: [], pad: 'x'.repeat(1_100_000) }) });
    expect(big.status).toBe(413);
  });

  it('429 with Retry-After past the per-user limit; login is limited per username', async () => {
    t.ctx.config.rateLimitPerMinute = 5;
    try {
      const other = await login(t.url, 'user0002');
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await api(t.url, other, '/api/auth/me')).status);
      expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const r = await api(t.url, other, '/api/auth/me');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another user on the same address is not limited by user0002's traffic.
      expect((await api(t.url, await login(t.url, 'user0003'), '/api/auth/me')).status).toBe(200);
      const logins: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user0004', password: 'x' }) });
        logins.push(res.status);
      }
      expect(logins.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(logins.slice(5)).toEqual([429, 429]);
    } finally {
      t.ctx.config.rateLimitPerMinute = 0;
    }
  });

  it('inventory: MISS then HIT with Server-Timing; list filters and paging; 404', async () => {
    const a = await api(t.url, token, '/api/inventory/SKU-000042');
    const b = await api(t.url, token, '/api/inventory/SKU-000042');
    expect(a.status).toBe(200);
    expect(a.headers.get('x-cache')).toBe('MISS');
    expect(b.headers.get('x-cache')).toBe('HIT');
    expect(b.body).toEqual(a.body);
    // a hit is the stored JSON text, sent as it was stored: the same type as a miss
    for (const r of [a, b]) expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(a.headers.get('server-timing')).toMatch(/^db;dur=\d+\.\d{3}, cache;dur=\d+\.\d{3}$/);
    expect(b.headers.get('server-timing')).toMatch(/^db;dur=0\.000, cache;dur=\d+\.\d{3}$/);
    expect(a.body).toMatchObject({ sku: 'SKU-000042', name: 'Item 42' });
    expect(a.body.available).toBe(a.body.quantity - a.body.reserved);
    const list = await api(t.url, token, '/api/inventory?page=2&pageSize=10');
    expect(list.body).toMatchObject({ page: 2, pageSize: 10, total: 100 });
    const listHit = await api(t.url, token, '/api/inventory?page=2&pageSize=10');
    expect([list.headers.get('x-cache'), listHit.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
    expect(listHit.body).toEqual(list.body);
    expect(list.body.items.map((i: any) => i.sku)[0]).toBe('SKU-000011');
    const loc = await api(t.url, token, '/api/inventory?location=A-01&pageSize=500');
    expect(loc.body.total).toBe(10);
    expect(loc.body.items.every((i: any) => i.location.startsWith('A-01-'))).toBe(true);
    const min = await api(t.url, token, '/api/inventory?minQty=400&pageSize=500');
    expect(min.body.items.every((i: any) => i.available >= 400)).toBe(true);
    expect((await api(t.url, token, '/api/inventory/SKU-999999')).status).toBe(404);
  });

  it('inventory reads whatever way the cache answers: at once, by a promise, by failing (a miss served from the database)', async () => {
    const cache = t.ctx.cache as { get: (key: string) => unknown };
    const own = Object.hasOwn(cache, 'get') ? cache.get : undefined; // the Redis cache's get is its own property
    const sku = 'SKU-000043';
    const miss = await api(t.url, token, `/api/inventory/${sku}`);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const text = JSON.stringify(miss.body); // what the miss stored
    const ways: [string, (key: string) => unknown, string][] = [
      ['the value at once', (k) => (k === skuCacheKey(sku) ? text : null), 'HIT'],
      ['a promise of the value', (k) => Promise.resolve(k === skuCacheKey(sku) ? text : null), 'HIT'],
      ['a promise of nothing', () => Promise.resolve(null), 'MISS'],
      ['a rejected promise', () => Promise.reject(new Error('cache down')), 'MISS'],
      ['a throw', () => {
        throw new Error('cache down');
      }, 'MISS'],
      ['nothing at once', () => null, 'MISS'],
    ];
    try {
      for (const [way, get, xCache] of ways) {
        cache.get = get;
        const r = await api(t.url, token, `/api/inventory/${sku}`);
        expect([way, r.status, r.headers.get('x-cache'), r.body]).toEqual([way, 200, xCache, miss.body]);
        expect(r.headers.get('server-timing')).toMatch(/^db;dur=\d+\.\d{3}, cache;dur=\d+\.\d{3}$/);
        const gone = await api(t.url, token, '/api/inventory/SKU-999998');
        expect([gone.status, gone.body]).toEqual([404, { error: 'sku not found', sku: 'SKU-999998' }]);
      }
    } finally {
      if (own) cache.get = own;
      else delete (cache as { get?: unknown }).get;
    }
  });

  it('SQL injection in query, path and body fields: 400 or empty results, nothing changed', async () => {
    const before = (await t.ctx.db.query('t', 'SELECT count(*)::int n, sum(reserved)::int r FROM stock')).rows[0];
    const users = (await t.ctx.db.query('t', 'SELECT count(*)::int n FROM users')).rows[0];
    const s = await api(t.url, token, `/api/inventory?search=${encodeURIComponent("' OR 1=1; DROP TABLE stock; --")}`);
    expect(s.status).toBe(200);
    expect(s.body.total).toBe(0);
    expect((await api(t.url, token, `/api/inventory?location=${encodeURIComponent("A' OR '1'='1")}`)).status).toBe(400);
    expect((await api(t.url, token, `/api/inventory/${encodeURIComponent("SKU-000001' OR '1'='1")}`)).status).toBe(400);
    expect((await api(t.url, token, `/api/orders?status=${encodeURIComponent("reserved' OR 1=1--")}`)).status).toBe(400);
    const o = await api(t.url, token, '/api/orders', { method: 'POST', body: JSON.stringify({ lines: [{ sku: "x'; UPDATE stock SET quantity=0; --", quantity: 1 }] }) });
    expect(o.status).toBe(400);
    const l = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: "admin' --", password: "' OR '1'='1" }) });
    expect(l.status).toBe(401);
    expect((await t.ctx.db.query('t', 'SELECT count(*)::int n, sum(reserved)::int r FROM stock')).rows[0]).toEqual(before);
    expect((await t.ctx.db.query('t', 'SELECT count(*)::int n FROM users')).rows[0]).toEqual(users);
  });

  it('50 concurrent orders on a SKU with stock 10: exactly 10 succeed, stock never negative', async () => {
    await t.ctx.db.query('t', `UPDATE stock SET quantity = 10, reserved = 0 WHERE sku = 'SKU-000077'`);
    await api(t.url, token, '/api/inventory/SKU-000077'); // warm the cache so invalidation is exercised
    const tokens = await Promise.all(Array.from({ length: 5 }, (_, i) => login(t.url, `user000${i + 5}`)));
    const res = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api(t.url, tokens[i % 5], '/api/orders', { method: 'POST', body: JSON.stringify({ lines: [{ sku: 'SKU-000077', quantity: 1 }] }) }),
      ),
    );
    const codes = res.map((r) => r.status);
    expect(codes.filter((c) => c === 201)).toHaveLength(10);
    expect(codes.filter((c) => c === 409)).toHaveLength(40);
    expect(res.find((r) => r.status === 409)!.body).toEqual({ error: 'insufficient stock', sku: 'SKU-000077' });
    const row = (await t.ctx.db.query('t', `SELECT quantity, reserved FROM stock WHERE sku = 'SKU-000077'`)).rows[0];
    expect(row).toEqual({ quantity: 10, reserved: 10 });
    const after = await api(t.url, token, '/api/inventory/SKU-000077');
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.body.available).toBe(0);
    const ok = res.find((r) => r.status === 201)!;
    expect(ok.body).toMatchObject({ status: 'reserved', lines: [{ sku: 'SKU-000077', quantity: 1 }] });
    expect(ok.headers.get('server-timing')).toMatch(/db;dur=/);
  });

  it('orders: get own order, 404 for others and unknown, list by status; multi-line order is atomic', async () => {
    const mine = await api(t.url, token, '/api/orders', { method: 'POST', body: JSON.stringify({ lines: [{ sku: 'SKU-000003', quantity: 1 }, { sku: 'SKU-000002', quantity: 2 }] }) });
    expect(mine.status).toBe(201);
    const got = await api(t.url, token, `/api/orders/${mine.body.id}`);
    expect(got.body).toMatchObject({ id: mine.body.id, status: 'reserved', lines: [{ sku: 'SKU-000002', quantity: 2 }, { sku: 'SKU-000003', quantity: 1 }] });
    const other = await login(t.url, 'user0010');
    expect((await api(t.url, other, `/api/orders/${mine.body.id}`)).status).toBe(404);
    expect((await api(t.url, token, '/api/orders/999999')).status).toBe(404);
    const list = await api(t.url, token, '/api/orders?status=reserved');
    expect(list.body.items.some((o: any) => o.id === mine.body.id)).toBe(true);
    expect(list.body.items.every((o: any) => o.status === 'reserved')).toBe(true);
    const before = (await t.ctx.db.query('t', `SELECT reserved FROM stock WHERE sku = 'SKU-000004'`)).rows[0].reserved;
    const fail = await api(t.url, token, '/api/orders', { method: 'POST', body: JSON.stringify({ lines: [{ sku: 'SKU-000004', quantity: 1 }, { sku: 'SKU-000005', quantity: 100000 }] }) });
    expect(fail.status).toBe(409);
    expect((await t.ctx.db.query('t', `SELECT reserved FROM stock WHERE sku = 'SKU-000004'`)).rows[0].reserved).toBe(before);
    expect((await api(t.url, token, '/api/orders', { method: 'POST', body: JSON.stringify({ lines: [{ sku: 'SKU-424242', quantity: 1 }] }) })).status).toBe(404);
  });

  it('stock-summary aggregates every SKU by zone and location', async () => {
    const r = await api(t.url, token, '/api/reports/stock-summary');
    expect(r.status).toBe(200);
    expect(r.headers.get('server-timing')).toMatch(/db;dur=/);
    const sum = (await t.ctx.db.query('t', 'SELECT sum(quantity)::int q, sum(reserved)::int r FROM stock')).rows[0];
    expect(r.body.totals).toMatchObject({ skus: 100, quantity: sum.q, reserved: sum.r });
    expect(r.body.zones.reduce((a: number, z: any) => a + z.skus, 0)).toBe(100);
    expect(r.body.totals.ordered).toBeGreaterThan(0);
  });

  it('uploads: 10 MB gets the right hash; 25 MB gets 413 and leaves nothing behind', async () => {
    const ten = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < ten.length; i += 4096) ten[i] = i % 251;
    const fd = new FormData();
    fd.append('file', new Blob([ten]), 'ten.bin');
    const r = await fetch(`${t.url}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: fd });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ filename: 'ten.bin', size: ten.length, sha256: createHash('sha256').update(ten).digest('hex') });
    const kept = await readdir(uploadDir);
    expect(kept).toHaveLength(1);
    expect((await stat(path.join(uploadDir, kept[0]))).size).toBe(ten.length);
    await rm(path.join(uploadDir, kept[0]));

    const fd2 = new FormData();
    fd2.append('file', new Blob([Buffer.alloc(25 * 1024 * 1024)]), 'big.bin');
    let status = 0;
    try {
      const r2 = await fetch(`${t.url}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: fd2 });
      status = r2.status;
      await r2.text();
    } catch (e) {
      status = -1; // the server may close the socket while the client still sends; checked below
    }
    expect(status).toBe(413);
    await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(uploadDir)).toEqual([]);
    const none = await fetch(`${t.url}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(400);
  });

  it('GET / is HTML; health is ok; metrics has the contract names', async () => {
    const home = await fetch(`${t.url}/`);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await home.text()).toContain('AetosWMS');
    const h = await fetch(`${t.url}/api/health`);
    expect(h.status).toBe(200);
    const hb = (await h.json()) as any;
    expect(hb).toMatchObject({ status: 'ok', checks: { database: { status: 'up' }, cache: { status: 'up' } } });
    expect(hb.memory.rssBytes).toBeGreaterThan(0);
    const m = await (await fetch(`${t.url}/metrics`)).text();
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'cache_hits_total', 'cache_misses_total', 'cache_hit_ratio', 'target_leaked_bytes'])
      expect(m).toMatch(new RegExp(`^${name} `, 'm'));
    expect(m).toMatch(/^http_request_duration_seconds_bucket\{.*method="GET",route="\/api\/inventory\/:sku",status_code="200"/m);
    expect(m).toMatch(/^http_requests_total\{.*\} \d+/m);
    expect(m).toMatch(/^db_query_duration_seconds_bucket\{.*query="inventory_item"/m);
  });

  it('http_requests_total counts each answer once, per route and status, scrape after scrape', async () => {
    const scrape = async () => parsePrometheus(await (await fetch(`${t.url}/metrics`)).text());
    const health = (s: Sample[], name: string) => sumWhere(s, name, (l) => l.route === '/api/health' && l.status_code === '200') ?? 0;
    const before = await scrape();
    for (let i = 0; i < 3; i++) await fetch(`${t.url}/api/health`);
    const after = await scrape();
    expect(health(after, 'http_requests_total') - health(before, 'http_requests_total')).toBe(3);
    // the counter is the duration histogram's count, label set by label set
    const counts = after.filter((x) => x.name === 'http_request_duration_seconds_count');
    expect(counts.length).toBeGreaterThan(2);
    const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).sort());
    for (const c of counts) expect(sumWhere(after, 'http_requests_total', (l) => key(l) === key(c.labels))).toBe(c.value);
    expect(after.filter((x) => x.name === 'http_requests_total').length).toBe(counts.length);
  });
});
