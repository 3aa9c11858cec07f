/**
 * Benchmark of the measurement layer's hot path and accuracy: ns per sample for a trend in the
 * collector (one HTTP request's worth of built-in samples, with the expected_response sub-metric),
 * drain + merge cost, delta size, and percentile error vs k6's exact rule on 10^6 samples.
 * Run: npx tsx bench/metrics-collector.ts
 */
import { createCollector, MetricsStore } from '../engine/metrics/index.ts';
import { TrendHistogram } from '../engine/metrics/histogram.ts';

function lcg(seed: number) {
  let x = seed;
  return () => (x = (x * 16807) % 2147483647) / 2147483647;
}

// 1) one HTTP request = 9 samples (8 trends/counter/rate) + sub-metric, 10^6 requests
{
  const r = lcg(1);
  const c = createCollector({ thresholds: { 'http_req_duration{name:login}': ['p(95)<500'] } });
  const store = new MetricsStore({ thresholds: { 'http_req_duration{name:login}': ['p(95)<500'] } });
  const tags = { scenario: 'default', group: '', method: 'GET', name: 'http://127.0.0.1/x', url: 'http://127.0.0.1/x', status: '200', expected_response: 'true', proto: 'HTTP/1.1' };
  const N = 1_000_000;
  let drainMs = 0;
  let deltaBytes = 0;
  let drains = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const d = -20 * Math.log(1 - r());
    const t = 1_700_000_000_000 + i;
    c.add('http_reqs', 1, tags, t);
    c.add('http_req_duration', d, tags, t);
    c.add('http_req_blocked', 0.002, tags, t);
    c.add('http_req_connecting', 0, tags, t);
    c.add('http_req_tls_handshaking', 0, tags, t);
    c.add('http_req_sending', 0.01, tags, t);
    c.add('http_req_waiting', d * 0.9, tags, t);
    c.add('http_req_receiving', d * 0.1, tags, t);
    c.add('http_req_failed', 0, tags, t);
    if (i % 10_000 === 9_999) {
      const s = performance.now();
      const delta = c.drain();
      deltaBytes += JSON.stringify(delta).length;
      store.merge(structuredClone(delta));
      drainMs += performance.now() - s;
      drains++;
    }
  }
  const total = performance.now() - t0;
  console.log(`collector: ${((total - drainMs) * 1e6 / N).toFixed(0)} ns per request (9 samples + sub-metrics), ${(((total - drainMs) * 1e6) / (N * 9)).toFixed(0)} ns per sample`);
  console.log(`drain+clone+merge: ${(drainMs / drains).toFixed(2)} ms per drain of 10^4 requests; delta ~${Math.round(deltaBytes / drains / 1024)} kB as JSON`);
}

// 2) percentile accuracy, 10^6 exponential samples
{
  const r = lcg(7);
  const N = 1_000_000;
  const v = new Float64Array(N);
  const h = new TrendHistogram();
  for (let i = 0; i < N; i++) {
    v[i] = -100 * Math.log(1 - r());
    h.add(v[i] as number);
  }
  v.sort();
  let worst = 0;
  for (const p of [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999]) {
    const rank = p * (N - 1);
    const lo = Math.floor(rank);
    const exact = (v[lo] as number) + ((v[Math.ceil(rank)] as number) - (v[lo] as number)) * (rank - lo);
    worst = Math.max(worst, Math.abs(h.percentile(p) - exact) / exact);
  }
  console.log(`percentiles (exponential, 10^6): worst relative error ${(worst * 100).toFixed(4)} %`);
}
