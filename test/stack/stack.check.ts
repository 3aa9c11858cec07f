/**
 * Assertions on the running compose stack (test/stack/run.sh brings it up, runs the smoke scenario
 * through nginx with --out experimental-prometheus-rw, and passes the addresses in STACK_*):
 * nginx spreads requests over the replicas, Prometheus scrapes all three targets and holds the
 * run's k6_* series with counts equal to the run's summary, and every Grafana panel's PromQL
 * returns data from that real Prometheus (Grafana itself cannot run here).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promQuery } from '../engine/outputs/tsdb-servers.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through \`npm run test:stack\` (test/stack/run.sh)`);
  return v;
};
const prom = env('STACK_PROMETHEUS_URL');
const nginx = env('STACK_NGINX_URL');
const testid = env('STACK_TESTID');
// `load` writes k6's --summary-export (legacy format: a metric's values sit on the metric itself)
const summary = JSON.parse(readFileSync(env('STACK_SUMMARY'), 'utf8')) as { metrics: Record<string, Record<string, number>> };

/** Polls a PromQL query until it has a result (scrapes every 5 s; remote write every 1 s). */
async function eventually(query: string, ms = 30_000): Promise<{ metric: Record<string, string>; value: number }[]> {
  const until = Date.now() + ms;
  for (;;) {
    const r = await promQuery(prom, query);
    if (r.length > 0 || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 1000));
  }
}

describe('the compose stack', () => {
  it('nginx answers from more than one of the 3 target replicas', async () => {
    const upstreams = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${nginx}/api/health`);
      expect(res.status).toBe(200);
      upstreams.add(res.headers.get('x-upstream') ?? '');
      await res.arrayBuffer();
    }
    expect([...upstreams].filter(Boolean).length, [...upstreams].join(' ')).toBeGreaterThan(1);
  });

  it('Prometheus scrapes all three replicas, and the smoke run reached more than one', async () => {
    const up = await eventually('sum(up{job="wms"}) == 3');
    expect(up, 'three wms targets up').toHaveLength(1);
    // Requests other than health checks and scrapes came through nginx from the smoke run.
    const byReplica = await eventually('sum by (instance) (http_requests_total{job="wms", route!~"/api/health|/metrics"}) > 0');
    expect(byReplica.length, JSON.stringify(byReplica)).toBeGreaterThan(1);
  });

  it("Prometheus holds the run's k6_* series, counts equal to its summary", async () => {
    const sel = `{testid="${testid}"}`;
    const reqs = await eventually(`sum(last_over_time(k6_http_reqs_total${sel}[10m]))`);
    expect(summary.metrics.http_reqs?.count).toBeGreaterThan(0);
    expect(reqs[0]?.value).toBe(summary.metrics.http_reqs?.count);
    const its = await eventually(`sum(last_over_time(k6_iterations_total${sel}[10m]))`);
    expect(its[0]?.value).toBe(summary.metrics.iterations?.count);
    expect(await eventually(`k6_http_req_duration_p99${sel}`)).not.toHaveLength(0);
    expect(await eventually(`last_over_time(k6_vus${sel}[10m])`)).not.toHaveLength(0);
  });

  const dashboards = join(import.meta.dirname, '../../docker/grafana/dashboards');
  for (const file of readdirSync(dashboards).filter((f) => f.endsWith('.json'))) {
    const dash = JSON.parse(readFileSync(join(dashboards, file), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    for (const panel of dash.panels) {
      for (const t of panel.targets) {
        it(`Grafana ${file} "${panel.title}": ${t.expr}`, async () => {
          const expr = t.expr
            .replace(/\$__rate_interval|\$__interval/g, '5m')
            .replace(/testid=~"\$testid"/g, `testid=~"${testid}"`);
          expect(expr).not.toContain('$');
          const r = await eventually(expr);
          expect(r.length, `${expr} returned no data`).toBeGreaterThan(0);
        });
      }
    }
  }
});
