// The 2 MB budget of a 20-minute nightly run's report.html, checked on the pure path (no engine, no
// run): a synthetic 20-minute run at the recorder's limits (100 request names with latencies
// spread over 1 ms – 10 s, 20 scenarios, 40 custom metrics, a check tree, monitor alerts) →
// RunRecorder → buildReportData → renderReportHtml. The series are downsampled; the end-of-test
// numbers are the summary's, bit for bit.
import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../report/data.ts';
import { extractPageData, renderReportHtml } from '../../report/html.ts';
import { MAX_POINTS } from '../../report/recorder.ts';
import { EXACT, syntheticRun } from './fixtures/synthetic-run.ts';

describe('report.html of a 20-minute nightly run', () => {
  it('is under 2 MB with ≤ 600 points per series, and keeps the exact end-of-test numbers', () => {
    const { data, summary } = syntheticRun();
    const html = renderReportHtml(data);
    const bytes = Buffer.byteLength(html, 'utf8');
    expect(bytes).toBeLessThan(2 * 1024 * 1024);

    const page = extractPageData(html) as ReportData;
    // Downsampled: 1,200 seconds in ≤ 600 buckets (2 s each), every column as long as the time axis.
    expect(page.series.t.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(page.series.t.length).toBeGreaterThanOrEqual(590);
    expect(page.series.bucketMs).toBe(2000);
    for (const col of Object.values(page.series.cols)) expect(col).toHaveLength(page.series.t.length);
    expect(Object.keys(page.series.scenarios)).toHaveLength(20);
    expect(Object.keys(page.series.custom)).toHaveLength(40);
    for (const s of Object.values(page.series.scenarios)) for (const col of Object.values(s)) expect(col).toHaveLength(page.series.t.length);
    // 100 requests/s in every full bucket, whatever the width.
    expect(page.series.cols.reqs?.slice(1, -1).every((v) => v === 100)).toBe(true);
    expect(page.requests).toHaveLength(100);
    expect(page.requests.reduce((n, r) => n + r.count, 0)).toBe(EXACT.reqs);

    // Exact: the summary's numbers, not the charts' bins (and nothing rounded on the way).
    expect(page.metrics).toEqual(summary.metrics);
    expect(page.metrics.http_req_duration?.values['p(95)']).toBe(EXACT.p95);
    expect(page.metrics.http_req_duration?.values.med).toBe(EXACT.med);
    expect(page.metrics.http_req_failed?.values.rate).toBe(EXACT.failedRate);
    expect(page.metrics.http_reqs?.values.count).toBe(120_000);
    expect(page.thresholds.find((t) => t.source === 'p(95)<5000')).toEqual({ metric: 'http_req_duration', source: 'p(95)<5000', ok: true, value: EXACT.p95 });
    expect(page.thresholds.find((t) => t.source === 'p(99)<4000')).toEqual({ metric: 'http_req_duration', source: 'p(99)<4000', ok: false, value: EXACT.p99 });
    expect(page.passed).toBe(false);
    expect(page.checks).toEqual(summary.root_group);
  });
});
