/**
 * Benchmark of the measurement layer's hot path and accuracy: ns per request in the collector
 * (one HTTP request's worth of built-in samples, with the expected_response sub-metric) without
 * outputs, with the report's per-second timeline and with raw samples; drain + clone + merge cost,
 * delta size, and percentile error vs k6's exact rule on 10^6 samples.
 * Run: npx tsx bench/metrics-collector.ts
 */
import { createCollector, MetricsStore } from '../engine/metrics/index.ts';
import { TrendHistogram } from '../engine/metrics/histogram.ts';
import { RunRecorder } from '../report/recorder.ts';

function lcg(seed: number) {
  let x = seed;
  return () => (x = (x * 16807) % 2147483647) / 2147483647;
}

// 1) one HTTP request = 9 samples (8 trends/counter/rate) + sub-metric, per collector mode, in
//    interleaved rounds: no outputs; the report's timeline (per-second aggregates, what `load`
//    uses now); raw samples (what the report used before, and what --out json/csv still use).
//    Each drain is cloned (the worker → main postMessage) and merged into the store and, for the
//    timeline and samples modes, into the report's recorder (the main thread's share).
type Mode = 'plain' | 'timeline' | 'samples';
function collectorRun(mode: Mode, N: number) {
  const r = lcg(1);
  const thresholds = { 'http_req_duration{name:login}': ['p(95)<500'] };
  const c = createCollector({ thresholds, keepTimeline: mode === 'timeline', keepSamples: mode === 'samples' });
  const store = new MetricsStore({ thresholds });
  const recorder = new RunRecorder();
  const tags = { scenario: 'default', group: '', method: 'GET', name: 'http://127.0.0.1/x', url: 'http://127.0.0.1/x', status: '200', expected_response: 'true', proto: 'HTTP/1.1' };
  let drainMs = 0;
  let deltaBytes = 0;
  let drains = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const d = -20 * Math.log(1 - r());
    const t = 1_700_000_000_000 + i / 10; // 10 requests per ms: 10^4 per second
    c.add('http_reqs', 1, tags, t);
    c.add('http_req_duration', d, tags, t);
    c.add('http_req_blocked', 0.002, tags, t);
    c.add('http_req_connecting', 0, tags, t);
    c.add('http_req_tls_handshaking', 0, tags, t);
    c.add('http_req_sending', 0.01, tags, t);
    c.add('http_req_waiting', d * 0.9, tags, t);
    c.add('http_req_receiving', d * 0.1, tags, t);
    c.add('http_req_failed', 0, tags, t);
    if (i % 5_000 === 4_999) {
      // a 500 ms delta at 10^4 requests/s
      const s = performance.now();
      const delta = structuredClone(c.drain());
      store.merge(delta);
      if (delta.timeline) recorder.addTimeline(delta.timeline);
      if (delta.samples) recorder.addSamples(delta.samples);
      drainMs += performance.now() - s;
      deltaBytes += JSON.stringify(delta).length;
      drains++;
    }
  }
  const total = performance.now() - t0;
  return { addNs: ((total - drainMs) * 1e6) / N, drainMs: drainMs / drains, deltaKb: deltaBytes / drains / 1024, totalNs: (total * 1e6) / N };
}
{
  const rounds = 3;
  const N = 200_000;
  const acc: Record<Mode, ReturnType<typeof collectorRun>[]> = { plain: [], timeline: [], samples: [] };
  for (let k = 0; k < rounds; k++) for (const m of ['plain', 'timeline', 'samples'] as Mode[]) acc[m].push(collectorRun(m, N));
  const mean = (m: Mode, f: (x: ReturnType<typeof collectorRun>) => number) => acc[m].reduce((a, x) => a + f(x), 0) / rounds;
  for (const m of ['plain', 'timeline', 'samples'] as Mode[]) {
    console.log(
      `collector ${m.padEnd(8)}: ${mean(m, (x) => x.addNs).toFixed(0)} ns per request (9 samples) in the worker; ` +
        `drain+clone+merge ${mean(m, (x) => x.drainMs).toFixed(2)} ms per 500 ms delta of 5,000 requests, delta ~${Math.round(mean(m, (x) => x.deltaKb))} kB; ` +
        `${mean(m, (x) => x.totalNs).toFixed(0)} ns per request in all`,
    );
  }
  console.log(
    `timeline / samples: ${(mean('timeline', (x) => x.totalNs) / mean('samples', (x) => x.totalNs)).toFixed(2)} × the CPU per request, ` +
      `${(mean('timeline', (x) => x.deltaKb) / mean('samples', (x) => x.deltaKb)).toFixed(3)} × the bytes per delta; timeline / plain ${(mean('timeline', (x) => x.totalNs) / mean('plain', (x) => x.totalNs)).toFixed(2)} ×`,
  );
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
