/**
 * The readiness report for people (terminal and readiness.txt): the verdict and its reasons, the
 * success metrics with value and source, each scenario's verdict, and the preflight table.
 */
import { renderPreflightTable } from '../preflight/render.ts';
import { padEnd, paint } from '../shared/terminal.ts';
import type { ReadinessReport } from './types.ts';

const mark = { pass: '✓', fail: '✗', 'not measured': '?' } as const;

export function renderReadiness(r: ReadinessReport, color: boolean): string {
  const p = paint(color);
  const tint = (ok: boolean | undefined, s: string) => (ok === undefined ? p.yellow(s) : ok ? p.green(s) : p.red(s));
  const nameW = Math.max(...r.metrics.map((m) => m.name.length));
  const scenW = Math.max(8, ...r.scenarios.map((s) => s.name.length), ...r.skipped.map((s) => s.length));
  const lines = [
    p.bold(`aetos-load readiness — ${r.target}${r.embedded ? ' (embedded target)' : ''}, profile ${r.profile}`),
    '',
    r.verdict === 'ready' ? `  ${p.green(p.bold('READY'))}` : `  ${p.red(p.bold('NOT READY'))}`,
    ...r.reasons.map((why) => `    - ${why}`),
    '',
    p.bold('  Success metrics'),
    ...r.metrics.map((m) => {
      const ok = m.status === 'not measured' ? undefined : m.status === 'pass';
      return `  ${tint(ok, mark[m.status])} ${padEnd(m.name, nameW)}  ${padEnd(tint(ok, m.shown), 16)} ${padEnd(`(${m.target})`, 12)} ${p.dim(m.source)}`;
    }),
    '',
    p.bold('  Load scenarios'),
    ...r.scenarios.map((s) => `  ${tint(s.passed, s.passed ? '✓' : '✗')} ${padEnd(s.name, scenW)}  ${padEnd(`${(s.durationMs / 1000).toFixed(0)} s`, 6)} ${s.passed ? s.reason : tint(false, s.reason)}  ${p.dim(s.resultsDir)}`),
    ...r.skipped.map((s) => `  ${p.yellow('–')} ${padEnd(s, scenW)}  not run (stopped)`),
    '',
    p.bold(`  Preflight (${r.preflight.verdict === 'pass' ? 'no item failed' : 'an item failed'})`),
    ...renderPreflightTable(r.preflight.items, color),
    '',
    p.dim(`  monitor: ${r.monitor.polls} polls, uptime ${r.monitor.uptimePercent.toFixed(2)} %, alerts fired: ${r.monitor.alertsFired.join(', ') || 'none'}`),
    p.dim(`  results: ${r.resultsDir}/ (readiness.json, readiness.html, readiness.txt, monitor.json, one folder per scenario); ${(r.durationMs / 60_000).toFixed(1)} min`),
  ];
  return lines.join('\n') + '\n';
}
