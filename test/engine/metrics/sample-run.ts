/**
 * A realistic run's metrics for summary and output tests: samples fed through a real collector
 * into a real store (HTTP in two groups, checks that pass and fail, a custom counter and trend,
 * vus, data), with thresholds of which some pass and some are crossed.
 */
import { createCollector, MetricsStore } from '../../../engine/metrics/index.ts';
import type { Collector, MetricsDelta, SummaryData } from '../../../engine/metrics/index.ts';

export const sampleThresholds = {
  http_req_duration: ['p(95)<500', 'avg<90'],
  'http_req_duration{name:login}': ['max<1000'],
  http_req_failed: ['rate<0.2'],
  checks: [{ threshold: 'rate>0.99', abortOnFail: false }],
  orders_created: ['count>10'],
};

export const T0 = Date.UTC(2026, 10, 28, 15, 0, 0);

export function feedRun(c: Collector, n = 200): void {
  c.define('orders_created', 'counter');
  c.define('cart_time', 'trend', 'time');
  for (let i = 0; i < n; i++) {
    const t = T0 + i * 50;
    const login = i % 5 === 0;
    const group = login ? '::auth' : '::shop::cart';
    const status = i % 10 === 9 ? '500' : '200';
    const tags = {
      scenario: 'default',
      group,
      method: login ? 'POST' : 'GET',
      name: login ? 'login' : 'http://127.0.0.1:1234/cart',
      url: login ? 'http://127.0.0.1:1234/login' : 'http://127.0.0.1:1234/cart',
      status,
      proto: 'HTTP/1.1',
      expected_response: status === '200' ? 'true' : 'false',
      custom: 'x,"y"',
    };
    c.add('http_reqs', 1, tags, t);
    c.add('http_req_duration', 20 + (i % 50) * 3.1, tags, t);
    c.add('http_req_waiting', 18 + (i % 50) * 3, tags, t);
    c.add('http_req_blocked', i === 0 ? 1.2 : 0.004, tags, t);
    c.add('http_req_failed', status === '500' ? 1 : 0, tags, t);
    c.add('checks', status === '200' ? 1 : 0, { scenario: 'default', group, check: 'status is 200' }, t);
    c.add('checks', 1, { scenario: 'default', group: '', check: 'body has items' }, t);
    c.add('group_duration', 25 + (i % 7), { scenario: 'default', group }, t);
    c.add('data_sent', 180, { scenario: 'default' }, t);
    c.add('data_received', 15_300, { scenario: 'default' }, t);
    c.add('iterations', 1, { scenario: 'default' }, t);
    c.add('iteration_duration', 60 + (i % 9), { scenario: 'default' }, t);
    if (i % 20 === 0) c.add('orders_created', 1, { scenario: 'default' }, t);
    c.add('cart_time', 1.5 + (i % 4), { scenario: 'default' }, t);
    if (i % 10 === 0) {
      c.add('vus', 5 + (i % 3), {}, t);
      c.add('vus_max', 10, {}, t);
    }
  }
}

export function sampleRun(opts: { keepSamples?: boolean; n?: number } = {}): { store: MetricsStore; delta: MetricsDelta; data: SummaryData } {
  const c = createCollector({ thresholds: sampleThresholds, keepSamples: opts.keepSamples });
  feedRun(c, opts.n);
  const delta = c.drain();
  const store = new MetricsStore({ thresholds: sampleThresholds });
  store.merge(delta);
  store.validate();
  const data = store.summaryData({ testRunDurationMs: 10_000, setupData: { token: 'abc' }, isStdOutTTY: false, isStdErrTTY: true });
  return { store, delta, data };
}
