/**
 * Compares two runs: per request name (and all requests together) p50/p95/p99, error rate and
 * throughput, with a verdict per row from the Mann–Whitney test on the two latency histograms
 * (report/stats.ts), and rules a CI job can gate on (`p95>+20%`).
 *
 * A run is a run folder (report.html inside; summary.json when there is no report), a report.html,
 * or a summary.json (report.html beside it is used when present). A summary alone has no
 * histograms: its rows get numbers but no noise verdict.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Comparison, CompareRow, Rule, SideStats, Stat } from './comparison.ts';
import type { ReportData, RequestStats } from './data.ts';
import { extractPageData } from './html.ts';
import { percentileOfPairs } from './log-histogram.ts';
import { mannWhitney, proportionTest, shiftVerdict, ALPHA, MIN_EFFECT } from './stats.ts';

/** What compare needs of one run. */
export interface RunSide {
  label: string;
  durationMs: number;
  /** Per request name; `durations` empty when only a summary was found. */
  requests: RequestStats[];
  /** Exact totals from the summary when known (the "all requests" row). */
  total?: { count: number; p50?: number; p95?: number; p99?: number; errorRate?: number };
  passed?: boolean;
}

export type { Comparison, CompareRow, Rule, SideStats, Stat } from './comparison.ts';

const ruleRe = /^\s*(p50|p95|p99|errors|error_rate|rps|throughput)\s*([<>])\s*([+-]?\d+(?:\.\d+)?)\s*(%|ms|pp)?\s*$/;

/** Parses `p95>+20%,errors>+1pp,rps<-10%` (commas or several flags). Throws with the bad part named. */
export function parseRules(spec: string): Rule[] {
  return spec
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((source) => {
      const m = ruleRe.exec(source);
      if (!m) throw new Error(`--fail-on "${source.trim()}": expected e.g. p95>+20%, p99>+50ms, errors>+1pp, rps<-10% (stats: p50 p95 p99 errors rps)`);
      const statText = m[1] as string;
      const stat: Stat = statText === 'error_rate' ? 'errors' : statText === 'throughput' ? 'rps' : (statText as Stat);
      const unit = (m[4] ?? (stat === 'errors' ? 'pp' : '%')) as Rule['unit'];
      if (unit === 'ms' && !stat.startsWith('p')) throw new Error(`--fail-on "${source.trim()}": ms applies to p50/p95/p99 only`);
      if (unit === 'pp' && stat !== 'errors') throw new Error(`--fail-on "${source.trim()}": pp (percentage points) applies to errors only`);
      return { source: source.trim(), stat, op: m[2] as '>' | '<', amount: Math.abs(Number(m[3])), unit };
    });
}

function sideStats(r: RequestStats | undefined, durationMs: number): SideStats {
  if (!r) return { count: 0, rps: 0, p50: null, p95: null, p99: null, errorRate: null };
  const min = r.count ? r.min : undefined;
  const max = r.count ? r.max : undefined;
  return {
    count: r.count,
    rps: durationMs > 0 ? r.count / (durationMs / 1000) : 0,
    p50: percentileOfPairs(r.durations, 0.5, min, max),
    p95: percentileOfPairs(r.durations, 0.95, min, max),
    p99: percentileOfPairs(r.durations, 0.99, min, max),
    errorRate: r.failedOf ? r.failed / r.failedOf : null,
  };
}

const rel = (a: number | null, b: number | null) => (a === null || b === null || a === 0 ? null : (100 * (b - a)) / a);

