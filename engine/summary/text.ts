/**
 * The end-of-test summary in k6's compact layout (k6 docs, "End of test"):
 *   █ THRESHOLDS (✓/✗ per expression with its value), █ TOTAL RESULTS (checks_total /
 *   checks_succeeded / checks_failed and the check list), then CUSTOM, HTTP, EXECUTION, NETWORK,
 *   BROWSER and WEB VITALS (k6/browser's metrics, as k6 1.x groups them) sections of dotted metric lines, sub-metrics indented under their metric, per-second rates and
 *   human units. 'full' mode also shows the HTTP timing phases. ANSI colour only when asked.
 */
import type { SummaryData, SummaryGroup, SummaryMetric } from '../metrics/store.ts';
import { parseThresholdExpression } from '../metrics/thresholds.ts';
import { formatBytes, formatDuration, formatNumber, formatPercent, formatValue } from './format.ts';

export interface TextSummaryOptions {
  enableColors?: boolean;
  /** Trend columns; default: data.options.summaryTrendStats. */
  summaryTrendStats?: readonly string[];
  /** '' (automatic) or a fixed unit for time values: s, ms, us. */
  summaryTimeUnit?: string;
  /** k6's --summary-mode: 'compact' (default) or 'full'. */
  mode?: 'compact' | 'full';
}

const ansi = { green: 32, red: 31, cyan: 36, bold: 1, dim: 2 } as const;

const executionMetrics = new Set(['iterations', 'iteration_duration', 'dropped_iterations', 'vus', 'vus_max', 'group_duration']);
const networkMetrics = new Set(['data_sent', 'data_received']);
/** Shown in 'full' mode only (k6's compact summary leaves the request phases out). */
const fullOnlyMetrics = new Set([
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
]);

type Section = 'CUSTOM' | 'HTTP' | 'EXECUTION' | 'NETWORK' | 'BROWSER' | 'WEB VITALS';

function sectionOf(base: string): Section | null {
  if (base === 'checks') return null;
  if (base.startsWith('http_')) return 'HTTP';
  if (base.startsWith('browser_web_vital_')) return 'WEB VITALS';
  if (base.startsWith('browser_')) return 'BROWSER';
  if (executionMetrics.has(base)) return 'EXECUTION';
  if (networkMetrics.has(base)) return 'NETWORK';
  return 'CUSTOM';
}

function splitName(name: string): { base: string; tags: string | null } {
  const i = name.indexOf('{');
  return i === -1 ? { base: name, tags: null } : { base: name.slice(0, i), tags: name.slice(i + 1, -1) };
}

interface Line {
  label: string;
  /** Trend lines: one cell per stat; other lines: [first, rest]. */
  cells: string[];
  trend: boolean;
}

export function renderTextSummary(data: SummaryData, opts: TextSummaryOptions = {}): string {
  const color = (code: number, s: string) => (opts.enableColors ? `\x1b[${code}m${s}\x1b[0m` : s);
  const timeUnit = opts.summaryTimeUnit ?? data.options?.summaryTimeUnit ?? '';
  const stats = opts.summaryTrendStats ?? data.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const seconds = data.state.testRunDurationMs / 1000;
  const full = opts.mode === 'full';
  const ok = color(ansi.green, '✓');
  const bad = color(ansi.red, '✗');
  const out: string[] = [];

  // --- thresholds ---------------------------------------------------------------------------
  const withThresholds = Object.entries(data.metrics).filter(([, m]) => m.thresholds && Object.keys(m.thresholds).length > 0);
  if (withThresholds.length > 0) {
    out.push(`  ${color(ansi.bold, '█ THRESHOLDS')} `, '');
    for (const [name, m] of withThresholds) {
      out.push(`    ${name}`);
      for (const [expr, r] of Object.entries(m.thresholds as Record<string, { ok: boolean }>)) {
        out.push(`    ${r.ok ? ok : bad} '${expr}' ${thresholdValueText(expr, m, timeUnit)}`);
      }
      out.push('');
    }
    out.push('');
  }

  // --- total results: checks ------------------------------------------------------------------
  out.push(`  ${color(ansi.bold, '█ TOTAL RESULTS')} `, '');
  const checks = data.metrics.checks;
  if (checks && checks.values) {
    const passes = checks.values.passes ?? 0;
    const fails = checks.values.fails ?? 0;
    const total = passes + fails;
    const rows: [string, string, string][] = [
      ['checks_total', String(total), `${formatNumber(seconds > 0 ? total / seconds : 0)}/s`],
      ['checks_succeeded', formatPercent(total ? passes / total : 0), `${passes} out of ${total}`],
      ['checks_failed', formatPercent(total ? fails / total : 0), `${fails} out of ${total}`],
    ];
    const w = Math.max(...rows.map((r) => r[1].length));
    const lw = labelWidth(rows.map((r) => r[0]));
    for (const [label, a, b] of rows) out.push(`    ${dots(label, lw)}: ${color(ansi.cyan, a.padEnd(w))} ${b}`);
    out.push('');
    for (const c of checksByName(data.root_group)) {
      const t = c.passes + c.fails;
      if (c.fails === 0) out.push(`    ${ok} ${c.name}`);
      else {
        out.push(`    ${bad} ${c.name}`);
        out.push(`      ${color(ansi.dim, `↳  ${t ? Math.floor((c.passes / t) * 100) : 0}% — ✓ ${c.passes} / ✗ ${c.fails}`)}`);
      }
    }
    out.push('');
  }

  // --- metric sections ----------------------------------------------------------------------
  const bySection = new Map<Section, { name: string; m: SummaryMetric }[]>();
  const names = Object.keys(data.metrics).sort((a, b) => {
    const sa = splitName(a);
    const sb = splitName(b);
    return sa.base === sb.base ? (sa.tags === null ? -1 : sb.tags === null ? 1 : a.localeCompare(b)) : sa.base.localeCompare(sb.base);
  });
  for (const name of names) {
    const m = data.metrics[name] as SummaryMetric;
    const { base } = splitName(name);
    const section = sectionOf(base);
    if (!section) continue;
    if (!full && fullOnlyMetrics.has(base) && !m.thresholds) continue;
    if (!bySection.has(section)) bySection.set(section, []);
    (bySection.get(section) as { name: string; m: SummaryMetric }[]).push({ name, m });
  }
  const lines = new Map<Section, Line[]>();
  for (const [section, list] of bySection) {
    lines.set(
      section,
      list.map(({ name, m }) => metricLine(name, m, stats, timeUnit, seconds)),
    );
  }
  const all = [...lines.values()].flat();
  const lw = labelWidth(all.map((l) => l.label));
  const trendWidths: number[] = [];
  let firstWidth = 0;
  for (const l of all) {
    if (l.trend) l.cells.forEach((c, i) => (trendWidths[i] = Math.max(trendWidths[i] ?? 0, c.length)));
    else firstWidth = Math.max(firstWidth, (l.cells[0] as string).length);
  }
  for (const section of ['CUSTOM', 'HTTP', 'EXECUTION', 'NETWORK', 'BROWSER', 'WEB VITALS'] as Section[]) {
    const ls = lines.get(section);
    if (!ls || ls.length === 0) continue;
    out.push(`    ${color(ansi.bold, section)}`);
    for (const l of ls) {
      const body = l.trend
        ? l.cells.map((c, i) => (i === l.cells.length - 1 ? c : c.padEnd(trendWidths[i] as number))).join(' ')
        : [(l.cells[0] as string).padEnd(firstWidth), ...l.cells.slice(1)].join(' ').trimEnd();
      out.push(`    ${dots(l.label, lw)}: ${color(ansi.cyan, body)}`);
    }
    out.push('');
  }
  out.push('');
  return `${out.join('\n')}\n`;
}

