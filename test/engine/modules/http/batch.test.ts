/**
 * http.batch: array and object forms, every request shape, and the batch / batchPerHost limits
 * measured by the fixture's concurrency counter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './fixture-server.ts';
import { closeAll, load } from './harness.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await closeAll();
  await fx.close();
});

describe('http.batch', () => {
  it('array form with url, [method, url, body, params] and {method, url, body, params}; responses in order', async () => {
    const { http, vu } = load();
    const res = await http.batch([
      `${fx.url}/concurrent?id=a`,
      ['POST', `${fx.url}/echo`, 'arr-body', { tags: { kind: 'array' } }],
      { method: 'PUT', url: `${fx.url}/echo`, body: 'obj-body', params: { headers: { 'X-K': 'v' } } },
      http.url`${fx.url}/concurrent?id=${'t'}`,
    ]);
    expect(res).toHaveLength(4);
    expect(res[0].body).toBe('a');
    expect(res[1].json()).toMatchObject({ method: 'POST', body: 'arr-body' });
    expect(res[2].json()).toMatchObject({ method: 'PUT', body: 'obj-body' });
    expect(res[2].json().headers['x-k']).toBe('v');
    expect(res[3].body).toBe('t');
    expect(vu.of('http_reqs').some((s) => s.tags.kind === 'array')).toBe(true);
  });

  it('object form returns an object with the same keys', async () => {
    const { http } = load();
    const res = await http.batch({ one: `${fx.url}/concurrent?id=1`, two: { method: 'GET', url: `${fx.url}/concurrent?id=2` } });
    expect(Object.keys(res)).toEqual(['one', 'two']);
    expect(res.one.body).toBe('1');
    expect(res.two.body).toBe('2');
  });

  it('runs requests in parallel up to batchPerHost (default 6) per host', async () => {
    const { http } = load();
    fx.resetConcurrent();
    const res = await http.batch(Array.from({ length: 12 }, (_, i) => `${fx.url}/concurrent?ms=100&id=${i}`));
    expect(res.map((r: { body: string }) => r.body)).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    expect(fx.maxConcurrent()).toBe(6); // parallel (the fixture counts requests in flight), never more than 6
  });

  it('at most 20 requests at once by default (batch), even when batchPerHost would allow more', async () => {
    // four host names mapped to the fixture: 4 × 6 per host = 24 > 20
    const names = ['a.test', 'b.test', 'c.test', 'd.test'];
    const { http } = load({ hosts: Object.fromEntries(names.map((n) => [n, '127.0.0.1'])) });
    fx.resetConcurrent();
    const res = await http.batch(
      Array.from({ length: 28 }, (_, i) => `http://${names[i % 4]}:${fx.port}/concurrent?ms=200&id=${i}`),
    );
    expect(res.map((r: { body: string }) => r.body)).toEqual(Array.from({ length: 28 }, (_, i) => String(i)));
    expect(fx.maxConcurrent()).toBe(20);
  });

  it('batch option caps total parallelism; batchPerHost option caps per host', async () => {
    const a = load({ batch: 3, batchPerHost: 0 });
    fx.resetConcurrent();
    await a.http.batch(Array.from({ length: 9 }, () => `${fx.url}/concurrent?ms=40`));
    expect(fx.maxConcurrent()).toBe(3);
    const b = load({ batchPerHost: 2 });
    fx.resetConcurrent();
    await b.http.batch(Array.from({ length: 6 }, () => `${fx.url}/concurrent?ms=40`));
    expect(fx.maxConcurrent()).toBe(2);
  });

  it('a failing request gives a status-0 response in its slot; bad shapes are one clear error', async () => {
    const { http } = load();
    const res = await http.batch([`${fx.url}/echo`, 'http://127.0.0.1:1/']);
    expect(res[0].status).toBe(200);
    expect(res[1].status).toBe(0);
    expect(res[1].error_code).toBe(1212);
    await expect(http.batch([42])).rejects.toThrow(/request 0 must be a URL, an array or an object/);
    await expect(http.batch([{ method: 'GET' }])).rejects.toThrow(/request 0 has no url/);
  });
});
