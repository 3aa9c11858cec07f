// The target's own request histogram must read on /metrics exactly as prom-client's Histogram
// would: the same lines, bucket for bucket, for the same observations (boundaries, +Inf, escaping).
import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestHistogram } from '../../wms/metrics/request-histogram.ts';

const buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const observations: [string, string, number, number][] = [
  ['GET', '/api/inventory/:sku', 200, 0.0007],
  ['GET', '/api/inventory/:sku', 200, 0.001], // on a boundary: counted in le="0.001"
  ['GET', '/api/inventory/:sku', 200, 0.003],
  ['POST', '/api/orders', 201, 0.2],
  ['GET', 'unmatched', 404, 12], // above every bucket: +Inf only
  ['GET', '/a "q"\\x\n', 500, 0.05], // label values that need escaping
];

function both() {
  const theirs = new client.Registry();
  const h = new client.Histogram({ name: 'd', help: 'help "x"', labelNames: ['method', 'route', 'status_code'], buckets, registers: [theirs] });
  const ours = new client.Registry();
  const r = new RequestHistogram('d', 'help "x"', buckets).register(ours);
  for (const [method, route, status, s] of observations) {
    h.observe({ method, route, status_code: String(status) }, s);
    r.observe(method, route, status, s);
  }
  return { theirs, ours, r };
}

describe('RequestHistogram', () => {
  it('reads on /metrics line for line as prom-client Histogram does, and as JSON', async () => {
    const { theirs, ours } = both();
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('d_bucket{le="0.001",method="GET",route="/api/inventory/:sku",status_code="200"} 2');
    expect(text).toContain('d_bucket{le="+Inf",method="GET",route="unmatched",status_code="404"} 1');
    expect(text).toContain('d_bucket{le="10",method="GET",route="unmatched",status_code="404"} 0');
    // as JSON too, but for prom-client's `exemplar: null` on each bucket (exemplars are off)
    const withoutExemplar = (ms: any[]) => ms.map((m) => ({ ...m, values: m.values.map(({ exemplar, ...v }: any) => v) }));
    expect(await ours.getMetricsAsJSON()).toEqual(withoutExemplar(await theirs.getMetricsAsJSON()));
  });

  it('is emptied by the registry reset', async () => {
    const { ours, r } = both();
    ours.resetMetrics();
    expect((await r.get()).values).toEqual([]);
    r.observe('GET', '/x', 200, 0.002);
    expect((await r.get()).values.filter((v) => v.metricName === 'd_count')).toEqual([{ labels: { method: 'GET', route: '/x', status_code: '200' }, value: 1, metricName: 'd_count' }]);
  });
});
