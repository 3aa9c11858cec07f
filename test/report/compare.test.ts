// compare on stored runs (test/report/fixtures/runs, recorded by record-runs.ts against the
// embedded target): two healthy runs say "no significant change"; a run with the target's 50 ms
// latency fault says "slower, beyond noise" and trips --fail-on; the statistics underneath.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main as compare } from '../../cli/compare.ts';
import { compareRuns, findLatestPassing, loadRun, parseRules } from '../../report/compare.ts';
import { extractPageData } from '../../report/html.ts';
import { finishRunReport } from '../../report/finish.ts';
import type { ReportData } from '../../report/data.ts';
import { LogHistogram } from '../../report/log-histogram.ts';
import { mannWhitney, shiftVerdict } from '../../report/stats.ts';

const runs = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'runs');
const tmp = mkdtempSync(path.join(tmpdir(), 'aetos-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await compare(argv, { stdout: out, stderr: err, cwd: runs });
  return { code, stdout, stderr };
}

describe('aetos-load compare on stored runs', () => {
  it('two healthy runs: no significant change, exit 0 even with a rule', async () => {
    const html = path.join(tmp, 'healthy.html');
    const r = await cli(['healthy-a', 'healthy-b', '--fail-on', 'p95>+20%', '--html', html]);
    expect(r.stderr).not.toMatch(/aetos-load compare:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verdict: no significant change/);
    expect(r.stdout).toMatch(/inventory_item .*no significant change/);
    const page = extractPageData(readFileSync(html, 'utf8')) as { kind: string; failed: boolean };
    expect(page).toMatchObject({ kind: 'comparison', failed: false });
  });

  it('the 50 ms latency fault: slower, beyond noise; --fail-on p95>+20% exits 1', async () => {
    const r = await cli(['healthy-b', 'slow-50ms', '--fail-on', 'p95>+20%', '--html', path.join(tmp, 'slow.html')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/inventory_item .*slower, beyond noise — FAILS p95>\+20%/);
    // /api/health is exempt from the fault: its row must not be called slower.
    expect(r.stdout).toMatch(/health .*no significant change/);
    const j = compareRuns(loadRun(path.join(runs, 'healthy-a')), loadRun(path.join(runs, 'slow-50ms')));
    const item = j.rows.find((x) => x.name === 'inventory_item');
    expect(item?.verdict).toBe('slower, beyond noise');
    expect((item?.b.p50 as number) - (item?.a.p50 as number)).toBeGreaterThan(40);
    expect(j.failed).toBe(false); // no rules, no failure
  });

  it('the other way round is faster; a rule on a decrease trips', async () => {
    const r = await cli(['slow-50ms', 'healthy-a', '--fail-on', 'p50<-30%', '--html', path.join(tmp, 'fast.html')]);
    expect(r.stdout).toMatch(/inventory_item .*faster, beyond noise/);
    expect(r.code).toBe(1);
  });

  it('summary files work without histograms (numbers, no noise verdict)', async () => {
    const dir = path.join(tmp, 'summary-only');
    mkdirSync(dir);
    const summary = (p95: number) => ({ metrics: { http_reqs: { count: 100, rate: 10 }, http_req_duration: { med: 5, 'p(95)': p95 }, 'http_req_duration{name:login}': { count: 3, 'p(95)': 9 } } });
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify(summary(10)));
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify(summary(30)));
    const r = await cli([path.join(dir, 'a.json'), path.join(dir, 'b.json'), '--fail-on', 'p95>+50%', '--html', path.join(tmp, 's.html')]);
    expect(r.stdout).toMatch(/\(all requests\)\s+5\.0→5\.0.*10\.0→30\.0 \(\+200%\)/);
    expect(r.stdout).toMatch(/login .*no histograms/);
    expect(r.code).toBe(1);
  });

  it('bad input: one line, exit 2', async () => {
    expect(await cli(['healthy-a'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/expected two runs, got 1/) });
    expect(await cli(['healthy-a', 'nope'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/nope: no such run folder or file/) });
    expect(await cli(['healthy-a', 'healthy-b', '--fail-on', 'p95>lots'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--fail-on "p95>lots": expected e\.g\./) });
  });

  it('latest-passing: the newest run folder that passed', () => {
    const dir = path.join(tmp, 'results');
    for (const [name, exitCode] of [['2026-01-01T000000Z', 0], ['2026-01-02T000000Z', 99], ['2026-01-03T000000Z', 0]] as const) {
      mkdirSync(path.join(dir, name), { recursive: true });
      writeFileSync(path.join(dir, name, 'run.json'), JSON.stringify({ exitCode }));
      writeFileSync(path.join(dir, name, 'report.html'), readFileSync(path.join(runs, 'healthy-b', 'report.html')));
    }
    expect(findLatestPassing(dir, path.join(dir, '2026-01-03T000000Z'))).toBe(path.join(dir, '2026-01-01T000000Z'));
    expect(findLatestPassing(dir)).toBe(path.join(dir, '2026-01-03T000000Z'));
    expect(findLatestPassing(path.join(tmp, 'none'))).toBeUndefined();
  });
});