function labelWidth(labels: string[]): number {
  return Math.max(35, ...labels.map((l) => l.length + 3));
}

function dots(label: string, width: number): string {
  return label + '.'.repeat(Math.max(3, width - label.length));
}

function allChecks(g: SummaryGroup): SummaryGroup['checks'] {
  return [...g.checks, ...g.groups.flatMap(allChecks)];
}

/** Every check of the run, those with the same name in different groups added up (the compact view). */
function checksByName(root: SummaryGroup): { name: string; passes: number; fails: number }[] {
  const byName = new Map<string, { name: string; passes: number; fails: number }>();
  for (const c of allChecks(root)) {
    const e = byName.get(c.name);
    if (e) {
      e.passes += c.passes;
      e.fails += c.fails;
    } else byName.set(c.name, { name: c.name, passes: c.passes, fails: c.fails });
  }
  return [...byName.values()];
}

function metricLine(name: string, m: SummaryMetric, stats: readonly string[], timeUnit: string, seconds: number): Line {
  const { tags } = splitName(name);
  const label = tags === null ? name : `  { ${tags.split(',').join(', ')} }`;
  const v = m.values;
  switch (m.type) {
    case 'counter': {
      const count = v.count ?? 0;
      const rate = v.rate ?? (seconds > 0 ? count / seconds : 0);
      if (m.contains === 'data') return { label, trend: false, cells: [formatBytes(count), `${formatBytes(rate)}/s`] };
      return { label, trend: false, cells: [formatValue(count, m.contains, timeUnit), `${formatNumber(rate)}/s`] };
    }
    case 'gauge':
      return {
        label,
        trend: false,
        cells: [formatValue(v.value ?? 0, m.contains, timeUnit), `min=${formatValue(v.min ?? 0, m.contains, timeUnit)}`, `max=${formatValue(v.max ?? 0, m.contains, timeUnit)}`],
      };
    case 'rate': {
      const passes = v.passes ?? 0;
      const fails = v.fails ?? 0;
      return { label, trend: false, cells: [formatPercent(v.rate ?? 0), `${passes} out of ${passes + fails}`] };
    }
    case 'trend':
      return { label, trend: true, cells: stats.filter((s) => s in v).map((s) => `${s}=${formatValue(v[s] as number, m.contains, timeUnit)}`) };
  }
}

function thresholdValueText(expr: string, m: SummaryMetric, timeUnit: string): string {
  let agg: string;
  try {
    agg = parseThresholdExpression(expr).aggregationName;
  } catch {
    return '';
  }
  const value = m.values[agg];
  if (value === undefined) return '';
  if (m.type === 'rate') return `${agg}=${formatPercent(value)}`;
  if (m.type === 'counter' && agg === 'rate') return `${agg}=${formatNumber(value)}/s`;
  if (m.type === 'trend' || m.type === 'gauge') return `${agg}=${formatValue(value, m.contains, timeUnit)}`;
  return `${agg}=${m.contains === 'data' ? formatBytes(value) : formatNumber(value)}`;
}

export { formatDuration };