function tripped(rule: Rule, row: Omit<CompareRow, 'tripped'>): boolean {
  const { a, b } = row;
  const sign = rule.op === '>' ? 1 : -1;
  if (rule.stat === 'errors') {
    if (a.errorRate === null || b.errorRate === null) return false;
    const diff = rule.unit === 'pp' ? 100 * (b.errorRate - a.errorRate) : (rel(a.errorRate, b.errorRate) ?? (b.errorRate > 0 ? Infinity : 0));
    return sign * diff > rule.amount && row.errorsP < ALPHA;
  }
  if (rule.stat === 'rps') {
    const c = rel(a.rps, b.rps);
    return c !== null && sign * c > rule.amount;
  }
  const va = a[rule.stat];
  const vb = b[rule.stat];
  if (va === null || vb === null) return false;
  const diff = rule.unit === 'ms' ? vb - va : (rel(va, vb) as number);
  // A latency rule trips only on a difference the histogram test also calls real (or when there is no histogram).
  const real = row.test === null || /beyond noise/.test(row.verdict);
  return sign * diff > rule.amount && real;
}

/** Compares run b against run a (the baseline). */
export function compareRuns(a: RunSide, b: RunSide, rules: Rule[] = []): Comparison {
  const names = [...new Set([...a.requests.map((r) => r.name), ...b.requests.map((r) => r.name)])];
  const byName = (s: RunSide, n: string) => s.requests.find((r) => r.name === n);
  const total = (s: RunSide): RequestStats | undefined => {
    if (s.requests.length === 0) return undefined;
    const bins = new Map<number, number>();
    let count = 0, failed = 0, failedOf = 0, min = Infinity, max = -Infinity;
    for (const r of s.requests) {
      count += r.count;
      failed += r.failed;
      failedOf += r.failedOf;
      if (r.count) {
        min = Math.min(min, r.min);
        max = Math.max(max, r.max);
      }
      for (let i = 0; i < r.durations.length; i += 2) bins.set(r.durations[i] as number, (bins.get(r.durations[i] as number) ?? 0) + (r.durations[i + 1] as number));
    }
    const durations = [...bins.keys()].sort((x, y) => x - y).flatMap((k) => [k, bins.get(k) as number]);
    return { name: '(all requests)', count, failed, failedOf, durations, min, max, errors: [] };
  };
  const pairs: [string, RequestStats | undefined, RequestStats | undefined][] = [['(all requests)', total(a), total(b)], ...names.map((n) => [n, byName(a, n), byName(b, n)] as [string, RequestStats | undefined, RequestStats | undefined])];
  const rows: CompareRow[] = pairs.map(([name, ra, rb]) => {
    const sa = sideStats(ra, a.durationMs);
    const sb = sideStats(rb, b.durationMs);
    if (name === '(all requests)') {
      // The exact end-of-test numbers where the summaries have them.
      for (const [s, side] of [[sa, a], [sb, b]] as const) {
        if (!side.total) continue;
        s.count = side.total.count;
        s.rps = side.durationMs > 0 ? side.total.count / (side.durationMs / 1000) : 0;
        if (side.total.p50 !== undefined) s.p50 = side.total.p50;
        if (side.total.p95 !== undefined) s.p95 = side.total.p95;
        if (side.total.p99 !== undefined) s.p99 = side.total.p99;
        if (side.total.errorRate !== undefined) s.errorRate = side.total.errorRate;
      }
    }
    const hasHist = !!(ra?.durations.length && rb?.durations.length);
    const t = hasHist ? mannWhitney((ra as RequestStats).durations, (rb as RequestStats).durations) : null;
    let verdict: string = !ra ? 'only in b' : !rb ? 'only in a' : hasHist ? shiftVerdict(t) : 'no histograms (summary only): no noise test';
    const errorsP = ra && rb ? proportionTest(ra.failed, ra.failedOf, rb.failed, rb.failedOf) : 1;
    if (ra && rb && errorsP < ALPHA && sb.errorRate !== null && sa.errorRate !== null && Math.abs(sb.errorRate - sa.errorRate) >= 0.01) {
      verdict += sb.errorRate > sa.errorRate ? '; more errors, beyond noise' : '; fewer errors, beyond noise';
    }
    const row = {
      name,
      a: sa,
      b: sb,
      change: { p50: rel(sa.p50, sb.p50), p95: rel(sa.p95, sb.p95), p99: rel(sa.p99, sb.p99), rps: rel(sa.rps, sb.rps) },
      verdict,
      test: t ? { p: t.p, delta: t.delta } : null,
      errorsP,
    };
    return { ...row, tripped: rules.filter((r) => tripped(r, row)).map((r) => r.source) };
  });
  const failed = rows.some((r) => r.tripped.length > 0);
  const worst = rows.find((r) => r.tripped.length) ?? rows.find((r) => /slower, beyond noise|more errors/.test(r.verdict)) ?? rows.find((r) => /beyond noise/.test(r.verdict));
  const verdict = worst ? `${worst.name}: ${worst.verdict}${worst.tripped.length ? ` (fails ${worst.tripped.join(', ')})` : ''}` : 'no significant change';
  return {
    kind: 'comparison',
    a: { label: a.label },
    b: { label: b.label },
    rules: rules.map((r) => r.source),
    rows,
    verdict,
    failed,
    method: `Latency: Mann–Whitney U over 1 %-wide histogram bins; "beyond noise" when p < ${ALPHA} and |Cliff's delta| ≥ ${MIN_EFFECT}. Errors: two-proportion z-test (p < ${ALPHA}, ≥ 1 point). A latency rule trips only on a difference beyond noise.`,
  };
}

