/**
 * --out experimental-prometheus-rw against the real Prometheus from Debian (remote-write receiver
 * on loopback): a 3 s run's series are queried back and compared with its end-of-test summary —
 * k6_http_reqs_total equals the request count, the k6_http_req_duration_* stats equal the summary's
 * (one series: one URL), k6_vus and the --tag testid label are there; the same with native
 * histograms. A dead remote end costs samples (counted, logged once) but neither the verdict nor
 * the run's end: that part needs no Prometheus. Skips with a message when `prometheus` is missing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../engine/errors.ts';
import { createLogger } from '../../../engine/log.ts';
import { TrendHistogram } from '../../../engine/metrics/histogram.ts';
import { nativeBucketIndex, PrometheusRwOutput, prometheusRwConfig, staleNaN, trendStatSuffix } from '../../../engine/outputs/prometheus-rw.ts';
import { RemoteWriter } from '../../../engine/outputs/remote-writer.ts';
import { root, runCli } from '../cli/run-cli.ts';
import { findBinary, freePort, promQuery, startPrometheus, type RunningServer } from './tsdb-servers.ts';

const script = join(root, 'test/fixtures/outputs/steady-get.js');
const prometheusBin = findBinary('prometheus', 'PROMETHEUS_BIN');
if (!prometheusBin) console.warn('prometheus-rw: SKIPPED the Prometheus round trip: no `prometheus` binary (apt-get install prometheus, or set PROMETHEUS_BIN)');

let target: Server;
let baseUrl = '';
const dirs: string[] = [];

beforeAll(async () => {
  target = createServer((_req, res) => setTimeout(() => res.end('{"ok":true}'), 2));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => target.close(r));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Summary {
  metrics: Record<string, Record<string, number> & { values?: Record<string, number> }>;
}
async function run(env: Record<string, string>, testid: string, extra: string[] = []): Promise<{ summary: Summary; stderr: string; code: number | null; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'aetos-prw-'));
  dirs.push(dir);
  const t0 = Date.now();
  const r = await runCli(['--out', 'experimental-prometheus-rw', ...extra, '--tag', `testid=${testid}`, '--summary-export', join(dir, 's.json'), '--no-color', script], {
    BASE_URL: baseUrl,
    DURATION: '2s',
    K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
    ...env,
  });
  const ms = Date.now() - t0;
  expect(r.code, r.stderr).toBe(0);
  return { summary: JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as Summary, stderr: r.stderr, code: r.code, ms };
}

describe('prometheus-rw settings', () => {
  it('reads k6 environment names, with k6 defaults', () => {
    const c = prometheusRwConfig({});
    expect(c).toMatchObject({ url: 'http://localhost:9090/api/v1/write', pushIntervalMs: 5000, trendStats: ['p(99)'], nativeHistogram: false, staleMarkers: false });
    const d = prometheusRwConfig({
      K6_PROMETHEUS_RW_SERVER_URL: 'http://127.0.0.1:9/api/v1/write',
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '250ms',
      K6_PROMETHEUS_RW_TREND_STATS: 'p(95), p(99.9),avg,count',
      K6_PROMETHEUS_RW_USERNAME: 'u',
      K6_PROMETHEUS_RW_PASSWORD: 'p',
      K6_PROMETHEUS_RW_HEADERS_X_Scope_OrgID: 'team-a',
      K6_PROMETHEUS_RW_HTTP_HEADERS: 'X-A:1,X-B: 2',
      K6_PROMETHEUS_RW_STALE_MARKERS: 'true',
    });
    expect(d.pushIntervalMs).toBe(250);
    expect(d.trendStats.map(trendStatSuffix)).toEqual(['p95', 'p999', 'avg', 'count']);
    expect(d.headers).toEqual({ Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`, X_Scope_OrgID: 'team-a', 'X-A': '1', 'X-B': '2' });
    expect(d.staleMarkers).toBe(true);
    expect(prometheusRwConfig({ K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY: 'true' }).insecure).toBe(true);
  });
  it.each([
    [{ K6_PROMETHEUS_RW_SERVER_URL: 'localhost:9090' }, 'K6_PROMETHEUS_RW_SERVER_URL: "localhost:9090" is not an http(s) URL'],
    [{ K6_PROMETHEUS_RW_TREND_STATS: 'p(99),p95' }, 'K6_PROMETHEUS_RW_TREND_STATS: "p95" is not a trend stat'],
    [{ K6_PROMETHEUS_RW_PUSH_INTERVAL: 'soon' }, 'K6_PROMETHEUS_RW_PUSH_INTERVAL'],
    [{ K6_PROMETHEUS_RW_STALE_MARKERS: 'maybe' }, 'K6_PROMETHEUS_RW_STALE_MARKERS: "maybe" is not a boolean'],
  ])('%j → ConfigError', (env, message) => {
    expect(() => prometheusRwConfig(env)).toThrow(ConfigError);
    expect(() => prometheusRwConfig(env)).toThrow(message);
  });
  it('stale marker bits and native bucket bounds', () => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(staleNaN);
    expect(b.toString('hex')).toBe('7ff0000000000002');
    // schema 3: bucket i holds (2^((i-1)/8), 2^(i/8)]
    expect(nativeBucketIndex(1)).toBe(0);
    expect(nativeBucketIndex(2)).toBe(8);
    expect(nativeBucketIndex(1.05)).toBe(1);
    expect(nativeBucketIndex(0.5)).toBe(-8);
  });
});

describe('the remote writer (both outputs deliver through it)', () => {
  it('a remote end that never answers: the queue stays bounded, every sample is counted, one error line', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer(() => {}); // accepts, never answers
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    const w = new RemoteWriter({
      name: 'test-output',
      url: `http://127.0.0.1:${(silent.address() as { port: number }).port}/write`,
      headers: {},
      maxQueuedSamples: 10,
      concurrency: 1,
      timeoutMs: 300,
      log: createLogger({ write: (l) => lines.push(l) }),
    });
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) w.enqueue({ body: 'x', samples: 4 }); // 1 in flight, 20 queued > 10
    expect(w.dropped).toBe(12); // the three oldest queued batches went at once
    await w.drain(2000);
    // drain keeps its limit instead of waiting on the dead end; the slack is for a loaded machine,
    // where the limit's own timer fires late (3.7 s once in CI beside the other suites)
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(w.dropped + w.sent).toBe(24);
    expect(w.sent).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('test-output: could not write to');
    expect(lines[0]).toContain('more than 10 samples waiting');
    expect(w.report()).toMatch(/^test-output: 24 of 24 samples were dropped/);
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('a refusing remote end: its status and answer are in the one error line', async () => {
    const refusing = createServer((_q, res) => {
      res.statusCode = 400;
      res.end('out of order sample');
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    const w = new RemoteWriter({ name: 'rw', url: `http://127.0.0.1:${(refusing.address() as { port: number }).port}/`, headers: {}, maxQueuedSamples: 100, concurrency: 2, timeoutMs: 5000, log: createLogger({ write: (l) => lines.push(l) }) });
    for (let i = 0; i < 3; i++) w.enqueue({ body: 'x', samples: 2 });
    await w.drain(5000);
    expect(w.dropped).toBe(6);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('HTTP 400 out of order sample');
    await new Promise((r) => refusing.close(r));
  });
});

describe('a dead remote end (both time-series outputs in one run)', () => {
  it('costs samples, counted and logged once per output, never the verdict or the end of the run', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/api/v1/write`;
    const deadInflux = `http://127.0.0.1:${await freePort()}`;
    const { summary, stderr, ms } = await run(
      { K6_PROMETHEUS_RW_SERVER_URL: dead, K6_PROMETHEUS_RW_PUSH_INTERVAL: '200ms', K6_INFLUXDB_PUSH_INTERVAL: '200ms', DURATION: '1s' },
      'dead',
      ['--out', `influxdb=${deadInflux}/k6`],
    );
    expect(summary.metrics.http_reqs?.count).toBeGreaterThan(0);
    const errors = stderr.split('\n').filter((l) => l.includes(`experimental-prometheus-rw: could not write to ${dead}`));
    expect(errors, stderr).toHaveLength(1);
    expect(errors[0]).toContain('ECONNREFUSED');
    expect(stderr).toMatch(/experimental-prometheus-rw: \d+ of \d+ samples were dropped \(first error: ECONNREFUSED\)/);
    expect(stderr).toContain(`influxdb: could not create database k6 at ${deadInflux}: ECONNREFUSED`);
    expect(stderr.split('\n').filter((l) => l.includes(`influxdb: could not write to ${deadInflux}/write`))).toHaveLength(1);
    expect(stderr).toMatch(/influxdb: \d+ of \d+ samples were dropped \(first error: ECONNREFUSED\)/);
    // 1 s of test plus start-up; a remote end that never answered would hold stop() for at most the
    // drain deadline (6 s), not forever. The bound is loose: runs take 30 s on an overloaded machine.
    expect(ms).toBeLessThan(50_000);
  });
});

describe.skipIf(!prometheusBin)('against a real Prometheus', () => {
  let prom: RunningServer;
  beforeAll(async () => {
    prom = await startPrometheus(prometheusBin as string);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
  });

  it('k6 names, the testid label, counts and stats equal to the summary, stale markers at the end', async () => {
    const testid = `rw-${process.pid}`;
    const { summary } = await run(
      { K6_PROMETHEUS_RW_SERVER_URL: `${prom.url}/api/v1/write`, K6_PROMETHEUS_RW_TREND_STATS: 'p(99),p(95),med,min,max,count', K6_PROMETHEUS_RW_STALE_MARKERS: 'true' },
      testid,
    );
    const m = summary.metrics;
    const sel = `{testid="${testid}"}`;
    // Stale markers ended every series at the end of the run: nothing is current any more, and a
    // range selector (which skips stale markers) still reads the last values.
    expect(await promQuery(prom.url, `k6_http_reqs_total${sel}`)).toEqual([]);
    const one = async (q: string) => {
      const r = await promQuery(prom.url, q.replace(/(k6_\w+)\{testid="[^"]+"\}/, `last_over_time($1${sel}[5m])`));
      expect(r, `${q} → ${JSON.stringify(r)}\n${prom.output()}`).toHaveLength(1);
      return r[0]!.value;
    };
    expect(await one(`sum(k6_http_reqs_total${sel})`)).toBe(m.http_reqs!.count);
    expect(await one(`sum(k6_iterations_total${sel})`)).toBe(m.iterations!.count);
    expect(await one(`sum(k6_data_received_total${sel})`)).toBe(m.data_received!.count);
    // one series per trend: its stats are the summary's (same histogram)
    const series = await promQuery(prom.url, `last_over_time(k6_http_req_duration_p99${sel}[5m])`);
    expect(series).toHaveLength(1);
    expect(series[0]!.metric).toMatchObject({ testid, method: 'GET', status: '200', url: `${baseUrl}/item`, scenario: 'steady' });
    expect(await one(`k6_http_req_duration_count${sel}`)).toBe(m.http_reqs!.count);
    for (const [stat, suffix] of [['p(99)', 'p99'], ['p(95)', 'p95'], ['med', 'med'], ['min', 'min'], ['max', 'max']] as const) {
      expect(await one(`k6_http_req_duration_${suffix}${sel}`), stat).toBeCloseTo(m.http_req_duration![stat] as number, 6);
    }
    expect(await one(`k6_http_req_failed_rate${sel}`)).toBe(0);
    // the last value of k6_vus may be the 0 after the ramp-down (a slow machine flushes late): the most over the run
    const vus = await promQuery(prom.url, `max(max_over_time(k6_vus${sel}[5m]))`);
    expect(vus).toHaveLength(1);
    expect(vus[0]!.value).toBeGreaterThan(0);
    expect(await one(`max(k6_vus_max${sel})`)).toBe(5);
  });

  it('native histograms: k6_http_req_duration_seconds, count equal, p99 within a bucket', async () => {
    // Fed straight into the output (no engine run needed): 1000 known durations, 0.5 … 500 ms.
    const testid = `rw-native-${process.pid}`;
    const out = new PrometheusRwOutput(
      prometheusRwConfig({ K6_PROMETHEUS_RW_SERVER_URL: `${prom.url}/api/v1/write`, K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true' }),
      createLogger({ write: (l) => expect.fail(l) }),
    );
    await out.start({ definition: (n) => (n === 'http_req_duration' ? { type: 'trend', contains: 'time' } : undefined), thresholds: [] });
    const exact = new TrendHistogram();
    const now = Date.now();
    const samples = Array.from({ length: 1000 }, (_, i) => ({ metric: 'http_req_duration', time: now, value: (i + 1) / 2, tags: { testid, name: 'x' } }));
    for (const s of samples) exact.add(s.value);
    out.addSamples(samples);
    await out.stop();
    expect(out.counts).toEqual({ sent: 1, dropped: 0 });
    const sel = `{testid="${testid}"}`;
    const q = async (expr: string) => {
      const r = await promQuery(prom.url, expr);
      if (r.length !== 1) throw new Error(`${expr} → ${JSON.stringify(r)}\n${prom.output()}`);
      return r[0]!.value;
    };
    expect(await q(`histogram_count(k6_http_req_duration_seconds${sel})`)).toBe(1000);
    expect(await q(`histogram_sum(k6_http_req_duration_seconds${sel})`)).toBeCloseTo(exact.sum / 1000, 6);
    const p99 = (await q(`histogram_quantile(0.99, k6_http_req_duration_seconds${sel})`)) * 1000;
    // schema 3: a bucket spans 9 %; interpolation stays inside the bucket that holds p99
    expect(p99).toBeGreaterThan(exact.percentile(0.99) / 1.1);
    expect(p99).toBeLessThan(exact.percentile(0.99) * 1.1);
  });
});
