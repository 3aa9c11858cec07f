/**
 * `readiness.html`: the readiness verdict as one static page — the verdict and its reasons, the
 * success metrics (value, bar, source), each scenario with a link to its own report, the
 * preflight items and the monitor's numbers. A pure render function over the ReadinessReport and
 * a thin writer, as engine/outputs/junit.ts is. No script: every string from the target or the
 * run goes through escapeHtml, and the Content-Security-Policy allows no script at all.
 */
import path from 'node:path';
import { writeFileWhole } from '../engine/outputs/file-sink.ts';
import type { ReadinessReport } from '../ops/readiness/types.ts';
import { escapeHtml, pageCss } from './html.ts';

const e = escapeHtml;
const row = (cls: string, cells: string[]) => `<tr${cls ? ` class="${cls}"` : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
const table = (head: string[], rows: string[]) => `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;

/** The page for a readiness report; links to the scenarios' reports are relative to `dir` (the page's folder). */
export function renderReadinessHtml(r: ReadinessReport, dir = r.resultsDir): string {
  const ready = r.verdict === 'ready';
  const metrics = r.metrics.map((m) => row(m.status === 'fail' ? 'bad' : m.status === 'not measured' ? 'warn' : '', [e(m.name), e(m.shown), e(m.target), e(m.source), e(m.status)]));
  const scenarios = [
    ...r.scenarios.map((s) => {
      const report = path.relative(dir, path.join(s.resultsDir, 'report.html')).split(path.sep).join('/');
      return row(s.passed ? '' : 'bad', [e(s.name), `${(s.durationMs / 1000).toFixed(0)} s`, e(s.requests === undefined ? '—' : String(s.requests)), `<a href="${e(report)}">report</a>`, e(s.passed ? 'pass' : s.reason)]);
    }),
    ...r.skipped.map((s) => row('warn', [e(s), '—', '—', '—', 'not run (stopped)'])),
  ];
  const preflight = r.preflight.items.map((i) => row(i.status === 'fail' ? 'bad' : i.status === 'warn' ? 'warn' : '', [e(i.name), e(i.status), e(i.reason)]));
  const csp = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<meta name="generator" content="aetos-load">
<title>${e(`Readiness: ${r.verdict} — ${r.target}`)}</title>
<style>${pageCss}</style>
</head>
<body>
<main id="app">
<h1>Production readiness</h1>
<div class="verdict ${ready ? 'pass' : 'fail'}"><span class="verdict-word">${ready ? 'READY' : 'NOT READY'}</span><span>${e(r.target)}${r.embedded ? ' (embedded target)' : ''}, profile ${e(r.profile)}</span></div>
${r.reasons.length ? `<ul>${r.reasons.map((why) => `<li>${e(why)}</li>`).join('')}</ul>` : ''}
<h2>Success metrics</h2>
${table(['metric', 'measured', 'needs', 'source', 'result'], metrics)}
<h2>Load scenarios</h2>
${table(['scenario', 'took', 'requests', 'details', 'result'], scenarios)}
<h2>Preflight</h2>
${table(['item', 'result', 'reason'], preflight)}
<h2>Run</h2>
<dl class="meta"><dt>started</dt><dd>${e(r.startedAt)}</dd><dt>ended</dt><dd>${e(r.endedAt)}</dd><dt>monitor</dt><dd>${r.monitor.polls} polls every ${r.monitor.intervalMs / 1000} s, uptime ${r.monitor.uptimePercent.toFixed(2)} %, alerts fired: ${e(r.monitor.alertsFired.join(', ') || 'none')}</dd><dt>results</dt><dd>${e(r.resultsDir)}</dd></dl>
</main>
</body>
</html>
`;
}

/** Writes the page whole (temp + rename), as every result file is. */
export function writeReadinessHtml(file: string, r: ReadinessReport): void {
  writeFileWhole(file, renderReadinessHtml(r, path.dirname(file)));
}
