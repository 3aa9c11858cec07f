/**
 * The preflight for people: an aligned table (✓ pass, ! warn, ✗ fail, – not configured) and a
 * closing line with the counts, in the health report's style (ops/health/render.ts).
 */
import { padEnd, paint } from '../shared/terminal.ts';
import type { PreflightItem, PreflightReport } from './types.ts';

const symbols = { pass: '✓', warn: '!', fail: '✗', 'not configured': '–' } as const;

export function renderPreflightTable(items: PreflightItem[], color: boolean): string[] {
  const p = paint(color);
  const tint = (i: PreflightItem, s: string) => (i.status === 'pass' ? p.green(s) : i.status === 'warn' ? p.yellow(s) : i.status === 'fail' ? p.red(s) : p.dim(s));
  const nameW = Math.max(...items.map((i) => i.name.length));
  return items.map((i) => `  ${tint(i, symbols[i.status])} ${padEnd(i.name, nameW)}  ${padEnd(tint(i, i.status), 14)}  ${i.reason}`);
}

export function renderPreflight(report: PreflightReport, color: boolean): string {
  const p = paint(color);
  const count = (s: PreflightItem['status']) => report.items.filter((i) => i.status === s).length;
  const lines = [
    p.bold(`aetos-load preflight — ${report.target}${report.embedded ? ' (embedded target)' : ''}`),
    report.configFile ? p.dim(`  config: ${report.configFile}`) : p.dim('  config: none (aetos.config.json not found; items that need it are not configured)'),
    '',
    ...renderPreflightTable(report.items, color),
    '',
    `  ${report.verdict === 'pass' ? p.green('PREFLIGHT PASSED') : p.red('PREFLIGHT FAILED')}` +
      p.dim(`  — ${count('pass')} passed, ${count('warn')} warning${count('warn') === 1 ? '' : 's'}, ${count('fail')} failed, ${count('not configured')} not configured, ${(report.durationMs / 1000).toFixed(1)} s`),
  ];
  return lines.join('\n') + '\n';
}