// --- reading runs ---------------------------------------------------------------------------

function readReport(file: string): ReportData {
  const data = extractPageData(readFileSync(file, 'utf8')) as ReportData;
  if (!data || data.v !== 1 || !Array.isArray(data.requests)) throw new Error(`${file}: not an aetos-load report (format v1)`);
  return data;
}

/** The run's side from its report data (histograms) — the form `load --baseline` uses too. */
export function sideFromReport(data: ReportData, label: string): RunSide {
  const v = data.metrics.http_req_duration?.values ?? {};
  const failed = data.metrics.http_req_failed?.values;
  const reqs = data.metrics.http_reqs?.values;
  return {
    label,
    durationMs: data.durationMs,
    requests: data.requests,
    total: reqs ? { count: reqs.count ?? 0, p50: v.med, p95: v['p(95)'], p99: v['p(99)'], errorRate: failed?.rate } : undefined,
    passed: data.passed,
  };
}

interface SummaryJson {
  metrics?: Record<string, { values?: Record<string, number>; [k: string]: unknown } & Record<string, unknown>>;
  state?: { testRunDurationMs?: number };
}

/** A summary export (k6's --summary-export: values flat on the metric) or handleSummary data. */
function sideFromSummary(file: string, label: string): RunSide {
  const j = JSON.parse(readFileSync(file, 'utf8')) as SummaryJson;
  if (!j.metrics || typeof j.metrics !== 'object') throw new Error(`${file}: no "metrics" (not a k6 summary)`);
  const vals = (name: string): Record<string, number> | undefined => {
    const m = j.metrics?.[name];
    if (!m) return undefined;
    return (m.values ?? m) as Record<string, number>;
  };
  const reqs = vals('http_reqs');
  const count = reqs?.count ?? 0;
  const rate = reqs?.rate ?? 0;
  const durationMs = j.state?.testRunDurationMs ?? (rate > 0 ? (count / rate) * 1000 : 0);
  const requests: RequestStats[] = [];
  for (const key of Object.keys(j.metrics)) {
    const m = /^http_req_duration\{name:(.*)\}$/.exec(key);
    if (!m) continue;
    const v = vals(key) as Record<string, number>;
    requests.push({ name: m[1] as string, count: v.count ?? 0, failed: 0, failedOf: 0, durations: [], min: v.min ?? 0, max: v.max ?? 0, errors: [] });
  }
  const d = vals('http_req_duration') ?? {};
  const f = vals('http_req_failed');
  return { label, durationMs, requests, total: { count, p50: d.med, p95: d['p(95)'], p99: d['p(99)'], errorRate: f ? (f.rate ?? f.value) : undefined } };
}

