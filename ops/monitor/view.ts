/**
 * The monitor for people: a live table redrawn on every poll (value, min–max and a sparkline
 * of the recent polls per reading, ALERT beside readings a firing rule watches), and the
 * closing summary (uptime % and the alert history). Pure string builders; cli.ts writes them.
 */
import { formatMs, padEnd, padStart, paint } from '../shared/terminal.ts';
import type { AlertEvent, AlertRule } from './rules.ts';
import type { MonitorReport, MonitorSample } from './types.ts';

const bars = '▁▂▃▄▅▆▇█';

/** A sparkline of `values` (undefined = gap), scaled to [lo, hi] (default: their own min–max). */
export function sparkline(values: (number | undefined)[], lo?: number, hi?: number): string {
  const nums = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (!nums.length) return ' '.repeat(values.length);
  const min = lo ?? Math.min(...nums);
  const max = hi ?? Math.max(...nums);
  return values
    .map((v) => {
      if (v === undefined || !Number.isFinite(v)) return ' ';
      if (max <= min) return bars[0];
      const i = Math.round(((Math.min(max, Math.max(min, v)) - min) / (max - min)) * (bars.length - 1));
      return bars[i];
    })
    .join('');
}

interface Row {
  label: string;
  key: string;
  format(v: number): string;
  lo?: number;
  hi?: number;
}

const pct = (v: number) => `${v.toFixed(1)} %`;
const mb = (v: number) => `${v.toFixed(1)} MB`;
const updown = (v: number) => (v >= 1 ? 'up' : 'DOWN');
const count = (v: number) => String(Math.round(v));

export const viewRows: Row[] = [
  { label: 'API response time', key: 'api.responseMs', format: formatMs, lo: 0 },
  { label: 'API /api/health', key: 'api.up', format: updown, lo: 0, hi: 1 },
  { label: 'Database', key: 'database.up', format: updown, lo: 0, hi: 1 },
  { label: 'Database latency', key: 'database.latencyMs', format: formatMs, lo: 0 },
  { label: 'Database direct', key: 'db.direct.ms', format: formatMs, lo: 0 },
  { label: 'Redis/cache', key: 'cache.up', format: updown, lo: 0, hi: 1 },
  { label: 'Redis direct', key: 'redis.direct.ms', format: formatMs, lo: 0 },
  { label: 'Frontend', key: 'frontend.responseMs', format: formatMs, lo: 0 },
  { label: 'Target memory (RSS)', key: 'target.rssMB', format: mb },
  { label: 'Target heap used', key: 'target.heapUsedMB', format: mb },
  { label: 'Event-loop lag', key: 'target.eventLoopLagMs', format: formatMs, lo: 0 },
  { label: 'Requests / poll', key: 'target.requests', format: count, lo: 0 },
  { label: 'Error rate (5xx)', key: 'target.errorRatePercent', format: pct, lo: 0 },
  { label: 'Containers running', key: 'containers.running', format: count, lo: 0 },
  { label: 'Container restarts', key: 'containers.restarts', format: count, lo: 0 },
  { label: 'CPU', key: 'system.cpuPercent', format: pct, lo: 0, hi: 100 },
  { label: 'Memory', key: 'system.memoryPercent', format: pct, lo: 0, hi: 100 },
  { label: 'Disk', key: 'system.diskPercent', format: pct, lo: 0, hi: 100 },
  { label: 'Log errors / poll', key: 'logs.errors', format: count, lo: 0 },
];

