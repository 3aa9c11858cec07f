/**
 * `aetos-load monitor` / `npm run monitor`: the guide's monitor-system. Watches the deployment
 * at --url or BASE_URL (or the embedded target, started for the watch) every --interval,
 * alerts by the rules (the guide's defaults, or --rules FILE over them), shows a live table on
 * a terminal or JSON lines otherwise, and ends on Ctrl-C or after --duration with the uptime
 * and the alert history. Exit 0 when no alert fired during the watch, 1 when one did.
 */
import { parseArgs } from 'node:util';
import { ExitCode } from '../engine/errors.ts';
import { parseDuration, parseTimeout } from '../ops/shared/duration.ts';
import { checkTargetUrl, resolveTarget, type WatchedTarget } from '../ops/shared/target.ts';
import { colorWanted } from '../ops/shared/terminal.ts';
import { startMonitor } from '../ops/monitor/index.ts';
import { defaultRules, loadRulesFile, type AlertEvent, type AlertRule } from '../ops/monitor/rules.ts';
import type { MonitorSample } from '../ops/monitor/types.ts';
import { renderAlert, renderLive, renderSummary } from '../ops/monitor/view.ts';

const usage = `usage: aetos-load monitor [options]

Polls API response time, /api/health (database, cache), the frontend, the target's /metrics,
containers, CPU/memory/disk and a log file; alerts when a rule's condition holds for its window.

  --url URL            deployment to watch (default: BASE_URL, else the embedded target)
  --interval DURATION  time between polls (default 5s)
  --duration DURATION  stop after this long (default: until Ctrl-C)
  --timeout DURATION   per-request timeout (default 10s)
  --rules FILE         JSON alert rules merged over the guide's defaults
  --alerts FILE        append alert events as JSON lines (default results/monitor/alerts.jsonl)
  --webhook URL        POST each alert event as JSON
  --log FILE           count new error lines in this log file
  --path PATH          path timed as API response time (default /api/inventory, logged in
                       as HEALTH_USER / HEALTH_PASSWORD, default user0001 / Passw0rd!)
  --database-url URL   also SELECT 1 directly every poll (default: DATABASE_URL)
  --redis-url URL      also PING directly every poll (default: REDIS_URL)
  --json               JSON lines even on a terminal
  --no-color           no colours
Exit 0 when no alert fired, 1 when one did.
`;

function fail(message: string): number {
  process.stderr.write(`aetos-load monitor: ${message}\n`);
  return ExitCode.InvalidConfig;
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        interval: { type: 'string' },
        duration: { type: 'string' },
        timeout: { type: 'string' },
        rules: { type: 'string' },
        alerts: { type: 'string' },
        webhook: { type: 'string' },
        log: { type: 'string' },
        path: { type: 'string' },
        'database-url': { type: 'string' },
        'redis-url': { type: 'string' },
        json: { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }

  let intervalMs: number, durationMs: number | undefined, timeoutMs: number, rules: AlertRule[];
  try {
    intervalMs = values.interval ? parseDuration(values.interval, '--interval') : 5000;
    if (intervalMs <= 0) throw new Error('--interval: must be more than 0');
    durationMs = values.duration ? parseDuration(values.duration, '--duration') : undefined;
    timeoutMs = values.timeout ? parseTimeout(values.timeout, '--timeout') : 10_000;
    if (values.url !== undefined) checkTargetUrl(values.url, '--url');
    else if (process.env.BASE_URL) checkTargetUrl(process.env.BASE_URL, 'BASE_URL');
    rules = values.rules ? await loadRulesFile(values.rules) : defaultRules;
    if (values.path && !values.path.startsWith('/')) throw new Error(`--path: "${values.path}" must start with /`);
    if (values.webhook) new URL(values.webhook);
  } catch (err) {
    return fail((err as Error).message);
  }

  let target: WatchedTarget;
  try {
    target = await resolveTarget(values.url);
  } catch (err) {
    process.stderr.write(`aetos-load monitor: cannot start the embedded target: ${(err as Error).message.split('\n')[0]}\n`);
    return 2;
  }

  const tty = Boolean(process.stdout.isTTY) && !values.json;
  const color = colorWanted(process.stdout, values['no-color']);
  const write = (s: string) => process.stdout.write(s);
  const samples: MonitorSample[] = [];
  const alerts: AlertEvent[] = [];
  let polls = 0;
  let upPolls = 0;

  const monitor = startMonitor({
    url: target.url,
    intervalMs,
    durationMs,
    timeoutMs,
    rules,
    alertsFile: values.alerts ?? 'results/monitor/alerts.jsonl',
    webhook: values.webhook,
    logFile: values.log,
    apiPath: values.path,
    databaseUrl: values['database-url'] ?? (process.env.DATABASE_URL || undefined),
    redisUrl: values['redis-url'] ?? (process.env.REDIS_URL || undefined),
    onSample(s) {
      polls++;
      if (s.values['api.up'] === 1) upPolls++;
      if (!tty) return void write(JSON.stringify(s) + '\n');
      samples.push(s);
      if (samples.length > 200) samples.shift();
      write('\x1b[H\x1b[2J' + renderLive({ url: target.url, intervalMs, samples, alerts, rules, polls, upPolls }, color));
    },
    onAlert(e) {
      alerts.push(e);
      if (!tty) write(JSON.stringify(e) + '\n');
      else write(renderAlert(e, color));
    },
  });

  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) process.exit(ExitCode.ExternalAbort);
    void monitor.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await monitor.done;
    if (tty) write('\n' + renderSummary(report, color));
    else {
      const { samples: _s, rules: _r, ...rest } = report;
      write(JSON.stringify({ type: 'summary', ...rest }) + '\n');
    }
    return report.alerts.some((a) => a.state === 'firing') ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await target.stop();
  }
}
