/**
 * Collectors and the store: built-ins pre-declared, define conflicts, sub-metrics by tag
 * containment (plus expected_response:true), checks per (group, name), deltas that survive
 * structured cloning, and the D4 promise — two collectors' merged deltas equal one collector fed
 * every sample.
 */
import { describe, expect, it } from 'vitest';
import { builtinMetrics, createCollector, MetricsStore } from '../../../engine/metrics/index.ts';
import type { Collector } from '../../../engine/metrics/index.ts';

const thresholds = {
  'http_req_duration{name:login}': ['p(95)<500'],
  'http_req_duration{name:login,method:POST}': ['max<900'],
  'my_rate{kind:a}': ['rate>0.1'],
};

function feed(c: Collector, i: number): void {
  const login = i % 4 === 0;
  const tags = { name: login ? 'login' : 'list', method: i % 8 === 0 ? 'POST' : 'GET', expected_response: i % 10 === 0 ? 'false' : 'true', scenario: 'default' };
  c.add('http_req_duration', (i % 997) + 0.25, tags, 1_000 + i);
  c.add('http_reqs', 1, tags, 1_000 + i);
  c.add('http_req_failed', i % 10 === 0 ? 1 : 0, tags, 1_000 + i);
  c.add('vus', i % 50, {}, 1_000 + i);
  c.add('my_rate', i % 3 === 0 ? 1 : 0, { kind: i % 2 ? 'a' : 'b' }, 1_000 + i);
  c.add('checks', i % 7 === 0 ? 0 : 1, { check: 'status is 200', group: i % 2 ? '::shop::cart' : '' }, 1_000 + i);
  c.add('checks', 1, { check: 'body ok', group: '::shop' }, 1_000 + i);
  c.add('group_duration', 3 + (i % 5), { group: '::shop::cart' }, 1_000 + i);
  c.add('data_received', 1000 + i, {}, 1_000 + i);
}

function storeOf(...deltas: unknown[]): MetricsStore {
  const s = new MetricsStore({ thresholds });
  s.define('my_rate', 'rate');
  for (const d of deltas) s.merge(d);
  return s;
}

describe('collector', () => {
  it('pre-declares every k6 built-in with its type and contains', () => {
    const c = createCollector();
    const defs = c.definitions();
    for (const name of ['vus', 'vus_max', 'iterations', 'iteration_duration', 'dropped_iterations', 'checks', 'group_duration', 'data_sent', 'data_received', 'http_reqs', 'http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_failed']) {
      expect(defs.get(name), name).toEqual(builtinMetrics[name]);
    }
    expect(defs.get('http_req_duration')).toEqual({ type: 'trend', contains: 'time' });
    expect(defs.get('data_sent')).toEqual({ type: 'counter', contains: 'data' });
    expect(defs.get('checks')).toEqual({ type: 'rate', contains: 'default' });
    expect(defs.get('vus')).toEqual({ type: 'gauge', contains: 'default' });
  });

  it('define is idempotent for the same type and throws on a conflict', () => {
    const c = createCollector();
    c.define('x_total', 'counter');
    c.define('x_total', 'counter');
    expect(() => c.define('x_total', 'trend')).toThrow("metric 'x_total' already exists but with type counter, instead of trend");
    expect(() => c.define('http_reqs', 'gauge')).toThrow(/already exists/);
    expect(() => c.add('never_declared', 1, {})).toThrow(/not declared/);
  });

  it('delta: new definitions once, only metrics with samples, then empty', () => {
    const c = createCollector();
    c.define('my_trend', 'trend', 'time');
    c.add('my_trend', 5, {});
    const d1 = c.drain();
    expect(d1.defs).toEqual([['my_trend', 'trend', 'time']]);
    expect(d1.metrics.map(([k]) => k)).toEqual(['my_trend']);
    expect(d1.samples).toBeUndefined();
    const d2 = c.drain();
    expect(d2).toEqual({ v: 1, defs: [], metrics: [], checks: [], groups: [] });
  });

  it('keepSamples hands raw samples over once', () => {
    const c = createCollector({ keepSamples: true });
    c.add('http_reqs', 1, { status: '200' }, 123);
    c.add('vus', 3, {}, 124);
    expect(c.drain().samples).toEqual([
      { metric: 'http_reqs', time: 123, value: 1, tags: { status: '200' } },
      { metric: 'vus', time: 124, value: 3, tags: {} },
    ]);
    expect(c.drain().samples).toEqual([]);
  });

  it('NaN samples are dropped', () => {
    const c = createCollector();
    c.add('http_reqs', Number.NaN, {});
    expect(c.drain().metrics).toEqual([]);
  });

  it('addMany records what add would, sample by sample, with one list resolved once and any list after it', () => {
    const opts = { thresholds, keepSamples: true, keepTimeline: true };
    const many = createCollector(opts);
    const one = createCollector(opts);
    const hop = ['http_reqs', 'http_req_duration', 'http_req_waiting', 'http_req_failed'];
    const iteration = ['iterations', 'iteration_duration'];
    const others = [['data_sent', 'data_received'], ['vus'], ['http_req_blocked'], ['http_req_sending', 'http_req_receiving'], ['group_duration']];
    for (let i = 0; i < 200; i++) {
      const tags = { name: i % 4 === 0 ? 'login' : 'list', method: i % 8 === 0 ? 'POST' : 'GET', expected_response: i % 10 === 0 ? 'false' : 'true' };
      // the list may carry more names than values (http_req_failed is absent without a response callback)
      const values = i % 3 === 0 ? [1, 10 + (i % 97), 9 + (i % 89)] : [1, 10 + (i % 97), 9 + (i % 89), i % 10 === 0 ? 1 : 0];
      many.addMany(hop, values, tags, 5_000 + i);
      for (let k = 0; k < values.length; k++) one.add(hop[k]!, values[k]!, tags, 5_000 + i);
      if (i % 5 === 0) {
        many.addMany(iteration, [1, Number.NaN], {}, 5_000 + i); // NaN dropped as add drops it
        one.add('iterations', 1, {}, 5_000 + i);
      }
      // more lists than the collector remembers, in turn: each is resolved again when it comes back
      const other = others[i % others.length]!;
      many.addMany(other, other.map((_, k) => i + k), tags, 5_000 + i);
      other.forEach((name, k) => one.add(name, i + k, tags, 5_000 + i));
    }
    const a = many.drain();
    const b = one.drain();
    expect(a.metrics).toEqual(b.metrics);
    expect(a.samples).toEqual(b.samples);
    expect(a.timeline).toEqual(b.timeline);
    expect(a.metrics.map(([k]) => k)).toContain('http_req_duration{name:login,method:POST}');
    expect(() => many.addMany(['http_reqs', 'never_declared'], [1, 2], {})).toThrow(/'never_declared' was not declared/);
  });
});