describe('load --baseline (finishRunReport)', () => {
  it('adds run.json, the monitor alerts and the baseline verdict to the run report; a regression beyond the rule fails', () => {
    const dir = path.join(tmp, 'run-folder');
    mkdirSync(dir);
    const file = path.join(dir, 'report.html');
    writeFileSync(file, readFileSync(path.join(runs, 'slow-50ms', 'report.html')));
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ scenario: 'smoke', profile: 'quick', exitCode: 0, gitCommit: 'abc123', baseUrl: 'http://***@127.0.0.1:1' }));
    const alert = { type: 'alert', state: 'firing', rule: 'response time > 5 s', severity: 'critical', metric: 'api.responseMs', value: 6000, threshold: 5000, at: '2026-01-01T00:00:00Z', since: '2026-01-01T00:00:00Z', message: '<b>slow</b>' };
    writeFileSync(path.join(dir, 'monitor.json'), JSON.stringify({ target: 'http://127.0.0.1:1', polls: 3, uptimePercent: 100, alerts: [alert] }));
    const { comparison } = finishRunReport({ reportFile: file, baseline: path.join(runs, 'healthy-b'), rules: parseRules('p95>+20%') });
    expect(comparison?.failed).toBe(true);
    const data = extractPageData(readFileSync(file, 'utf8')) as ReportData;
    expect(data.title).toBe('aetos-load: smoke (quick)');
    expect(data.meta?.gitCommit).toBe('abc123');
    expect(data.monitor?.alerts[0]?.message).toBe('<b>slow</b>');
    expect(data.baseline?.verdict).toMatch(/slower, beyond noise \(fails p95>\+20%\)/);
  });
});

describe('the statistics', () => {
  const hist = (values: number[]) => {
    const h = new LogHistogram();
    for (const v of values) h.add(v);
    return h.toPairs();
  };

  it('Mann-Whitney U matches the hand-computed value', () => {
    // a = 1,2,3 ; b = 4,5,6 (bins 1 % wide keep them apart): every b above every a, U_b = 9, delta = +1.
    const t = mannWhitney(hist([1, 2, 3]), hist([4, 5, 6]));
    expect(t?.delta).toBe(1);
    // n = 6, no ties: z = (9 − 4.5) / sqrt(3·3·7/12) = 1.964 → p ≈ 0.0495
    expect(t?.p).toBeCloseTo(0.0495, 3);
    expect(mannWhitney(hist([1, 2, 3]), hist([1, 2, 3]))?.delta).toBe(0);
  });

  it('a real 10 % shift over 2000 requests is beyond noise; jitter alone is not', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const lat = (base: number) => Array.from({ length: 2000 }, () => base * Math.exp(0.3 * (rnd() + rnd() + rnd() - 1.5)));
    expect(shiftVerdict(mannWhitney(hist(lat(20)), hist(lat(20))))).toBe('no significant change');
    expect(shiftVerdict(mannWhitney(hist(lat(20)), hist(lat(24))))).toBe('slower, beyond noise');
    expect(shiftVerdict(mannWhitney(hist(lat(20).slice(0, 10)), hist(lat(40).slice(0, 10))))).toBe('too few requests to judge');
  });

  it('rules parse with defaults and name what is wrong', () => {
    expect(parseRules('p95>+20%, errors>1, rps<-10%, p99>50ms')).toEqual([
      { source: 'p95>+20%', stat: 'p95', op: '>', amount: 20, unit: '%' },
      { source: 'errors>1', stat: 'errors', op: '>', amount: 1, unit: 'pp' },
      { source: 'rps<-10%', stat: 'rps', op: '<', amount: 10, unit: '%' },
      { source: 'p99>50ms', stat: 'p99', op: '>', amount: 50, unit: 'ms' },
    ]);
    expect(() => parseRules('rps>5ms')).toThrow(/ms applies to p50\/p95\/p99 only/);
  });
});
