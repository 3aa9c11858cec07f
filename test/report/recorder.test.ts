// The report's data path without a browser: the collectors' per-second aggregates (timeline) →
// RunRecorder buckets → HtmlOutput's file; no raw sample is kept for it.
// A simulated 20-minute run stays under 2 MB with ≤ 600 points per series and the summary's exact
// end-of-test numbers; the embedded JSON cannot close its <script> tag.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector, MetricsStore } from '../../engine/metrics/index.ts';
import { extractPageData, jsonForScript } from '../../report/html.ts';
import type { ReportData } from '../../report/data.ts';
import { HtmlOutput } from '../../report/outputs.ts';
import { MAX_POINTS, RunRecorder } from '../../report/recorder.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'aetos-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('RunRecorder', () => {
  it('buckets per second, closes a bucket 1 s after it ends, rates per second', () => {
    const r = new RunRecorder();
    const t0 = 1_700_000_000_000;
    for (let s = 0; s < 5; s++) {
      for (let k = 0; k < 10; k++) {
        const t = t0 + s * 1000 + k * 100;
        r.addSamples([
          { metric: 'http_reqs', time: t, value: 1, tags: { name: 'a', scenario: 'x' } },
          { metric: 'http_req_duration', time: t, value: 10 + s, tags: { name: 'a', scenario: 'x' } },
          { metric: 'http_req_failed', time: t, value: k === 0 ? 1 : 0, tags: { name: 'a', status: '503' } },
        ]);
      }
      r.addSamples([{ metric: 'vus', time: t0 + s * 1000, value: s + 1, tags: {} }]);
    }
    // samples up to 4.9 s: buckets 0..2 are closed (1 s grace), 3..4 still open
    expect(r.series().t).toHaveLength(3);
    r.finish();
    const s = r.series();
    expect(s.bucketMs).toBe(1000);
    expect(s.cols.reqs).toEqual([10, 10, 10, 10, 10]);
    expect(s.cols.vus).toEqual([1, 2, 3, 4, 5]);
    expect(s.cols.errors).toEqual([10, 10, 10, 10, 10]);
    expect((s.cols.p50 as number[]).map(Math.round)).toEqual([10, 11, 12, 13, 14]);
    const [a] = r.requests();
    expect(a).toMatchObject({ name: 'a', count: 50, failed: 5, failedOf: 50, errors: [['HTTP 503', 5]] });
  });

  it('a 20-minute run: ≤ 600 points, < 2 MB of HTML, exact end-of-test numbers', async () => {
    const collector = createCollector({ keepTimeline: true, thresholds: { http_req_duration: ['p(95)<500'], checks: ['rate>0.9'] } });
    collector.define('target_memory_rss_mb', 'gauge');
    collector.define('db_query_duration', 'trend', 'time');
    const store = new MetricsStore({ thresholds: { http_req_duration: ['p(95)<500'], checks: ['rate>0.9'] } });
    store.define('target_memory_rss_mb', 'gauge');
    store.define('db_query_duration', 'trend', 'time');
    store.validate();
    const file = path.join(tmp, 'long', 'report.html');
    const out = new HtmlOutput(file);
    await out.start({ definition: (n) => store.definition(n), thresholds: store.thresholdSets() });
    const t0 = Date.UTC(2026, 0, 1);
    const names = ['login', 'inventory_list', 'inventory_item', 'order_place', 'report_stock', '"><img src=x onerror=alert(1)>'];
    let n = 0;
    for (let s = 0; s < 20 * 60; s++) {
      for (let k = 0; k < 25; k++) {
        const t = t0 + s * 1000 + k * 40;
        const name = names[(k + s) % names.length] as string;
        const tags = { name, scenario: k % 2 ? 'browse' : 'order', status: '200', method: 'GET', url: `http://127.0.0.1/${name}` };
        collector.add('http_reqs', 1, tags, t);
        collector.add('http_req_duration', 5 + ((n++ * 7919) % 300) / 3, tags, t);
        collector.add('http_req_failed', n % 97 === 0 ? 1 : 0, tags, t);
        collector.add('checks', n % 50 === 0 ? 0 : 1, { check: 'status is 200', group: '' }, t);
      }
      collector.add('vus', 100, {}, t0 + s * 1000);
      collector.add('iterations', 5, { scenario: 'browse' }, t0 + s * 1000);
      collector.add('target_memory_rss_mb', 120 + s / 100, {}, t0 + s * 1000);
      collector.add('db_query_duration', 3 + (s % 7), { name: 'x' }, t0 + s * 1000);
      if (s % 5 === 4) {
        const d = collector.drain();
        expect(d.samples).toBeUndefined();
        store.merge(d);
        if (d.timeline) out.addTimeline(d.timeline);
      }
    }
    const summary = store.summaryData({ testRunDurationMs: 20 * 60 * 1000 });
    await out.stop(summary);
    const size = statSync(file).size;
    expect(size).toBeLessThan(2 * 1024 * 1024);
    const data = extractPageData(readFileSync(file, 'utf8')) as ReportData;
    expect(data.series.t.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(data.series.bucketMs).toBe(2000);
    expect(data.series.cols.reqs?.slice(1, -1).every((v) => v === 25)).toBe(true);
    expect(data.series.custom.target_memory_rss_mb?.cols.value?.length).toBe(data.series.t.length);
    expect(Object.keys(data.series.scenarios).sort()).toEqual(['browse', 'order']);
    // exact end-of-test numbers: the summary's, not the bins'
    expect(data.metrics.http_req_duration?.values['p(95)']).toBe(summary.metrics.http_req_duration?.values['p(95)']);
    expect(data.metrics.http_reqs?.values.count).toBe(30000);
    expect(data.thresholds).toEqual([
      { metric: 'checks', source: 'rate>0.9', ok: true, value: summary.metrics.checks?.values.rate },
      { metric: 'http_req_duration', source: 'p(95)<500', ok: true, value: summary.metrics.http_req_duration?.values['p(95)'] },
    ]);
    expect(data.requests.map((r) => r.name)).toContain(names[5]);
    // per name: exact counts from the workers' rows; the chart's p95 within its 1 % bins of the summary's
    expect(data.requests.reduce((a, r) => a + r.count, 0)).toBe(30000);
    expect(data.requests.reduce((a, r) => a + r.failedOf, 0)).toBe(30000);
    const p95s = (data.series.cols.p95 as number[]).slice(1, -1);
    const exact = summary.metrics.http_req_duration?.values['p(95)'] as number;
    expect(Math.abs(p95s.reduce((a, v) => a + v, 0) / p95s.length - exact) / exact).toBeLessThan(0.05);
  });

  it('two workers\' timelines of the same seconds merge into one bucket each (they report every 500 ms, interleaved)', () => {
    const r = new RunRecorder();
    const t0 = 1_700_000_000_000;
    const collectors = [createCollector({ keepTimeline: true }), createCollector({ keepTimeline: true })];
    for (let s = 0; s < 4; s++) {
      for (const w of [0, 1]) {
        const c = collectors[w] as ReturnType<typeof createCollector>;
        for (let k = 0; k < 10; k++) {
          const tags = { name: `n${w}`, scenario: 'x', status: k < 2 ? '500' : '200' };
          c.add('http_reqs', 1, tags, t0 + s * 1000 + k * 90 + w);
          c.add('http_req_duration', 100 * (w + 1), tags, t0 + s * 1000 + k * 90 + w);
          c.add('http_req_failed', k < 2 ? 1 : 0, tags, t0 + s * 1000 + k * 90 + w);
        }
        const tl = c.drain().timeline;
        if (tl) r.addTimeline(tl);
      }
    }
    r.finish();
    const s = r.series();
    expect(s.cols.reqs).toEqual([20, 20, 20, 20]);
    expect(s.cols.errors).toEqual([20, 20, 20, 20]);
    // 10 samples of 100 ms and 10 of 200 ms a second: rank round(0.5·19) = 10 is the first 200 ms one
    expect((s.cols.p50 as number[]).every((v) => Math.abs(v - 200) <= 2)).toBe(true);
    expect((s.cols.p99 as number[]).every((v) => Math.abs(v - 200) <= 2)).toBe(true);
    expect(r.requests().map((q) => [q.name, q.count, q.failed, q.errors])).toEqual([
      ['n0', 40, 8, [['HTTP 500', 8]]],
      ['n1', 40, 8, [['HTTP 500', 8]]],
    ]);
  });
});

describe('jsonForScript', () => {
  it('leaves no way to close the script element, and stays the same JSON', () => {
    const hostile = { a: '</script><script>alert(1)</script>', b: '<!--', c: '\u2028&' };
    const s = jsonForScript(hostile);
    expect(s).not.toMatch(/[<>\u2028]/);
    expect(JSON.parse(s)).toEqual(hostile);
  });
});