/** Reads a run: folder, report.html or summary.json. Throws one clear line when it is none. */
export function loadRun(p: string): RunSide {
  if (!existsSync(p)) throw new Error(`${p}: no such run folder or file`);
  const label = p;
  if (statSync(p).isDirectory()) {
    const report = path.join(p, 'report.html');
    if (existsSync(report)) return sideFromReport(readReport(report), label);
    const summary = path.join(p, 'summary.json');
    if (existsSync(summary)) return sideFromSummary(summary, label);
    throw new Error(`${p}: neither report.html nor summary.json in this folder`);
  }
  if (p.endsWith('.html')) return sideFromReport(readReport(p), label);
  const beside = path.join(path.dirname(p), 'report.html');
  if (existsSync(beside)) return sideFromReport(readReport(beside), label);
  return sideFromSummary(p, label);
}

/**
 * `--baseline latest-passing`: the newest run folder under `resultsDir` (other than `exclude`)
 * whose run.json says exit code 0 (or, without run.json, whose report passed).
 */
export function findLatestPassing(resultsDir: string, exclude?: string): string | undefined {
  if (!existsSync(resultsDir)) return undefined;
  const skip = exclude ? path.resolve(exclude) : '';
  const dirs = readdirSync(resultsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'latest')
    .map((d) => path.join(resultsDir, d.name))
    .filter((d) => path.resolve(d) !== skip)
    .sort()
    .reverse();
  for (const d of dirs) {
    const runJson = path.join(d, 'run.json');
    try {
      if (existsSync(runJson)) {
        if ((JSON.parse(readFileSync(runJson, 'utf8')) as { exitCode?: number }).exitCode === 0 && existsSync(path.join(d, 'report.html'))) return d;
        continue;
      }
      const report = path.join(d, 'report.html');
      if (existsSync(report) && readReport(report).passed) return d;
    } catch {
      // an unreadable folder is not a baseline
    }
  }
  return undefined;
}

/** The comparison as plain text (a table for the terminal). */
export function formatComparison(c: Comparison): string {
  const fmt = (v: number | null, unit = '') => (v === null || !Number.isFinite(v) ? '–' : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}${unit}`);
  const chg = (v: number | null) => (v === null ? '' : ` (${v > 0 ? '+' : ''}${v.toFixed(0)}%)`);
  const head = ['request', 'p50 ms a→b', 'p95 ms a→b', 'p99 ms a→b', 'errors a→b', 'req/s a→b', 'verdict'];
  const lines = c.rows.map((r) => [
    r.name,
    `${fmt(r.a.p50)}→${fmt(r.b.p50)}${chg(r.change.p50)}`,
    `${fmt(r.a.p95)}→${fmt(r.b.p95)}${chg(r.change.p95)}`,
    `${fmt(r.a.p99)}→${fmt(r.b.p99)}${chg(r.change.p99)}`,
    `${fmt(r.a.errorRate === null ? null : r.a.errorRate * 100, '%')}→${fmt(r.b.errorRate === null ? null : r.b.errorRate * 100, '%')}`,
    `${fmt(r.a.rps)}→${fmt(r.b.rps)}`,
    r.verdict + (r.tripped.length ? ` — FAILS ${r.tripped.join(', ')}` : ''),
  ]);
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...lines.map((l) => (l[i] as string).length))));
  const row = (cells: string[]) => cells.map((c2, i) => (i === cells.length - 1 ? c2 : c2.padEnd(widths[i] as number))).join('  ');
  return [`a: ${c.a.label}`, `b: ${c.b.label}`, '', row(head), ...lines.map(row), '', `verdict: ${c.verdict}${c.rules.length ? ` (rules: ${c.rules.join(', ')})` : ''}`, ''].join('\n');
}