describe('sub-metrics and checks', () => {
  it('aggregates thresholds sub-metrics by tag containment and expected_response:true', () => {
    const c = createCollector({ thresholds });
    c.define('my_rate', 'rate');
    for (let i = 0; i < 1000; i++) feed(c, i);
    const s = storeOf(c.drain());
    const count = (k: string) => (s.aggregate(k) as unknown as { samples: number }).samples;
    expect(count('http_req_duration')).toBe(1000);
    expect(count('http_req_duration{name:login}')).toBe(250);
    expect(count('http_req_duration{name:login,method:POST}')).toBe(125);
    expect(count('http_req_duration{expected_response:true}')).toBe(900);
    expect(count('my_rate{kind:a}')).toBe(500);
  });

  it('counts checks per (group path, name) and builds the group tree', () => {
    const c = createCollector();
    c.define('my_rate', 'rate');
    for (let i = 0; i < 70; i++) feed(c, i);
    const data = storeOf(c.drain()).summaryData({ testRunDurationMs: 1000 });
    const root = data.root_group;
    expect(root.checks.map((x) => [x.name, x.passes, x.fails])).toEqual([['status is 200', 30, 5]]);
    const shop = root.groups[0];
    expect(shop?.name).toBe('shop');
    expect(shop?.path).toBe('::shop');
    expect(shop?.checks.map((x) => [x.path, x.passes, x.fails])).toEqual([['::shop::body ok', 70, 0]]);
    const cart = shop?.groups[0];
    expect(cart?.path).toBe('::shop::cart');
    expect(cart?.checks.map((x) => [x.path, x.passes, x.fails])).toEqual([['::shop::cart::status is 200', 30, 5]]);
    expect(data.metrics.checks?.values).toEqual({ rate: 130 / 140, passes: 130, fails: 10 });
  });
});

describe('merge (D4): two collectors equal one collector fed all samples', () => {
  it('values, thresholds and checks match exactly (gauges keep the newest sample by time)', () => {
    const one = createCollector({ thresholds });
    const a = createCollector({ thresholds });
    const b = createCollector({ thresholds });
    for (const c of [one, a, b]) c.define('my_rate', 'rate');
    const deltasA: unknown[] = [];
    const deltasB: unknown[] = [];
    for (let i = 0; i < 20_000; i++) {
      feed(one, i);
      feed(i % 3 === 0 ? a : b, i);
      if (i % 5000 === 4999) {
        deltasA.push(structuredClone(a.drain()));
        deltasB.push(structuredClone(b.drain()));
      }
    }
    deltasA.push(structuredClone(a.drain()));
    deltasB.push(structuredClone(b.drain()));
    const single = storeOf(one.drain()).summaryData({ testRunDurationMs: 20_000, summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99.9)', 'count'] });
    const merged = storeOf(...deltasA, ...deltasB).summaryData({ testRunDurationMs: 20_000, summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99.9)', 'count'] });
    expect(Object.keys(merged.metrics).sort()).toEqual(Object.keys(single.metrics).sort());
    for (const [name, m] of Object.entries(single.metrics)) {
      const got = merged.metrics[name];
      expect(got?.type).toBe(m.type);
      expect(got?.thresholds).toEqual(m.thresholds);
      for (const [k, v] of Object.entries(m.values)) {
        expect(got?.values[k], `${name}.${k}`).toBeCloseTo(v, 9);
      }
    }
    expect(merged.root_group).toEqual(single.root_group);
  });
});
