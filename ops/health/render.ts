/**
 * The health report for people: an aligned table (✓ pass, ! warn, ✗ fail, – not applicable)
 * and a closing score line against the guide's > 90 %.
 */
import { formatMs, padEnd, padStart, paint } from '../shared/terminal.ts';
import type { CheckResult, HealthReport } from './types.ts';

const symbols = { pass: '✓', warn: '!', fail: '✗', skip: '–' } as const;

export function renderHealth(report: HealthReport, color: boolean): string {
  const p = paint(color);
  const tint = (c: CheckResult, s: string) => (c.status === 'pass' ? p.green(s) : c.status === 'warn' ? p.yellow(s) : c.status === 'fail' ? p.red(s) : p.dim(s));
  const nameW = Math.max(...report.checks.map((c) => c.name.length));
  const catW = Math.max(...report.checks.map((c) => c.category.length));
  const lines = [
    p.bold(`aetos-load health — ${report.target}${report.embedded ? ' (embedded target)' : ''}`),
    '',
  ];
  let lastCat = '';
  for (const c of report.checks) {
    const cat = c.category === lastCat ? '' : c.category;
    lastCat = c.category;
    lines.push(`  ${padEnd(p.dim(cat), catW)}  ${tint(c, symbols[c.status])} ${padEnd(c.name, nameW)}  ${padStart(formatMs(c.latencyMs), 9)}  ${c.status === 'pass' ? c.reason : tint(c, c.reason)}`);
  }
  const counts = (s: CheckResult['status']) => report.checks.filter((c) => c.status === s).length;
  lines.push('');
  const verdict = report.verdict === 'healthy' ? p.green('HEALTHY') : p.red('UNHEALTHY');
  lines.push(
    `  Health score ${p.bold(`${report.score.toFixed(1)} %`)} (needs > ${report.required} %): ${verdict}` +
      p.dim(`  — ${counts('pass')} passed, ${counts('warn')} warning${counts('warn') === 1 ? '' : 's'}, ${counts('fail')} failed, ${counts('skip')} not applicable, ${(report.durationMs / 1000).toFixed(1)} s`),
  );
  return lines.join('\n') + '\n';
}
