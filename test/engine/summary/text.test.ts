/**
 * The text summary's structure on a realistic run: section order, thresholds with ✓/✗ and their
 * values, checks totals and the failed-check line, sub-metrics indented, per-second rates, units,
 * aligned columns, colour only when asked, 'full' mode showing the HTTP phases.
 */
import { describe, expect, it } from 'vitest';
import { renderTextSummary } from '../../../engine/summary/index.ts';
import { createCollector, MetricsStore } from '../../../engine/metrics/index.ts';
import { sampleRun, T0 } from '../metrics/sample-run.ts';

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('renderTextSummary', () => {
  const { data, store } = sampleRun();
  const text = renderTextSummary(data);
  const lines = text.split('\n');

  it('sections in k6 order', () => {
    const order = ['█ THRESHOLDS', '█ TOTAL RESULTS', 'CUSTOM', 'HTTP', 'EXECUTION', 'NETWORK'].map((h) => lines.findIndex((l) => l.trim() === h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("protocol metrics go in k6's GRPC and WEBSOCKET sections, after NETWORK; a script's own ws-like name stays CUSTOM", () => {
    const c = createCollector({});
    c.define('ws_sessions', 'counter');
    c.define('grpc_req_duration', 'trend', 'time');
    c.define('websocket_custom', 'counter');
    const tags = { scenario: 'default' };
    c.add('ws_sessions', 1, tags, T0);
    c.add('grpc_req_duration', 12, { ...tags, status: '0' }, T0);
    c.add('websocket_custom', 3, tags, T0);
    c.add('data_sent', 100, tags, T0);
    const store = new MetricsStore({});
    store.merge(c.drain());
    const ls = renderTextSummary(store.summaryData({ testRunDurationMs: 1000, isStdOutTTY: false, isStdErrTTY: false })).split('\n');
    const at = (prefix: string) => ls.findIndex((l) => l.startsWith(`    ${prefix}`));
    expect(at('GRPC')).toBeGreaterThan(at('NETWORK'));
    expect(at('WEBSOCKET')).toBeGreaterThan(at('GRPC'));
    expect(at('grpc_req_duration.')).toBe(at('GRPC') + 1);
    expect(at('ws_sessions.')).toBe(at('WEBSOCKET') + 1);
    expect(at('websocket_custom.')).toBe(at('CUSTOM') + 1);
  });

  it('thresholds: metric headers, ✓/✗, expression and value', () => {
    expect(text).toContain("    http_req_duration\n    ✓ 'p(95)<500' p(95)=");
    expect(text).toMatch(/✗ 'avg<90' avg=\d+(\.\d+)?ms/);
    expect(text).toContain("    http_req_duration{name:login}\n    ✓ 'max<1000' max=");
    expect(text).toContain("✓ 'rate<0.2' rate=10.00%");
    expect(text).toContain("✗ 'rate>0.99' rate=");
    expect(text).toContain("✗ 'count>10' count=10");
  });

  it('total results: checks_total / succeeded / failed, the check list (by name over groups) and the failed-check detail', () => {
    expect(text).toMatch(/checks_total\.+: 400 +40\/s/);
    expect(text).toMatch(/checks_succeeded\.+: 95\.00% 380 out of 400/);
    expect(text).toMatch(/checks_failed\.+: 5\.00% +20 out of 400/);
    expect(text).toContain('    ✓ body has items\n');
    // the same check name in two groups is listed once, added up
    expect(text).toContain('    ✗ status is 200\n      ↳  90% — ✓ 180 / ✗ 20\n');
    expect(text.match(/status is 200/g)).toHaveLength(1);
  });

  it('metric lines: dotted names, units, rates, sub-metrics indented under their metric', () => {
    expect(text).toMatch(/\n {4}orders_created\.+: 10 +1\/s\n/);
    expect(text).toMatch(/\n {4}cart_time\.+: avg=3ms +min=1\.5ms/);
    expect(text).toMatch(/\n {4}http_req_duration\.+: avg=95\.95ms +min=20ms/);
    const dur = lines.findIndex((l) => /^ {4}http_req_duration\./.test(l));
    expect(lines[dur + 1]).toMatch(/^ {6}\{ expected_response:true \}\.+: avg=/);
    expect(lines[dur + 2]).toMatch(/^ {6}\{ name:login \}\.+: avg=/);
    expect(text).toMatch(/http_req_failed\.+: 10\.00% +20 out of 200/);
    expect(text).toMatch(/http_reqs\.+: 200 +20\/s/);
    expect(text).toMatch(/vus\.+: 6 +min=5 max=7/);
    expect(text).toMatch(/data_received\.+: 3\.1 MB 306 kB\/s/);
    expect(text).toMatch(/data_sent\.+: 36 kB +3\.6 kB\/s/);
    expect(text).toMatch(/iterations\.+: 200 +20\/s/);
    expect(text).toMatch(/group_duration\.+: avg=/);
  });

  it('columns line up: every metric line has its colon at the same place; trend stats align', () => {
    const metricLines = lines.filter((l) => /^ {4,6}[\w{].*\.{3,}: /.test(l) && !l.includes('checks_'));
    const colons = new Set(metricLines.map((l) => l.indexOf('.: ')));
    expect(colons.size).toBe(1);
    const trendLines = metricLines.filter((l) => l.includes('avg='));
    expect(new Set(trendLines.map((l) => l.indexOf('min='))).size).toBe(1);
    expect(new Set(trendLines.map((l) => l.indexOf('p(95)='))).size).toBe(1);
  });

  it('compact mode hides the request phases; full mode shows them', () => {
    expect(text).not.toContain('http_req_waiting');
    expect(text).not.toContain('http_req_blocked');
    const full = renderTextSummary(data, { mode: 'full' });
    expect(full).toMatch(/http_req_waiting\.+: avg=/);
    expect(full).toMatch(/http_req_blocked\.+: avg=.*min=4µs/);
  });

  it('colour only when asked', () => {
    expect(text).not.toContain('\x1b[');
    const colored = renderTextSummary(data, { enableColors: true });
    expect(colored).toContain('\x1b[32m✓\x1b[0m');
    expect(colored).toContain('\x1b[31m✗\x1b[0m');
    expect(strip(colored)).toBe(text);
  });

  it('summaryTrendStats and summaryTimeUnit', () => {
    const d = store.summaryData({ testRunDurationMs: 10_000, summaryTrendStats: ['min', 'max', 'p(99)'], summaryTimeUnit: 's' });
    const t = renderTextSummary(d);
    expect(t).toMatch(/http_req_duration\.+: min=0\.02s +max=0\.172s +p\(99\)=/);
    expect(t).not.toMatch(/cart_time.*avg=/);
  });

  it('a run without thresholds or checks still has TOTAL RESULTS and its metrics', () => {
    const d = store.summaryData({ testRunDurationMs: 10_000 });
    const noTh = { ...d, metrics: Object.fromEntries(Object.entries(d.metrics).filter(([k]) => k !== 'checks').map(([k, m]) => [k, { ...m, thresholds: undefined }])) };
    const t = renderTextSummary(noTh);
    expect(t).not.toContain('THRESHOLDS');
    expect(t).toContain('█ TOTAL RESULTS');
    expect(t).not.toContain('checks_total');
    expect(t).toContain('HTTP');
  });
});
