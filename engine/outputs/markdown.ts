/**
 * A Markdown report for CI job summaries: appended to $GITHUB_STEP_SUMMARY when that variable is
 * set (GitHub Actions renders it on the run page). Thresholds, checks, and the trend/counter lines.
 */
import { appendFileSync } from 'node:fs';
import type { SummaryData, SummaryGroup, SummaryMetric } from '../metrics/store.ts';
import { formatBytes, formatNumber, formatPercent, formatValue } from '../summary/format.ts';
import type { Output } from './types.ts';

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function checks(g: SummaryGroup): SummaryGroup['checks'] {
  return [...g.checks, ...g.groups.flatMap(checks)];
}

function metricText(m: SummaryMetric, stats: readonly string[]): string {
  const v = m.values;
  switch (m.type) {
    case 'counter':
      return m.contains === 'data' ? `${formatBytes(v.count ?? 0)} (${formatBytes(v.rate ?? 0)}/s)` : `${formatNumber(v.count ?? 0)} (${formatNumber(v.rate ?? 0)}/s)`;
    case 'gauge':
      return `${formatValue(v.value ?? 0, m.contains)} (min ${formatValue(v.min ?? 0, m.contains)}, max ${formatValue(v.max ?? 0, m.contains)})`;
    case 'rate':
      return `${formatPercent(v.rate ?? 0)} (${v.passes ?? 0} of ${(v.passes ?? 0) + (v.fails ?? 0)})`;
    case 'trend':
      return stats.filter((s) => s in v).map((s) => `${s}=${formatValue(v[s] as number, m.contains)}`).join(' ');
  }
}

export function renderMarkdown(data: SummaryData, title = 'aetos-load results'): string {
  const lines: string[] = [`## ${title}`, ''];
  const th = Object.entries(data.metrics).flatMap(([name, m]) => Object.entries(m.thresholds ?? {}).map(([expr, r]) => ({ name, expr, ok: r.ok })));
  const failed = th.filter((t) => !t.ok).length;
  lines.push(th.length === 0 ? 'No thresholds.' : failed === 0 ? `✅ All ${th.length} thresholds passed.` : `❌ ${failed} of ${th.length} thresholds crossed.`, '');
  if (th.length) {
    lines.push('| | Metric | Threshold |', '|---|---|---|');
    for (const t of th) lines.push(`| ${t.ok ? '✅' : '❌'} | \`${md(t.name)}\` | \`${md(t.expr)}\` |`);
    lines.push('');
  }
  const cs = checks(data.root_group);
  if (cs.length) {
    lines.push('| | Check | Passes | Fails |', '|---|---|---|---|');
    for (const c of cs) lines.push(`| ${c.fails ? '❌' : '✅'} | ${md(c.path)} | ${c.passes} | ${c.fails} |`);
    lines.push('');
  }
  lines.push('| Metric | Value |', '|---|---|');
  for (const [name, m] of Object.entries(data.metrics)) lines.push(`| \`${md(name)}\` | ${md(metricText(m, data.options.summaryTrendStats))} |`);
  lines.push('', `Test run duration: ${(data.state.testRunDurationMs / 1000).toFixed(1)} s`, '');
  return `${lines.join('\n')}\n`;
}

export class MarkdownOutput implements Output {
  readonly wantsSamples = false;
  readonly description: string;
  constructor(private readonly file: string) {
    this.description = `markdown (${file})`;
  }
  async start(): Promise<void> {}
  addSamples(): void {}
  async stop(data: SummaryData): Promise<void> {
    appendFileSync(this.file, renderMarkdown(data));
  }
}
