/**
 * The monitor as a library: `startMonitor(opts)` polls a deployment every interval, evaluates
 * the alert rules on each poll and delivers alert events, until `stop()` or `durationMs`.
 * The CLI (cli.ts) adds the terminal view; `aetos-load run --monitor` runs it beside a load
 * test and stores the report with the run's results.
 *
 *   const m = startMonitor({ url, intervalMs: 5000, alertsFile: 'results/heavy/alerts.jsonl' });
 *   … run the load test …
 *   const report = await m.stop();   // { uptimePercent, samples, alerts, firing, … }
 *
 * Polls never overlap: when one takes longer than the interval (a slow API), the next starts
 * as soon as it ends.
 */
import { AlertSinks } from './alert-sinks.ts';
import { Poller } from './poll.ts';
import { AlertEngine, defaultRules, type AlertEvent } from './rules.ts';
import type { MonitorHandle, MonitorOptions, MonitorReport, MonitorSample } from './types.ts';

export type { MonitorHandle, MonitorOptions, MonitorReport, MonitorSample } from './types.ts';
export type { AlertEvent, AlertRule } from './rules.ts';
export { defaultRules, loadRulesFile } from './rules.ts';

export function startMonitor(opts: MonitorOptions): MonitorHandle {
  const intervalMs = opts.intervalMs ?? 5000;
  if (!(intervalMs > 0)) throw new Error(`monitor: interval must be > 0 ms (got ${intervalMs})`);
  const rules = opts.rules ?? defaultRules;
  const engine = new AlertEngine(rules);
  const warn = opts.onWarning ?? ((m: string) => process.stderr.write(`${m}\n`));
  const sinks = new AlertSinks(opts.alertsFile, opts.webhook, warn);
  const poller = new Poller({
    url: opts.url.replace(/\/+$/, ''),
    timeoutMs: opts.timeoutMs ?? 10_000,
    apiPath: opts.apiPath ?? '/api/inventory',
    user: opts.user ?? process.env.HEALTH_USER ?? 'user0001',
    password: opts.password ?? process.env.HEALTH_PASSWORD ?? 'Passw0rd!',
    logFile: opts.logFile,
    databaseUrl: opts.databaseUrl,
    redisUrl: opts.redisUrl,
    dockerSocket: opts.dockerSocket,
    diskPath: opts.diskPath ?? process.cwd(),
  });
  const maxSamples = opts.maxSamples ?? 20_000;
  const startedAt = Date.now();
  const samples: MonitorSample[] = [];
  const alerts: AlertEvent[] = [];
  let polls = 0;
  let upPolls = 0;
  let stopping = false;
  let latest: MonitorSample | undefined;
  const abort = new AbortController();
  let wake: () => void = () => {};

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const loop = async (): Promise<void> => {
    await poller.start();
    const endAt = opts.durationMs !== undefined ? startedAt + opts.durationMs : Infinity;
    while (!stopping) {
      const t0 = Date.now();
      const raw = await poller.poll(startedAt, abort.signal);
      if (stopping) break; // abandoned mid-poll: its readings are partial
      const events = engine.evaluate(raw.values, Date.now());
      const sample: MonitorSample = { ...raw, firing: engine.firing() };
      polls++;
      if (sample.values['api.up'] === 1) upPolls++;
      samples.push(sample);
      if (samples.length > maxSamples) samples.shift();
      latest = sample;
      opts.onSample?.(sample);
      for (const e of events) {
        alerts.push(e);
        sinks.send(e);
        opts.onAlert?.(e);
      }
      const next = Math.min(t0 + intervalMs, endAt);
      if (Date.now() >= endAt) break;
      await sleep(next - Date.now());
      if (Date.now() >= endAt) break;
    }
  };

  const report = (): MonitorReport => {
    const endedAt = Date.now();
    return {
      target: opts.url,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - startedAt,
      intervalMs,
      polls,
      upPolls,
      // no completed poll is no evidence of uptime
      uptimePercent: polls ? (100 * upPolls) / polls : 0,
      samples,
      alerts,
      firing: engine.firing(),
      rules: engine.rules(),
    };
  };

  const done = loop()
    .catch((err: Error) => warn(`monitor: stopped by an internal error: ${err.stack ?? err.message}`))
    .then(async () => {
      await sinks.flush();
      return report();
    });

  return {
    done,
    latest: () => latest,
    async stop() {
      stopping = true;
      abort.abort();
      wake();
      return done;
    },
  };
}

/**
 * Stores a report beside a run's results: `<dir>/monitor.json` (series, alerts, uptime) and
 * `<dir>/monitor-alerts.jsonl` (one alert event per line). Returns the paths written.
 */
export async function writeMonitorReport(report: MonitorReport, dir: string): Promise<string[]> {
  // written whole (temp + rename), as every result file is
  const { writeFileWhole } = await import('../../engine/outputs/file-sink.ts');
  const path = await import('node:path');
  const json = path.join(dir, 'monitor.json');
  const alerts = path.join(dir, 'monitor-alerts.jsonl');
  writeFileWhole(json, JSON.stringify(report, null, 2) + '\n');
  writeFileWhole(alerts, report.alerts.map((a) => JSON.stringify(a) + '\n').join(''));
  return [json, alerts];
}