export function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m${String(s % 60).padStart(2, '0')}s` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export interface LiveState {
  url: string;
  intervalMs: number;
  samples: MonitorSample[];
  alerts: AlertEvent[];
  rules: AlertRule[];
  polls: number;
  upPolls: number;
}

/** The whole screen for one redraw (the caller moves the cursor home and clears). */
export function renderLive(st: LiveState, color: boolean, width = 40): string {
  const p = paint(color);
  const last = st.samples[st.samples.length - 1];
  const recent = st.samples.slice(-width);
  const firing = new Set(last?.firing ?? []);
  const firingMetrics = new Set(st.rules.filter((r) => firing.has(r.name)).map((r) => r.metric));
  const uptime = st.polls ? (100 * st.upPolls) / st.polls : 100;
  const lines = [
    p.bold(`aetos-load monitor — ${st.url}`) +
      p.dim(`  every ${formatMs(st.intervalMs)} · ${st.polls} polls · ${last ? formatElapsed(last.elapsedMs) : '0s'} · `) +
      (uptime >= 99.9 ? p.green(`uptime ${uptime.toFixed(1)} %`) : p.red(`uptime ${uptime.toFixed(1)} %`)),
    '',
    p.dim(`  ${padEnd('reading', 22)}${padStart('now', 10)}  ${padStart('min–max', 21)}  last ${recent.length} polls`),
  ];
  for (const row of viewRows) {
    const series = recent.map((s) => s.values[row.key]);
    const nums = series.filter((v): v is number => v !== undefined);
    if (!nums.length) continue;
    const now = last?.values[row.key];
    const alert = firingMetrics.has(row.key);
    const nowText = now === undefined ? '—' : row.format(now);
    const range = `${row.format(Math.min(...nums))}–${row.format(Math.max(...nums))}`;
    const spark = sparkline(series, row.lo, row.hi);
    lines.push(`  ${padEnd(row.label, 22)}${padStart(alert ? p.red(nowText) : nowText, 10)}  ${padStart(range, 21)}  ${alert ? p.red(spark) : p.green(spark)}${alert ? p.red('  ALERT') : ''}`);
  }
  if (last && Object.keys(last.notes).length) {
    lines.push('');
    for (const [k, v] of Object.entries(last.notes)) lines.push(p.yellow(`  ${k}: ${v}`));
  }
  if (last?.errorLines?.length) for (const l of last.errorLines) lines.push(p.red(`  log: ${l.slice(0, 160)}`));
  lines.push('');
  lines.push(firing.size ? p.red(`  FIRING: ${[...firing].join(', ')}`) : p.green('  no alerts firing'));
  const events = st.alerts.slice(-8);
  if (events.length) {
    lines.push(p.dim('  recent alerts:'));
    for (const e of events) lines.push(`  ${alertLine(e, p)}`);
  }
  lines.push(p.dim('  Ctrl-C to stop'));
  return lines.join('\n') + '\n';
}

function alertLine(e: AlertEvent, p = paint(false)): string {
  const time = e.at.slice(11, 19);
  const state = e.state === 'firing' ? p.red('FIRING  ') : p.green('resolved');
  const dur = e.state === 'resolved' && e.firingMs !== undefined ? p.dim(` (fired for ${formatElapsed(e.firingMs)})`) : '';
  return `${time}  ${state}  ${padEnd(e.rule, 20)} ${e.message}${dur}`;
}

/** One line for an alert as it happens (printed on a terminal below the view and in plain mode). */
export function renderAlert(e: AlertEvent, color: boolean): string {
  return alertLine(e, paint(color)) + '\n';
}

/** The closing summary: uptime and the alert history. */
export function renderSummary(r: MonitorReport, color: boolean): string {
  const p = paint(color);
  const lines = [
    p.bold(`Monitored ${r.target} for ${formatElapsed(r.durationMs)}: ${r.polls} polls every ${formatMs(r.intervalMs)}`),
    `  uptime ${r.uptimePercent.toFixed(2)} % (${r.upPolls}/${r.polls} polls with /api/health answering 200; the guide asks > 99.9 %)`,
  ];
  if (!r.alerts.length) lines.push(p.green('  no alerts'));
  else {
    lines.push(`  alert history (${r.alerts.filter((a) => a.state === 'firing').length} fired):`);
    for (const e of r.alerts) lines.push(`    ${alertLine(e, p)}`);
  }
  if (r.firing.length) lines.push(p.red(`  still firing: ${r.firing.join(', ')}`));
  return lines.join('\n') + '\n';
}
